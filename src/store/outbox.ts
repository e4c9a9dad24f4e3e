import type { Statement } from 'better-sqlite3';
import type { SmsKind } from '../sms/types.js';
import type { Db } from './db.js';

/** Where a message is in its journey (docs/SMS.md). */
export type SmsStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';
/** Every message status, in the order a message moves through them. */
export const SMS_STATUSES: readonly SmsStatus[] = ['queued', 'sending', 'sent', 'delivered', 'failed'];

/** Where one part is. `sent` means the modem answered `+CMGS`: it is never sent again. */
export type SmsPartStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'failed';

/** A message to insert (the outbox fills it in from a `QueueSmsRequest`). */
export interface NewSms {
  id: string;
  kind: SmsKind;
  /** E.164. */
  to: string;
  text: string;
  encoding: 'gsm7' | 'ucs2';
  /** The text of each part, in order, as the codec split it. */
  parts: string[];
  concatRef: number;
  callId: string | null;
  messageId: string | null;
  templateId: string | null;
  preferModem: string | null;
  ignoreOptOut: boolean;
  queuedAt: number;
}

/** One message as stored. Times are epoch milliseconds. */
export interface SmsRow {
  seq: number;
  id: string;
  kind: SmsKind;
  to: string;
  text: string;
  encoding: 'gsm7' | 'ucs2';
  parts: number;
  concatRef: number;
  status: SmsStatus;
  attempts: number;
  lastError: string | null;
  callId: string | null;
  messageId: string | null;
  templateId: string | null;
  preferModem: string | null;
  ignoreOptOut: boolean;
  /** The SIM the first part left from; the rest must follow from it. */
  simIccid: string | null;
  /** Label of the modem that sent it (or last tried). */
  modem: string | null;
  queuedAt: number;
  nextAttemptAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  failedAt: number | null;
  updatedAt: number;
}

/** One SMS part as stored. */
export interface SmsPartRow {
  smsId: string;
  part: number;
  text: string;
  status: SmsPartStatus;
  attempts: number;
  modem: string | null;
  simIccid: string | null;
  messageReference: number | null;
  lastError: string | null;
  startedAt: number | null;
  sentAt: number | null;
  reportStatus: number | null;
  reportedAt: number | null;
}

interface RawSms {
  seq: number;
  id: string;
  kind: string;
  recipient: string;
  text: string;
  encoding: string;
  parts: number;
  concat_ref: number;
  status: string;
  attempts: number;
  last_error: string | null;
  call_id: string | null;
  message_id: string | null;
  template_id: string | null;
  prefer_modem: string | null;
  ignore_opt_out: number;
  sim_iccid: string | null;
  modem: string | null;
  queued_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  failed_at: number | null;
  updated_at: number;
}

interface RawPart {
  sms_id: string;
  part: number;
  text: string;
  status: string;
  attempts: number;
  modem: string | null;
  sim_iccid: string | null;
  message_reference: number | null;
  last_error: string | null;
  started_at: number | null;
  sent_at: number | null;
  report_status: number | null;
  reported_at: number | null;
}

function smsFromRaw(r: RawSms): SmsRow {
  return {
    seq: r.seq,
    id: r.id,
    kind: r.kind as SmsKind,
    to: r.recipient,
    text: r.text,
    encoding: r.encoding === 'gsm7' ? 'gsm7' : 'ucs2',
    parts: r.parts,
    concatRef: r.concat_ref,
    status: r.status as SmsStatus,
    attempts: r.attempts,
    lastError: r.last_error,
    callId: r.call_id,
    messageId: r.message_id,
    templateId: r.template_id,
    preferModem: r.prefer_modem,
    ignoreOptOut: r.ignore_opt_out === 1,
    simIccid: r.sim_iccid,
    modem: r.modem,
    queuedAt: r.queued_at,
    nextAttemptAt: r.next_attempt_at,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    failedAt: r.failed_at,
    updatedAt: r.updated_at,
  };
}

function partFromRaw(r: RawPart): SmsPartRow {
  return {
    smsId: r.sms_id,
    part: r.part,
    text: r.text,
    status: r.status as SmsPartStatus,
    attempts: r.attempts,
    modem: r.modem,
    simIccid: r.sim_iccid,
    messageReference: r.message_reference,
    lastError: r.last_error,
    startedAt: r.started_at,
    sentAt: r.sent_at,
    reportStatus: r.report_status,
    reportedAt: r.reported_at,
  };
}

