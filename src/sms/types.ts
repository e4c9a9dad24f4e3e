/**
 * The contract between the parts that want an SMS sent (call replies, keyword answers, the
 * test button, `missedcall send`) and the outbox that sends it. Enqueueing is synchronous so
 * it can run inside the transaction that records the reason for the message.
 */
export type SmsKind = 'reply' | 'keyword' | 'test' | 'manual';

export interface QueueSmsRequest {
  /** E.164 destination. */
  to: string;
  text: string;
  kind: SmsKind;
  /** The call this answers (kind `reply`). */
  callId?: string | null;
  /** The inbound message this answers (kind `keyword`). */
  messageId?: string | null;
  /** DLT template id (Indian telecom registration), recorded with the message. */
  templateId?: string | null;
  /** Send from this modem label when possible (the SIM the volunteer wrote to). */
  preferModem?: string | null;
  /**
   * Send even to a number that opted out. Only for the one confirmation of a STOP, which
   * the rules allow; never for anything else.
   */
  ignoreOptOut?: boolean;
}

export type QueueSmsResult =
  | { queued: true; id: string; parts: number }
  /** `too-long`: the text needs more SMS parts than the outbox sends for one message (10). */
  | { queued: false; reason: 'opted-out' | 'invalid-number' | 'empty-text' | 'too-long' };

export interface SmsQueue {
  enqueue(request: QueueSmsRequest): QueueSmsResult;
}

/** Numbers that said STOP. Shared by every sender; HQ spreads them to every box (sync). */
export interface OptOutRegistry {
  isOptedOut(number: string): boolean;
  /** Returns false when the number was already opted out. */
  optOut(number: string, at: number, source: string): boolean;
  /** Returns false when the number was not opted out. */
  optIn(number: string, at: number, source: string): boolean;
}
