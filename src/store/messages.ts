import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/** The line (modem and SIM) a message came in on. */
export interface ReceivingLine {
  label: string;
  imei: string | null;
  iccid: string | null;
}

/** A message to store (see migration 006 for the meaning of each column). */
export interface NewMessage {
  id: string;
  /** Set for a single PDU (and an undecodable one) so a re-read is recognised. */
  fingerprint: string | null;
  number: string | null;
  sender: string | null;
  text: string | null;
  encoding: string | null;
  sentAt: number | null;
  receivedAt: number;
  parts: number;
  partsReceived: number;
  partial: boolean;
  missingParts: number[] | null;
  concatRef: number | null;
  pdu: string | null;
  decodeError: string | null;
  line: ReceivingLine;
}

export interface MessageRow extends NewMessage {
  seq: number;
  keyword: string | null;
  outcome: string | null;
  replyId: string | null;
  createdAt: number;
}

/** One part of a concatenated message, as received. */
export interface NewPart {
  fingerprint: string;
  /** Which SIM it came to (ICCID, or the line label when the SIM is unknown): parts of one message share it. */
  simKey: string;
  sender: string;
  ref: number;
  refBits: 8 | 16;
  total: number;
  sequence: number;
  text: string;
  encoding: string;
  sentAt: number;
  receivedAt: number;
  pdu: string;
  line: ReceivingLine;
}

export interface PartRow extends NewPart {
  messageId: string | null;
}

/** The key that groups the parts of one message. */
export interface PartGroup {
  simKey: string;
  sender: string;
  ref: number;
  refBits: 8 | 16;
  total: number;
}

interface RawMessage {
  seq: number;
  id: string;
  fingerprint: string | null;
  number: string | null;
  sender: string | null;
  text: string | null;
  encoding: string | null;
  sent_at: number | null;
  received_at: number;
  parts: number;
  parts_received: number;
  partial: number;
  missing_parts: string | null;
  concat_ref: number | null;
  pdu: string | null;
  decode_error: string | null;
  keyword: string | null;
  outcome: string | null;
  reply_id: string | null;
  modem: string;
  modem_imei: string | null;
  sim_iccid: string | null;
  created_at: number;
}

interface RawPart {
  fingerprint: string;
  sim_key: string;
  sender: string;
  ref: number;
  ref_bits: number;
  total: number;
  sequence: number;
  text: string;
  encoding: string;
  sent_at: number;
  received_at: number;
  pdu: string;
  modem: string;
  modem_imei: string | null;
  sim_iccid: string | null;
  message_id: string | null;
}

function fromRaw(r: RawMessage): MessageRow {
  return {
    seq: r.seq,
    id: r.id,
    fingerprint: r.fingerprint,
    number: r.number,
    sender: r.sender,
    text: r.text,
    encoding: r.encoding,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    parts: r.parts,
    partsReceived: r.parts_received,
    partial: r.partial === 1,
    missingParts: r.missing_parts === null ? null : (JSON.parse(r.missing_parts) as number[]),
    concatRef: r.concat_ref,
    pdu: r.pdu,
    decodeError: r.decode_error,
    keyword: r.keyword,
    outcome: r.outcome,
    replyId: r.reply_id,
    line: { label: r.modem, imei: r.modem_imei, iccid: r.sim_iccid },
    createdAt: r.created_at,
  };
}

function partFromRaw(r: RawPart): PartRow {
  return {
    fingerprint: r.fingerprint,
    simKey: r.sim_key,
    sender: r.sender,
    ref: r.ref,
    refBits: r.ref_bits === 16 ? 16 : 8,
    total: r.total,
    sequence: r.sequence,
    text: r.text,
    encoding: r.encoding,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    pdu: r.pdu,
    line: { label: r.modem, imei: r.modem_imei, iccid: r.sim_iccid },
    messageId: r.message_id,
  };
}

export interface ListMessagesQuery {
  limit: number;
  /** Only messages older than this one (the `seq` of the last message on the previous page). */
  beforeSeq?: number;
  /** Only messages from this number (E.164). */
  number?: string;
}

/** The `messages` and `message_parts` tables. Every value is bound, never spliced into SQL. */
export class MessageStore {
  private readonly insertMessage: Statement;
  private readonly byFingerprint: Statement;
  private readonly partByFingerprint: Statement;
  private readonly insertPart: Statement;
  private readonly waitingParts: Statement;
  private readonly markParts: Statement;
  private readonly oldGroups: Statement;
  private readonly setOutcomeStmt: Statement;
  private readonly byId: Statement;
  private readonly page: Statement;
  private readonly pageBefore: Statement;
  private readonly pageNumber: Statement;
  private readonly countSince: Statement;
  private readonly waitingCount: Statement;

