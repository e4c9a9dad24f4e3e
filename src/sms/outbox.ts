import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CountryCode } from 'libphonenumber-js';
import type { Logger } from '../log.js';
import { maskNumber, normalizeNumber } from '../phone/normalize.js';
import type { Db } from '../store/db.js';
import { OutboxStore, type SmsPartRow, type SmsRow } from '../store/outbox.js';
import type { SyncLog } from '../store/sync-log.js';
import { planText } from './pdu/index.js';
import type { OptOutRegistry, QueueSmsRequest, QueueSmsResult, SmsQueue } from './types.js';

/** The most parts one message may have, whoever queues it (the config allows replies up to 10). */
export const MAX_MESSAGE_PARTS = 10;

/** What the outbox is built from. */
export interface SmsOutboxOptions {
  db: Db;
  syncLog: SyncLog;
  optOuts: OptOutRegistry;
  /** For numbers written without +91 (`missedcall send --to 98…`). */
  country: CountryCode;
  log: Logger;
  /** Epoch milliseconds; injected so tests can move time. */
  clock?: () => number;
  maxParts?: number;
}

/** Events of the outbox (the worker wakes on `queued`; the benchmark counts `outcome`). */
export interface SmsOutboxEvents {
  /** A message was queued (emitted after the current turn, when its transaction has committed). */
  queued: [id: string];
  /** A message reached sent, delivered or failed. */
  outcome: [SmsRow];
}

/** What a status report did. */
export type ReportMatch =
  | { matched: false }
  | { matched: true; smsId: string; part: number; outcome: 'delivered' | 'pending' | 'failed'; message: SmsRow | null };

/**
 * The persistent outbox: every SMS the box sends goes through here. It owns the state
 * transitions of docs/SMS.md and, in the same transaction as each outcome (sent, delivered,
 * failed), appends an `sms` record to the sync log so headquarters hears of it. It sends
 * nothing itself; `SmsWorker` drives the modems.
 */
export class SmsOutbox extends EventEmitter<SmsOutboxEvents> implements SmsQueue {
  readonly store: OutboxStore;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly maxParts: number;

  constructor(private readonly opts: SmsOutboxOptions) {
    super();
    this.store = new OutboxStore(opts.db);
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log.child({ module: 'outbox' });
    this.maxParts = opts.maxParts ?? MAX_MESSAGE_PARTS;
  }

  /**
   * Queue a message. Synchronous, so it can run inside the transaction that records why the
   * message is sent (the call); it is then committed or rolled back with it.
   */
  enqueue(request: QueueSmsRequest): QueueSmsResult {
    if (request.text.trim() === '') return { queued: false, reason: 'empty-text' };
    const to = normalizeNumber(request.to, this.opts.country).e164;
    if (to === null) return { queued: false, reason: 'invalid-number' };
    if (!request.ignoreOptOut && this.opts.optOuts.isOptedOut(to)) return { queued: false, reason: 'opted-out' };
    const plan = planText(request.text);
    if (plan.parts.length > this.maxParts) return { queued: false, reason: 'too-long' };
    const id = randomUUID();
    this.store.transaction(() =>
      this.store.insert({
        id,
        kind: request.kind,
        to,
        text: request.text,
        encoding: plan.encoding,
        parts: plan.parts,
        // Fixed now so a part sent again after a failure still joins the others on the phone.
        concatRef: randomInt(256),
        callId: request.callId ?? null,
        messageId: request.messageId ?? null,
        templateId: request.templateId ?? null,
        preferModem: request.preferModem ?? null,
        ignoreOptOut: request.ignoreOptOut ?? false,
        queuedAt: this.clock(),
      }),
    );
    this.log.debug({ sms: id, to: maskNumber(to), kind: request.kind, parts: plan.parts.length }, 'SMS queued');
    setImmediate(() => this.emit('queued', id));
    return { queued: true, id, parts: plan.parts.length };
  }

  /**
   * The restart rule (docs/SMS.md): a part left in `sending` has no `+CMGS` answer on record,
   * so it goes back to pending and is sent again; a part in `sent` is never sent again.
   */
  recover(): { parts: number; messages: number } {
    const now = this.clock();
    const result = this.store.transaction(() =>
      this.store.recoverInterrupted(
        now,
        'interrupted by a restart before the modem confirmed it (+CMGS); sent again',
        'interrupted by a restart while sending; queued again',
      ),
    );
    if (result.messages > 0) this.log.warn(result, 'SMS left in "sending" by the last run were queued again');
    return result;
  }

