/**
 * Where every PDU a modem hands over ends up: decoded, recognised if it was seen before (a
 * message re-read from the SIM after a crash), joined with its sibling parts when it is one
 * part of a long message, stored, and acted on (keywords) — all in one transaction, so the
 * storage reader may delete it from the SIM as soon as `receive` returns.
 *
 * Parts of a long message wait in `message_parts` until all have come, in any order, or until
 * the parts timeout (default 24 h, on the injected clock) passes; then what came is stored as
 * one message flagged partial, with the missing part numbers. When the sender reuses the
 * reference of a message still waiting (another text for a part number already there, or a
 * service-centre time far from all the waiting parts), the old one is stored partial at once
 * and the new one waits on its own: two messages are never mixed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CountryCode } from 'libphonenumber-js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { maskNumber, normalizeNumber } from '../phone/normalize.js';
import { decodePdu, PduError, type DecodedDeliver, type DecodedStatusReport } from '../sms/pdu/index.js';
import type { Db } from '../store/db.js';
import type { MessageRow, MessageStore, NewMessage, PartGroup, PartRow, ReceivingLine } from '../store/messages.js';
import type { SyncLog } from '../store/sync-log.js';

/** What the inbox asks of whoever acts on messages (the keyword handler). */
export interface MessageHandler {
  handle(message: MessageRow): { keyword: string | null; outcome: string; replyId: string | null };
}

/** A message as stored, with what the box made of it. */
export type StoredMessage = MessageRow;

/** Where a PDU came from. */
export interface PduSource {
  line: ReceivingLine;
  /** TPDU length the modem stated (`+CMGR: ,,27`), to cut junk after it from the fingerprint. */
  length: number | null;
}

export type ReceiveResult =
  | { kind: 'stored'; message: StoredMessage }
  /** Seen before (re-read from the SIM): nothing new was written. */
  | { kind: 'duplicate' }
  /** One part of a long message; the others have not all come yet. */
  | { kind: 'part-waiting'; have: number; total: number }
  /** A delivery report that was in the message storage: for the outbox, not a message. */
  | { kind: 'status-report'; report: DecodedStatusReport }
  /** A message this SIM sent or drafted (SMS-SUBMIT): not ours to store or delete. */
  | { kind: 'not-inbound' };

export interface InboxEvents {
  stored: [StoredMessage];
}

export interface InboxOptions {
  db: Db;
  messages: MessageStore;
  syncLog: SyncLog;
  handler: MessageHandler;
  country: CountryCode;
  log: Logger;
  /** Parts that have waited this long are stored as a partial message. */
  partsTimeoutMs: number;
  /** Wall-clock milliseconds; tests move it instead of waiting a day. */
  now?: () => number;
}

export interface InboxStats {
  stored: number;
  duplicates: number;
  parts: number;
  partial: number;
  undecodable: number;
  handlerErrors: number;
  /** Long messages stored partial because the sender reused their reference for a new one. */
  reusedReferences: number;
}

/**
 * Parts of one long message whose service-centre timestamps are further apart than this are
 * taken for two messages that share a reference (see `receivePart`). The parts of one message
 * are sent back to back, seconds apart.
 */
export const REUSED_REFERENCE_GAP_MS = 10 * 60_000;

