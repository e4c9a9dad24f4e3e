/**
 * Acting on what a volunteer wrote: JOIN makes (or updates) a volunteer, STOP opts the number out
 * with one confirmation, START opts it back in, HELP answers with the help text, an interest word
 * is added to the volunteer, anything else is left for people to read. Runs inside the
 * transaction that stores the message, so the message, its effect, the auto-reply and the
 * records for headquarters are committed together or not at all.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { maskNumber } from '../phone/normalize.js';
import type { OptOutRegistry, SmsQueue } from '../sms/types.js';
import type { MessageRow } from '../store/messages.js';
import type { SyncLog } from '../store/sync-log.js';
import type { VolunteerStore, VolunteerView } from '../store/volunteers.js';
import { parseMessage, type CompiledRules, type JoinProblem } from './keywords.js';
import type { PlaceLookup } from './places.js';

/** Which auto-reply to send. */
export type ReplyKind = 'join' | 'joinHelp' | 'stop' | 'start' | 'help' | 'interest' | 'other';

/**
 * The auto-reply text of a kind for a line (placeholders already filled in for that line), or
 * null when that kind has no reply.
 */
export type ReplyTexts = (kind: ReplyKind, lineLabel: string) => string | null;

/** What the box did with a message; stored with it and shown on the page. */
export type Outcome =
  | 'joined'
  | 'updated'
  | JoinProblem
  | 'opted-out'
  | 'already-opted-out'
  | 'opted-in'
  | 'help'
  | 'interests'
  | 'free-text'
  /** The sender is not a phone number (a company's name, a service code): nothing is done or sent. */
  | 'not-a-number'
  /** The PDU could not be decoded: there is no text to act on. */
  | 'undecodable';

export interface HandleResult {
  keyword: string | null;
  outcome: Outcome;
  /** The outbox id of the auto-reply, when one was queued. */
  replyId: string | null;
}

export interface KeywordHandlerOptions {
  volunteers: VolunteerStore;
  syncLog: SyncLog;
  queue: SmsQueue;
  optOuts: OptOutRegistry;
  rules: CompiledRules;
  replies: ReplyTexts;
  places: PlaceLookup | null;
  log: Logger;
}

/** Acts on stored messages; see the module comment. */
export class KeywordHandler {
  private readonly log: Logger;

  constructor(private readonly opts: KeywordHandlerOptions) {
    this.log = opts.log.child({ module: 'keywords' });
  }

  /** Call inside the transaction that stored `message`. `at` is when the box received it. */
  handle(message: MessageRow): HandleResult {
    const number = message.number;
    if (message.text === null) return { keyword: null, outcome: 'undecodable', replyId: null };
    if (number === null) return { keyword: null, outcome: 'not-a-number', replyId: null };
    const at = message.receivedAt;
    const line = message.line;
    const parsed = parseMessage(message.text, this.opts.rules, this.opts.places);
    const reply = (kind: ReplyKind, ignoreOptOut = false): string | null => this.reply(message, kind, ignoreOptOut);
    switch (parsed.keyword) {
      case 'JOIN': {
        if (parsed.problem !== null || parsed.name === null) {
          return { keyword: 'JOIN', outcome: parsed.problem ?? 'missing-name', replyId: reply('joinHelp') };
        }
        const place = parsed.pincode !== null ? this.opts.places?.byPincode(parsed.pincode) : parsed.place;
        const { view, firstJoin } = this.opts.volunteers.join(
          number,
          {
            name: parsed.name,
            pincode: parsed.pincode,
            district: place?.district ?? null,
            constituency: place?.constituency ?? null,
            state: place?.state ?? null,
          },
          at,
          line,
        );
        this.record(view, message, at);
        return { keyword: 'JOIN', outcome: firstJoin ? 'joined' : 'updated', replyId: reply('join') };
      }
      case 'STOP': {
        const changed = this.opts.optOuts.optOut(number, at, `sms:${line.label}`);
        // Exactly one confirmation per opt-out, the one message the rules allow to an opted-out number.
        return { keyword: 'STOP', outcome: changed ? 'opted-out' : 'already-opted-out', replyId: changed ? reply('stop', true) : null };
      }
      case 'START':
        this.opts.optOuts.optIn(number, at, `sms:${line.label}`);
        return { keyword: 'START', outcome: 'opted-in', replyId: reply('start') };
      case 'HELP':
        return { keyword: 'HELP', outcome: 'help', replyId: reply('help') };
      case 'INTEREST': {
        const { view, added } = this.opts.volunteers.addInterests(number, parsed.interests, at, line);
        if (added.length > 0) this.record(view, message, at);
        return { keyword: 'INTEREST', outcome: 'interests', replyId: reply('interest') };
      }
      case null:
        return { keyword: null, outcome: 'free-text', replyId: reply('other') };
    }
  }

  private reply(message: MessageRow, kind: ReplyKind, ignoreOptOut: boolean): string | null {
    const text = this.opts.replies(kind, message.line.label);
    if (text === null || message.number === null) return null;
    const result = this.opts.queue.enqueue({
      to: message.number,
      text,
      kind: 'keyword',
      messageId: message.id,
      preferModem: message.line.label,
      ...(ignoreOptOut ? { ignoreOptOut: true } : {}),
    });
    if (result.queued) return result.id;
    this.log.info({ messageId: message.id, number: maskNumber(message.number), reply: kind, reason: result.reason }, 'auto-reply not queued');
    return null;
  }

  /** Headquarters hears of every change to a volunteer (record type `volunteer`). */
  private record(v: VolunteerView, message: MessageRow, at: number): void {
    this.opts.syncLog.append(randomUUID(), 'volunteer', {
      at,
      number: v.number,
      name: v.name,
      pincode: v.pincode,
      district: v.district,
      constituency: v.constituency,
      state: v.state,
      interests: v.interests,
      joinedAt: v.joinedAt,
      message: message.id,
      modem: message.line.imei,
      sim: message.line.iccid,
      port: message.line.label,
    });
  }
}