  /**
   * queued → sending for `modem`, and its first unsent part marked `sending` in the same
   * commit (it is written before `AT+CMGS` leaves). Null when someone else took the message,
   * or when it had nothing left to send.
   *
   * A queued message should have no part in `sending` and at least one `pending`. Should it be
   * otherwise (a database error in the middle of a send, a bug), the state is repaired here
   * rather than thrown about: a stray `sending` part goes back to pending and is sent again
   * (the restart rule: its `+CMGS` was never recorded), and a message with every part sent is
   * marked sent.
   */
  claim(id: string, modem: string, sim: string): { row: SmsRow; part: number } | null {
    const now = this.clock();
    let settled: SmsRow[] = [];
    const claimed = this.store.transaction(() => {
      settled = [];
      if (!this.store.claim(id, modem, now)) return null;
      const row = this.store.get(id);
      if (!row) return null;
      let parts = this.store.parts(id);
      const stray = parts.filter((p) => p.status === 'sending');
      if (stray.length > 0) {
        for (const p of stray) this.store.partBack(id, p.part, 'left in "sending" while its message waited in the queue (its +CMGS was never recorded); sent again');
        this.log.warn({ sms: id, parts: stray.map((p) => p.part) }, 'repaired a queued SMS with parts left in "sending"; they are sent again');
        parts = this.store.parts(id);
      }
      const next = parts.find((p) => p.status === 'pending');
      if (next) {
        this.store.partSending(id, next.part, modem, sim, now);
        return { row, part: next.part };
      }
      settled = this.settleWithNothingToSend(id, parts, now);
      return null;
    });
    for (const row of settled) this.emit('outcome', row);
    return claimed;
  }

  /**
   * The message as it is now (just failed, sent or delivered, in the caller's transaction),
   * told to HQ as `<id>:<status>`; `parts` as they are now, read again when not given.
   */
  private recordOutcome(id: string, parts: readonly SmsPartRow[] = this.store.parts(id)): SmsRow | null {
    const row = this.store.get(id);
    if (row) this.opts.syncLog.append(`${id}:${row.status}`, 'sms', smsSyncPayload(row, parts));
    return row;
  }

  /** A claimed message with no part to send: sent when every part was, else failed. Returns its outcomes. */
  private settleWithNothingToSend(id: string, parts: readonly SmsPartRow[], now: number): SmsRow[] {
    const done = parts.length > 0 && parts.every((p) => p.status === 'sent' || p.status === 'delivered');
    if (!done) {
      const error = `inconsistent: queued with no part left to send (parts ${parts.map((p) => `${p.part} ${p.status}`).join(', ')})`;
      this.log.error({ sms: id }, `${error}; failed`);
      if (!this.store.fail(id, error, now)) return [];
      const row = this.recordOutcome(id);
      return row ? [row] : [];
    }
    this.log.warn({ sms: id }, 'repaired a queued SMS whose every part had been sent: marked sent');
    const out: SmsRow[] = [];
    if (!this.store.markSent(id, now)) return out;
    const sent = this.recordOutcome(id, parts);
    if (sent) out.push(sent);
    if (parts.every((p) => p.status === 'delivered') && this.store.markDelivered(id, now)) {
      const delivered = this.recordOutcome(id, parts);
      if (delivered) out.push(delivered);
    }
    return out;
  }

  /**
   * The modem accepted the part (`+CMGS`). In one commit: the reference recorded (this part is
   * never sent again), the message pinned to the SIM, the part counted against the SIM's
   * day, and either the next part marked `sending` or, after the last, the message marked
   * sent with its sync record. One commit per part keeps the fsyncs (and the event loop
   * pauses they cause) to a minimum.
   */
  partSent(id: string, part: number, reference: number | null, modem: string, sim: string, day: string): { sent: SmsRow | null; next: number | null } {
    const now = this.clock();
    const result = this.store.transaction(() => {
      if (!this.store.partSent(id, part, reference, modem, sim, now)) {
        // Already recorded: the worker retries this call when it threw, and it may have thrown
        // after the commit (a listener of `outcome`). Counting the part again would be wrong.
        const parts = this.store.parts(id);
        return { sent: null, next: parts.find((p) => p.status === 'sending')?.part ?? null };
      }
      this.store.pin(id, sim, now);
      this.store.countSent(sim, day);
      const parts = this.store.parts(id);
      const next = parts.find((p) => p.status === 'pending');
      if (next) {
        this.store.partSending(id, next.part, modem, sim, now);
        return { sent: null, next: next.part };
      }
      if (parts.some((p) => p.status === 'sending') || !this.store.markSent(id, now)) return { sent: null, next: null };
      return { sent: this.recordOutcome(id, parts), next: null };
    });
    if (result.sent) this.emit('outcome', result.sent);
    return result;
  }