/** A page of messages, newest first, optionally of one status. */
export interface ListSmsQuery {
  limit: number;
  status?: SmsStatus;
}

/**
 * The SMS tables as plain reads and writes. Each method is one statement or a few that the
 * caller (src/sms/outbox.ts) wraps in a transaction together with the sync-log record; the
 * meaning of the states lives there and in docs/SMS.md. Every value is bound, never spliced.
 */
export class OutboxStore {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db) {
    const p = (sql: string): Statement => db.prepare(sql);
    this.s = {
      insert: p(`
        INSERT INTO sms_outbox (id, kind, recipient, text, encoding, parts, concat_ref, status, call_id, message_id,
          template_id, prefer_modem, ignore_opt_out, queued_at, next_attempt_at, updated_at)
        VALUES (@id, @kind, @to, @text, @encoding, @partCount, @concatRef, 'queued', @callId, @messageId,
          @templateId, @preferModem, @ignoreOptOut, @queuedAt, @queuedAt, @queuedAt)`),
      insertPart: p(`INSERT INTO sms_parts (sms_id, part, text, status) VALUES (?, ?, ?, 'pending')`),
      get: p(`SELECT * FROM sms_outbox WHERE id = ?`),
      parts: p(`SELECT * FROM sms_parts WHERE sms_id = ? ORDER BY part`),
      due: p(`SELECT * FROM sms_outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY seq LIMIT ?`),
      dueFor: p(`
        SELECT * FROM sms_outbox
        WHERE status = 'queued' AND next_attempt_at <= @now AND seq > @after
          AND ((sim_iccid IS NULL AND parts <= @maxParts) OR sim_iccid IN (SELECT value FROM json_each(@sims)))
        ORDER BY seq LIMIT @limit`),
      tooLong: p(`SELECT * FROM sms_outbox WHERE status = 'queued' AND sim_iccid IS NULL AND parts > ? ORDER BY seq LIMIT ?`),
      pinnedIdle: p(`SELECT * FROM sms_outbox WHERE status = 'queued' AND sim_iccid IS NOT NULL AND updated_at < ? ORDER BY seq LIMIT ?`),
      waiting: p(`SELECT * FROM sms_outbox WHERE status = 'queued' ORDER BY seq LIMIT ?`),
      claim: p(`UPDATE sms_outbox SET status = 'sending', modem = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'queued'`),
      partSending: p(`
        UPDATE sms_parts SET status = 'sending', attempts = attempts + 1, modem = ?, sim_iccid = ?, started_at = ?, last_error = NULL
        WHERE sms_id = ? AND part = ? AND status = 'pending'`),
      // Any part not yet recorded as sent: an accepted part is recorded whatever happened to its
      // message meanwhile (a failed status report for an earlier part fails the ones in flight).
      partSent: p(`
        UPDATE sms_parts SET status = 'sent', message_reference = ?, sent_at = ?, modem = ?, sim_iccid = ?
        WHERE sms_id = ? AND part = ? AND status IN ('pending', 'sending', 'failed')`),
      partBack: p(`UPDATE sms_parts SET status = 'pending', last_error = ? WHERE sms_id = ? AND part = ? AND status = 'sending'`),
      partsFailUnsent: p(`UPDATE sms_parts SET status = 'failed', last_error = COALESCE(last_error, ?) WHERE sms_id = ? AND status IN ('pending', 'sending')`),
      pin: p(`UPDATE sms_outbox SET sim_iccid = ?, updated_at = ? WHERE id = ? AND sim_iccid IS NULL`),
      markSent: p(`UPDATE sms_outbox SET status = 'sent', sent_at = ?, last_error = NULL, updated_at = ? WHERE id = ? AND status = 'sending'`),
      requeue: p(`
        UPDATE sms_outbox SET status = 'queued', next_attempt_at = ?, last_error = ?, attempts = MAX(0, attempts - ?), updated_at = ?
        WHERE id = ? AND status = 'sending'`),
      fail: p(`UPDATE sms_outbox SET status = 'failed', failed_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'sending', 'sent')`),
      deliver: p(`UPDATE sms_outbox SET status = 'delivered', delivered_at = ?, updated_at = ? WHERE id = ? AND status = 'sent'`),
      count: p(`INSERT INTO sms_daily (sim_iccid, day, sent) VALUES (?, ?, 1) ON CONFLICT (sim_iccid, day) DO UPDATE SET sent = sent + 1`),
      daily: p(`SELECT sent FROM sms_daily WHERE sim_iccid = ? AND day = ?`),
      recoverParts: p(`UPDATE sms_parts SET status = 'pending', last_error = ? WHERE status = 'sending'`),
      recoverMessages: p(`UPDATE sms_outbox SET status = 'queued', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE status = 'sending'`),
      reportCandidates: p(`
        SELECT p.*, o.recipient AS recipient FROM sms_parts p JOIN sms_outbox o ON o.id = p.sms_id
        WHERE p.sim_iccid = ? AND p.message_reference = ? AND p.sent_at >= ? ORDER BY p.sent_at DESC LIMIT 20`),
      partReport: p(`UPDATE sms_parts SET status = ?, report_status = ?, reported_at = ? WHERE sms_id = ? AND part = ?`),
      partReportPending: p(`UPDATE sms_parts SET report_status = ?, reported_at = ? WHERE sms_id = ? AND part = ?`),
      recentReply: p(`
        SELECT 1 FROM sms_outbox WHERE recipient = ? AND kind = 'reply' AND queued_at >= ? AND status != 'failed' LIMIT 1`),
      counts: p(`SELECT status, COUNT(*) AS n FROM sms_outbox GROUP BY status`),
      list: p(`SELECT * FROM sms_outbox ORDER BY seq DESC LIMIT ?`),
      listStatus: p(`SELECT * FROM sms_outbox WHERE status = ? ORDER BY seq DESC LIMIT ?`),
      oldestWaiting: p(`SELECT MIN(queued_at) AS t FROM sms_outbox WHERE status IN ('queued', 'sending')`),
      sentSince: p(`SELECT COUNT(*) AS n FROM sms_outbox WHERE sent_at >= ?`),
      failedSince: p(`SELECT COUNT(*) AS n FROM sms_outbox WHERE status = 'failed' AND failed_at >= ?`),
      seqOf: p(`SELECT seq FROM sms_outbox WHERE id = ?`),
      page: p(`SELECT * FROM sms_outbox WHERE seq < ? ORDER BY seq DESC LIMIT ?`),
      pageStatus: p(`SELECT * FROM sms_outbox WHERE status = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
    };
  }

  private st(name: string): Statement {
    const statement = this.s[name];
    if (!statement) throw new Error(`no statement ${name}`);
    return statement;
  }

  insert(sms: NewSms): void {
    this.st('insert').run({
      ...sms,
      partCount: sms.parts.length,
      ignoreOptOut: sms.ignoreOptOut ? 1 : 0,
    });
    sms.parts.forEach((text, i) => this.st('insertPart').run(sms.id, i + 1, text));
  }

  get(id: string): SmsRow | null {
    const r = this.st('get').get(id) as RawSms | undefined;
    return r ? smsFromRaw(r) : null;
  }

  parts(id: string): SmsPartRow[] {
    return (this.st('parts').all(id) as RawPart[]).map(partFromRaw);
  }

  /** Queued messages whose time has come, oldest first. */
  due(now: number, limit: number): SmsRow[] {
    return (this.st('due').all(now, limit) as RawSms[]).map(smsFromRaw);
  }

  /**
   * Due messages (oldest first, after queue position `after`) that one of the lines free now
   * can take: not yet started and at most `maxParts` parts (the most any free line may still
   * send today), or started on one of `sims`. Messages nobody can send now are left out, so
   * however many there are they never hide the ones behind them.
   */
  dueFor(now: number, q: { after: number; maxParts: number; sims: readonly string[]; limit: number }): SmsRow[] {
    const rows = this.st('dueFor').all({ now, after: q.after, maxParts: q.maxParts, sims: JSON.stringify(q.sims), limit: q.limit }) as RawSms[];
    return rows.map(smsFromRaw);
  }

  /** Queued messages not yet started with more than `parts` parts, oldest first. */
  longerThan(parts: number, limit: number): SmsRow[] {
    return (this.st('tooLong').all(parts, limit) as RawSms[]).map(smsFromRaw);
  }

  /** Queued messages pinned to a SIM and untouched since `before`, oldest first. */
  pinnedUntouchedSince(before: number, limit: number): SmsRow[] {
    return (this.st('pinnedIdle').all(before, limit) as RawSms[]).map(smsFromRaw);
  }

  /** Queued messages whether due or not, oldest first. */
  waiting(limit: number): SmsRow[] {
    return (this.st('waiting').all(limit) as RawSms[]).map(smsFromRaw);
  }

  /** queued → sending; false when someone else took it first. Counts an attempt. */
  claim(id: string, modem: string, now: number): boolean {
    return this.st('claim').run(modem, now, id).changes === 1;
  }

  partSending(id: string, part: number, modem: string, iccid: string, now: number): boolean {
    return this.st('partSending').run(modem, iccid, now, id, part).changes === 1;
  }

  partSent(id: string, part: number, reference: number | null, modem: string, iccid: string, now: number): boolean {
    return this.st('partSent').run(reference, now, modem, iccid, id, part).changes === 1;
  }

  /** A part that did not go out returns to pending. */
  partBack(id: string, part: number, error: string): void {
    this.st('partBack').run(error, id, part);
  }

  pin(id: string, iccid: string, now: number): void {
    this.st('pin').run(iccid, now, id);
  }

  markSent(id: string, now: number): boolean {
    return this.st('markSent').run(now, now, id).changes === 1;
  }

  /** sending → queued. `refund` takes back the attempt the claim counted (nothing was tried). */
  requeue(id: string, nextAttemptAt: number, error: string | null, now: number, refund = false): boolean {
    return this.st('requeue').run(nextAttemptAt, error, refund ? 1 : 0, now, id).changes === 1;
  }

  fail(id: string, error: string, now: number): boolean {
    const changed = this.st('fail').run(now, error, now, id).changes === 1;
    if (changed) this.st('partsFailUnsent').run(error, id);
    return changed;
  }

  markDelivered(id: string, now: number): boolean {
    return this.st('deliver').run(now, now, id).changes === 1;
  }

  countSent(iccid: string, day: string): void {
    this.st('count').run(iccid, day);
  }

  sentOn(iccid: string, day: string): number {
    return (this.st('daily').get(iccid, day) as { sent: number } | undefined)?.sent ?? 0;
  }

  /** After a crash: parts and messages left in `sending` go back to pending / queued. */
  recoverInterrupted(now: number, partNote: string, messageNote: string): { parts: number; messages: number } {
    const parts = this.st('recoverParts').run(partNote).changes;
    const messages = this.st('recoverMessages').run(now, messageNote, now).changes;
    return { parts, messages };
  }

  /** Sent parts from this SIM with this TP-MR since `since`, newest first, with their recipient. */
  reportCandidates(iccid: string, reference: number, since: number): (SmsPartRow & { to: string })[] {
    return (this.st('reportCandidates').all(iccid, reference, since) as (RawPart & { recipient: string })[]).map((r) => ({
      ...partFromRaw(r),
      to: r.recipient,
    }));
  }

  partReport(id: string, part: number, status: 'delivered' | 'failed' | null, reportStatus: number, now: number): void {
    if (status === null) this.st('partReportPending').run(reportStatus, now, id, part);
    else this.st('partReport').run(status, reportStatus, now, id, part);
  }

  /** True when a reply to this number was queued since `since` and has not failed. */
  repliedSince(number: string, since: number): boolean {
    return this.st('recentReply').get(number, since) !== undefined;
  }

  counts(): Record<SmsStatus, number> {
    const out: Record<SmsStatus, number> = { queued: 0, sending: 0, sent: 0, delivered: 0, failed: 0 };
    for (const r of this.st('counts').all() as { status: SmsStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /** Newest first. */
  list(query: ListSmsQuery): SmsRow[] {
    const rows = (query.status === undefined ? this.st('list').all(query.limit) : this.st('listStatus').all(query.status, query.limit)) as RawSms[];
    return rows.map(smsFromRaw);
  }

  /** Messages accepted by the network since `since` (delivered ones included). */
  sentSince(since: number): number {
    return (this.st('sentSince').get(since) as { n: number }).n;
  }

  /** Messages given up on since `since`. */
  failedSince(since: number): number {
    return (this.st('failedSince').get(since) as { n: number }).n;
  }

  /** A page older than the message `before` (an id), newest first; null when `before` is unknown. */
  listBefore(before: string, query: ListSmsQuery): SmsRow[] | null {
    const ref = this.st('seqOf').get(before) as { seq: number } | undefined;
    if (!ref) return null;
    const rows = (
      query.status === undefined ? this.st('page').all(ref.seq, query.limit) : this.st('pageStatus').all(query.status, ref.seq, query.limit)
    ) as RawSms[];
    return rows.map(smsFromRaw);
  }

  /** When the oldest message still waiting to go out was queued. */
  oldestWaiting(): number | null {
    return (this.st('oldestWaiting').get() as { t: number | null }).t;
  }

  /** Run `fn` in one transaction (a savepoint when nested). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