/** See the module comment. */
export class Inbox extends EventEmitter<InboxEvents> {
  readonly stats: InboxStats = { stored: 0, duplicates: 0, parts: 0, partial: 0, undecodable: 0, handlerErrors: 0, reusedReferences: 0 };
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly storeTx: (m: NewMessage, used: readonly string[], handle: boolean) => StoredMessage;
  private readonly partTx: (decoded: DecodedDeliver, source: PduSource, hex: string, fingerprint: string) => ReceiveResult;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: InboxOptions) {
    super();
    this.log = opts.log.child({ module: 'inbox' });
    this.now = opts.now ?? Date.now;
    this.storeTx = opts.db.transaction((m: NewMessage, used: readonly string[], handle: boolean) => {
      const row = opts.messages.insert(m);
      opts.messages.assembled(used, row.id);
      const result = handle ? opts.handler.handle(row) : { keyword: null, outcome: 'error', replyId: null };
      opts.messages.setOutcome(row.id, result.keyword, result.outcome, result.replyId);
      const stored: StoredMessage = { ...row, keyword: result.keyword, outcome: result.outcome, replyId: result.replyId };
      opts.syncLog.append(row.id, 'message', messageSyncPayload(stored));
      return stored;
    });
    this.partTx = opts.db.transaction((decoded: DecodedDeliver, source: PduSource, hex: string, fingerprint: string) =>
      this.receivePart(decoded, source, hex, fingerprint),
    );
  }

  /**
   * Take one PDU (hex as the modem printed it, SMSC prefix included). Returns once what must be
   * kept is committed; throws only when the database failed (then the PDU must stay on the SIM).
   */
  receive(hex: string, source: PduSource): ReceiveResult {
    const clean = hex.trim().toUpperCase();
    const fingerprint = fingerprintOf(clean, source, this.now);
    if (this.opts.messages.hasFingerprint(fingerprint)) {
      this.stats.duplicates++;
      this.log.debug({ modem: source.line.label }, 'message already stored (re-read from the SIM)');
      return { kind: 'duplicate' };
    }
    let decoded;
    try {
      decoded = decodePdu(clean);
    } catch (err) {
      return this.storeUndecodable(clean, fingerprint, source, err);
    }
    switch (decoded.type) {
      case 'status-report':
        return { kind: 'status-report', report: decoded };
      case 'submit':
        return { kind: 'not-inbound' };
      case 'deliver':
        break;
    }
    const c = decoded.concat;
    if (c && c.total > 1 && c.sequence >= 1 && c.sequence <= c.total) {
      this.stats.parts++;
      return this.partTx(decoded, source, clean, fingerprint);
    }
    if (decoded.unreadable !== null) return this.storeUndecodable(clean, fingerprint, source, new PduError('PDU_UNSUPPORTED', decoded.unreadable, { field: 'TP-UD' }));
    const message = this.store(
      {
        id: randomUUID(),
        fingerprint,
        ...this.senderOf(decoded.from),
        text: decoded.text,
        encoding: decoded.encoding,
        sentAt: decoded.timestamp.getTime(),
        receivedAt: this.now(),
        parts: 1,
        partsReceived: 1,
        partial: false,
        missingParts: null,
        concatRef: null,
        pdu: null,
        decodeError: null,
        line: source.line,
      },
      [],
    );
    return { kind: 'stored', message };
  }

  /**
   * Store every group of parts whose first part came at least the parts timeout ago as a
   * partial message. Returns how many were stored. Runs on a timer after `start()`.
   */
  expire(): number {
    const groups = this.opts.messages.expiredGroups(this.now() - this.opts.partsTimeoutMs);
    let n = 0;
    for (const g of groups) {
      const parts = this.opts.messages.partsOf(g);
      if (parts.length === 0) continue;
      const { message, used } = this.assemble(g, parts);
      this.store(message, used);
      n++;
    }
    return n;
  }

  /** Sweep for timed-out parts now and then every `everyMs` (default: a twentieth of the timeout, 1 s to 10 min). */
  start(everyMs = Math.min(600_000, Math.max(1000, Math.round(this.opts.partsTimeoutMs / 20)))): void {
    this.sweep();
    this.sweepTimer = setInterval(() => this.sweep(), everyMs);
    this.sweepTimer.unref();
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private sweep(): void {
    try {
      const n = this.expire();
      if (n > 0) this.log.info({ messages: n }, 'stored long messages whose missing parts never came, flagged partial');
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'could not store timed-out message parts');
    }
  }

  private receivePart(decoded: DecodedDeliver, source: PduSource, hex: string, fingerprint: string): ReceiveResult {
    const c = decoded.concat;
    if (!c) throw new Error('receivePart without concatenation info');
    const group: PartGroup = { simKey: simKeyOf(source.line), sender: decoded.from, ref: c.reference, refBits: c.referenceBits, total: c.total };
    const waiting = this.opts.messages.partsOf(group);
    const sentAt = decoded.timestamp.getTime();
    const sameNumber = waiting.filter((p) => p.sequence === c.sequence);
    const sameNumberOtherText = sameNumber.some((p) => p.text !== decoded.text);
    // The service centre stamps every part of one long message within seconds of the others,
    // and a late delivery keeps that stamp: parts all stamped far from this one are another
    // message. Unless this part is a copy of one waiting (same number, same text: the message
    // sent again), which joins it harmlessly.
    const copy = sameNumber.some((p) => p.text === decoded.text);
    const otherTime = !copy && waiting.length > 0 && waiting.every((p) => Math.abs(p.sentAt - sentAt) > REUSED_REFERENCE_GAP_MS);
    if (sameNumberOtherText || otherTime) {
      // The sender reused the reference for a new message (phones count references modulo 256,
      // some always send the same one) while a part of the old one never came. Joining them
      // would mix two messages and drop a text, so the old one is stored as it is (partial)
      // and a new one begins.
      this.stats.reusedReferences++;
      this.log.warn(
        { modem: source.line.label, ref: c.reference, part: c.sequence, total: c.total, waiting: waiting.length },
        'a long message reused the reference of one still waiting for parts; storing the old one as partial',
      );
      const old = this.assemble(group, waiting);
      this.store(old.message, old.used);
    }
    this.opts.messages.addPart({
      ...group,
      fingerprint,
      sequence: c.sequence,
      text: decoded.text,
      // A part in a national language table keeps the default tables' reading (so copies and
      // reused references are still told apart) and is marked here: the message it ends up in
      // is stored unreadable, never acted on.
      encoding: decoded.unreadable === null ? decoded.encoding : UNREADABLE_PART,
      sentAt,
      receivedAt: this.now(),
      pdu: hex,
      line: source.line,
    });
    const parts = this.opts.messages.partsOf(group);
    const have = new Set(parts.map((p) => p.sequence)).size;
    if (have < c.total) {
      this.log.debug({ modem: source.line.label, part: c.sequence, have, total: c.total }, 'part of a long message stored; waiting for the rest');
      return { kind: 'part-waiting', have, total: c.total };
    }
    const { message, used } = this.assemble(group, parts);
    return { kind: 'stored', message: this.store(message, used) };
  }

  /**
   * The parts joined in order exactly as sent: nothing inserted, nothing normalised (a part may
   * start with a combining mark). `used` names the parts whose text is in the message: the
   * first of each sequence number, and copies of it with the same text. A part with the same
   * number and another text (only in groups stored before reused references were recognised)
   * is left waiting, and is stored on its own when the parts timeout passes.
   */
  private assemble(g: PartGroup, parts: PartRow[]): { message: NewMessage; used: string[] } {
    const bySequence = new Map<number, PartRow>();
    for (const p of parts) if (!bySequence.has(p.sequence)) bySequence.set(p.sequence, p);
    const ordered = [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
    const used = parts.filter((p) => bySequence.get(p.sequence)?.text === p.text).map((p) => p.fingerprint);
    const missing: number[] = [];
    for (let i = 1; i <= g.total; i++) if (!bySequence.has(i)) missing.push(i);
    const latest = parts.reduce((a, b) => (b.receivedAt > a.receivedAt ? b : a));
    const partial = missing.length > 0;
    const unreadable = ordered.find((p) => p.encoding === UNREADABLE_PART);
    const message: NewMessage = {
      id: randomUUID(),
      fingerprint: null,
      ...this.senderOf(g.sender),
      text: unreadable ? null : ordered.map((p) => p.text).join(''),
      encoding: unreadable ? 'gsm7' : (ordered[0]?.encoding ?? null),
      sentAt: Math.min(...ordered.map((p) => p.sentAt)),
      receivedAt: partial ? this.now() : latest.receivedAt,
      parts: g.total,
      partsReceived: ordered.length,
      partial,
      missingParts: partial ? missing : null,
      concatRef: g.ref,
      pdu: null,
      // The parts' PDUs stay in message_parts, linked to this message.
      decodeError: unreadable ? unreadableReason(unreadable.pdu) : null,
      line: latest.line,
    };
    if (unreadable) this.stats.undecodable++;
    return { message, used };
  }

  private storeUndecodable(hex: string, fingerprint: string, source: PduSource, err: unknown): ReceiveResult {
    this.stats.undecodable++;
    const error = describeError(err);
    this.log.warn({ modem: source.line.label, err: error, pdu: hex.slice(0, 80) }, 'could not decode a PDU; storing it raw');
    const message = this.store(
      {
        id: randomUUID(),
        fingerprint,
        number: null,
        sender: null,
        text: null,
        encoding: null,
        sentAt: null,
        receivedAt: this.now(),
        parts: 1,
        partsReceived: 1,
        partial: false,
        missingParts: null,
        concatRef: null,
        pdu: hex,
        decodeError: error,
        line: source.line,
      },
      [],
    );
    return { kind: 'stored', message };
  }

  /**
   * Store and act on a message. If acting on it fails (a bug, a surprise from the outbox), the
   * message is still stored, marked `error`, so it is never lost nor left on the SIM.
   */
  private store(m: NewMessage, used: readonly string[]): StoredMessage {
    let stored: StoredMessage;
    try {
      stored = this.storeTx(m, used, true);
    } catch (err) {
      this.stats.handlerErrors++;
      this.log.error({ err: describeError(err), messageId: m.id, modem: m.line.label }, 'acting on a message failed; storing it without acting');
      stored = this.storeTx(m, used, false);
    }
    this.stats.stored++;
    if (stored.partial) this.stats.partial++;
    this.log.info(
      {
        messageId: stored.id,
        modem: stored.line.label,
        from: stored.number ? maskNumber(stored.number) : stored.sender === null ? null : 'not a number',
        parts: stored.parts,
        partial: stored.partial || undefined,
        keyword: stored.keyword,
        outcome: stored.outcome,
      },
      'message stored',
    );
    this.emit('stored', stored);
    return stored;
  }

  private senderOf(from: string): { number: string | null; sender: string } {
    const normal = normalizeNumber(from, this.opts.country);
    return { number: normal.valid ? normal.e164 : null, sender: from };
  }
}