  /** The part did not go out: pending again, the message queued for `nextAttemptAt`. */
  retry(id: string, part: number | null, error: string, nextAttemptAt: number, refund = false): void {
    const now = this.clock();
    this.store.transaction(() => {
      if (part !== null) this.store.partBack(id, part, error);
      this.store.requeue(id, nextAttemptAt, error, now, refund);
    });
  }

  /** Give up on a message (its unsent parts fail with it). */
  fail(id: string, error: string): SmsRow | null {
    const now = this.clock();
    const row = this.store.transaction(() => {
      if (!this.store.fail(id, error, now)) return null;
      return this.recordOutcome(id);
    });
    if (row) this.emit('outcome', row);
    return row;
  }

  /**
   * A status report (`+CDS`) from the SIM `iccid`: find the part by (SIM, TP-MR, recipient,
   * sent within `windowMs`) and move it, and the message once every part is settled.
   * `recipient` is as the report gave it; compared on its last ten digits, because networks
   * write it national or international at will.
   */
  applyStatusReport(
    iccid: string,
    reference: number,
    recipient: string,
    outcome: 'delivered' | 'pending' | 'failed',
    status: number,
    windowMs: number,
  ): ReportMatch {
    const now = this.clock();
    const want = lastDigits(recipient);
    const candidate = this.store
      .reportCandidates(iccid, reference, now - windowMs)
      .find((c) => want === '' || lastDigits(c.to) === want);
    if (!candidate) return { matched: false };
    const message = this.store.transaction(() => {
      this.store.partReport(candidate.smsId, candidate.part, outcome === 'pending' ? null : outcome, status, now);
      if (outcome === 'pending') return null;
      const parts = this.store.parts(candidate.smsId);
      if (outcome === 'failed') {
        const error = `not delivered: the network reported status 0x${status.toString(16).padStart(2, '0')} for part ${candidate.part}`;
        if (!this.store.fail(candidate.smsId, error, now)) return null;
        // Fetched again: failing the message failed its unsent parts too.
        return this.recordOutcome(candidate.smsId);
      }
      if (!parts.every((p) => p.status === 'delivered')) return null;
      if (!this.store.markDelivered(candidate.smsId, now)) return null;
      return this.recordOutcome(candidate.smsId, parts);
    });
    if (message) this.emit('outcome', message);
    return { matched: true, smsId: candidate.smsId, part: candidate.part, outcome, message };
  }

  get(id: string): SmsRow | null {
    return this.store.get(id);
  }

  parts(id: string): SmsPartRow[] {
    return this.store.parts(id);
  }
}

function lastDigits(number: string): string {
  return number.replace(/\D/g, '').slice(-10);
}

/**
 * What headquarters receives about one SMS outcome (record type `sms`; docs/SMS.md). The
 * record id is `<sms id>:<status>`, so each outcome is sent once and a re-sent batch is
 * recognised. `at` is epoch milliseconds.
 */
export function smsSyncPayload(row: SmsRow, parts: readonly SmsPartRow[]): Record<string, unknown> {
  const at = row.status === 'delivered' ? row.deliveredAt : row.status === 'failed' ? row.failedAt : row.sentAt;
  return {
    sms: row.id,
    status: row.status,
    at,
    kind: row.kind,
    to: row.to,
    parts: row.parts,
    attempts: row.attempts,
    queuedAt: row.queuedAt,
    ...(row.callId ? { call: row.callId } : {}),
    ...(row.messageId ? { message: row.messageId } : {}),
    ...(row.templateId ? { templateId: row.templateId } : {}),
    ...(row.simIccid ? { sim: row.simIccid } : {}),
    ...(row.modem ? { port: row.modem } : {}),
    ...(row.sentAt ? { sentAt: row.sentAt } : {}),
    ...(row.status === 'failed' && row.lastError ? { error: row.lastError } : {}),
    refs: parts.map((p) => p.messageReference),
  };
}