  constructor(private readonly db: Db) {
    this.insertMessage = db.prepare(`
      INSERT INTO messages (id, fingerprint, number, sender, text, encoding, sent_at, received_at, parts, parts_received,
        partial, missing_parts, concat_ref, pdu, decode_error, modem, modem_imei, sim_iccid, created_at)
      VALUES (@id, @fingerprint, @number, @sender, @text, @encoding, @sentAt, @receivedAt, @parts, @partsReceived,
        @partial, @missingParts, @concatRef, @pdu, @decodeError, @modem, @modemImei, @simIccid, @createdAt)`);
    this.byFingerprint = db.prepare(`SELECT id FROM messages WHERE fingerprint = ?`);
    this.partByFingerprint = db.prepare(`SELECT fingerprint FROM message_parts WHERE fingerprint = ?`);
    this.insertPart = db.prepare(`
      INSERT INTO message_parts (fingerprint, sim_key, sender, ref, ref_bits, total, sequence, text, encoding, sent_at,
        received_at, pdu, modem, modem_imei, sim_iccid)
      VALUES (@fingerprint, @simKey, @sender, @ref, @refBits, @total, @sequence, @text, @encoding, @sentAt,
        @receivedAt, @pdu, @modem, @modemImei, @simIccid)`);
    this.waitingParts = db.prepare(`
      SELECT * FROM message_parts
      WHERE message_id IS NULL AND sim_key = ? AND sender = ? AND ref_bits = ? AND ref = ? AND total = ?
      ORDER BY sequence, received_at`);
    this.markParts = db.prepare(`UPDATE message_parts SET message_id = ? WHERE fingerprint = ? AND message_id IS NULL`);
    this.oldGroups = db.prepare(`
      SELECT sim_key, sender, ref_bits, ref, total FROM message_parts
      WHERE message_id IS NULL
      GROUP BY sim_key, sender, ref_bits, ref, total
      HAVING MIN(received_at) <= ?`);
    this.setOutcomeStmt = db.prepare(`UPDATE messages SET keyword = ?, outcome = ?, reply_id = ? WHERE id = ?`);
    this.byId = db.prepare(`SELECT * FROM messages WHERE id = ?`);
    this.page = db.prepare(`SELECT * FROM messages ORDER BY seq DESC LIMIT ?`);
    this.pageBefore = db.prepare(`SELECT * FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?`);
    this.pageNumber = db.prepare(`SELECT * FROM messages WHERE number = ? AND seq < ? ORDER BY seq DESC LIMIT ?`);
    this.countSince = db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE received_at >= ?`);
    this.waitingCount = db.prepare(`SELECT COUNT(*) AS n FROM message_parts WHERE message_id IS NULL`);
  }

  /** Whether a single PDU with this fingerprint was stored already. */
  hasFingerprint(fingerprint: string): boolean {
    return this.byFingerprint.get(fingerprint) !== undefined || this.partByFingerprint.get(fingerprint) !== undefined;
  }

  insert(m: NewMessage): MessageRow {
    const createdAt = Date.now();
    const info = this.insertMessage.run({
      id: m.id,
      fingerprint: m.fingerprint,
      number: m.number,
      sender: m.sender,
      text: m.text,
      encoding: m.encoding,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
      parts: m.parts,
      partsReceived: m.partsReceived,
      partial: m.partial ? 1 : 0,
      missingParts: m.missingParts === null ? null : JSON.stringify(m.missingParts),
      concatRef: m.concatRef,
      pdu: m.pdu,
      decodeError: m.decodeError,
      modem: m.line.label,
      modemImei: m.line.imei,
      simIccid: m.line.iccid,
      createdAt,
    });
    return { ...m, seq: Number(info.lastInsertRowid), keyword: null, outcome: null, replyId: null, createdAt };
  }

  /** What the box made of a message (keyword, outcome, the reply queued). */
  setOutcome(id: string, keyword: string | null, outcome: string | null, replyId: string | null): void {
    this.setOutcomeStmt.run(keyword, outcome, replyId, id);
  }

  /** Store a part; false when a part with this fingerprint is already there. */
  addPart(p: NewPart): boolean {
    if (this.partByFingerprint.get(p.fingerprint) !== undefined) return false;
    this.insertPart.run({
      fingerprint: p.fingerprint,
      simKey: p.simKey,
      sender: p.sender,
      ref: p.ref,
      refBits: p.refBits,
      total: p.total,
      sequence: p.sequence,
      text: p.text,
      encoding: p.encoding,
      sentAt: p.sentAt,
      receivedAt: p.receivedAt,
      pdu: p.pdu,
      modem: p.line.label,
      modemImei: p.line.imei,
      simIccid: p.line.iccid,
    });
    return true;
  }

  /** The parts of one message still waiting, by sequence (a repeated sequence appears twice). */
  partsOf(g: PartGroup): PartRow[] {
    return (this.waitingParts.all(g.simKey, g.sender, g.refBits, g.ref, g.total) as RawPart[]).map(partFromRaw);
  }

  /**
   * These waiting parts (by fingerprint) became message `messageId`. Only the parts whose text
   * went into the message are named: a part marked here is no longer waiting, so marking one
   * whose text was not used would lose it.
   */
  assembled(fingerprints: readonly string[], messageId: string): void {
    for (const f of fingerprints) this.markParts.run(messageId, f);
  }

  /** Groups whose first part came at or before `receivedBefore`. */
  expiredGroups(receivedBefore: number): PartGroup[] {
    const rows = this.oldGroups.all(receivedBefore) as { sim_key: string; sender: string; ref_bits: number; ref: number; total: number }[];
    return rows.map((r) => ({ simKey: r.sim_key, sender: r.sender, refBits: r.ref_bits === 16 ? 16 : 8, ref: r.ref, total: r.total }));
  }

  /** Parts waiting for the rest of their message. */
  waitingPartCount(): number {
    return (this.waitingCount.get() as { n: number }).n;
  }

  get(id: string): MessageRow | null {
    const r = this.byId.get(id) as RawMessage | undefined;
    return r ? fromRaw(r) : null;
  }

  /** Newest first. */
  list(query: ListMessagesQuery): MessageRow[] {
    let rows: RawMessage[];
    if (query.number !== undefined) rows = this.pageNumber.all(query.number, query.beforeSeq ?? Number.MAX_SAFE_INTEGER, query.limit) as RawMessage[];
    else if (query.beforeSeq === undefined) rows = this.page.all(query.limit) as RawMessage[];
    else rows = this.pageBefore.all(query.beforeSeq, query.limit) as RawMessage[];
    return rows.map(fromRaw);
  }

  countSinceTime(since: number): number {
    return (this.countSince.get(since) as { n: number }).n;
  }

  total(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM messages`).get() as { n: number }).n;
  }
}