/** TPDU octets of a hex PDU that starts with its SMSC prefix (the length `+CMGR`/`+CMT` state). */
export function tpduLength(hex: string): number {
  const smsc = Number.parseInt(hex.slice(0, 2), 16);
  return Math.max(0, Math.floor(hex.trim().length / 2) - 1 - (Number.isNaN(smsc) ? 0 : smsc));
}

/** ICCID when known (the SIM is what the sender wrote to), else the line label. */
export function simKeyOf(line: ReceivingLine): string {
  return line.iccid ?? `label:${line.label}`;
}

/**
 * Same PDU on the same SIM → same fingerprint. Junk a modem prints after the stated length is
 * left out, so a re-read that differs only there is still recognised. An empty PDU has no
 * identity of its own, so it gets a unique one (it is stored each time it is met).
 */
function fingerprintOf(hex: string, source: PduSource, now: () => number): string {
  let body = hex;
  const smscOctets = Number.parseInt(hex.slice(0, 2), 16);
  if (source.length !== null && Number.isInteger(smscOctets)) {
    const wanted = (1 + smscOctets + source.length) * 2;
    if (hex.length > wanted) body = hex.slice(0, wanted);
  }
  if (body === '') body = `empty:${now()}:${randomUUID()}`;
  return createHash('sha256').update(`${simKeyOf(source.line)}|${body}`).digest('base64url');
}

/** What headquarters receives about one inbound message (record type `message`). */
export function messageSyncPayload(m: StoredMessage): Record<string, unknown> {
  return {
    at: m.receivedAt,
    sentAt: m.sentAt,
    number: m.number,
    ...(m.number === null && m.sender !== null ? { sender: m.sender } : {}),
    text: m.text,
    ...(m.parts > 1 ? { parts: m.parts } : {}),
    ...(m.partial ? { partial: true, missingParts: m.missingParts } : {}),
    ...(m.decodeError !== null ? { error: m.decodeError, pdu: m.pdu } : {}),
    keyword: m.keyword,
    outcome: m.outcome,
    modem: m.line.imei,
    sim: m.line.iccid,
    port: m.line.label,
  };
}

/** `message_parts.encoding` of a part written with a national language table (see receivePart). */
const UNREADABLE_PART = 'gsm7-national';

/** The decoder's reason for an unreadable part, from its stored PDU. */
function unreadableReason(pdu: string): string {
  try {
    const d = decodePdu(pdu);
    if (d.type === 'deliver' && d.unreadable !== null) return d.unreadable;
  } catch {
    // Decoded once already when it was stored; fall through to the general reason.
  }
  return 'GSM-7 text written with a national language table (3GPP TS 23.038 Annex A), which this box cannot read; the parts are kept as received';
}
