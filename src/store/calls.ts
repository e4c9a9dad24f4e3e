import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export interface NewCall {
  /** E.164, or null when withheld or unparsable. */
  number: string | null;
  /** As the modem printed it; null when the modem gave none. */
  numberRaw: string | null;
  numberValid: boolean;
  withheld: boolean;
  numberSource: string;
  modemImei: string | null;
  simIccid: string | null;
  port: string;
  portLabel: string;
  campaign: string | null;
  rangAt: number;
  hangupAt: number | null;
  hangupLatencyMs: number | null;
  callerGaveUp: boolean;
}

export interface CallRow extends NewCall {
  seq: number;
  id: string;
  /** Earlier calls from the same number (0 for a first call or a withheld caller). */
  repeat: number;
  createdAt: number;
}

/** A `calls` row as SQLite returns it. */
export interface CallRowRaw {
  seq: number;
  id: string;
  number: string | null;
  number_raw: string | null;
  number_valid: number;
  withheld: number;
  number_source: string;
  modem_imei: string | null;
  sim_iccid: string | null;
  port: string;
  port_label: string;
  campaign: string | null;
  rang_at: number;
  hangup_at: number | null;
  hangup_latency_ms: number | null;
  caller_gave_up: number;
  repeat: number;
  created_at: number;
}

/** A `calls` row as the rest of the box sees it (for other readers of the table). */
export function callFromRow(r: CallRowRaw): CallRow {
  return {
    seq: r.seq,
    id: r.id,
    number: r.number,
    numberRaw: r.number_raw,
    numberValid: r.number_valid === 1,
    withheld: r.withheld === 1,
    numberSource: r.number_source,
    modemImei: r.modem_imei,
    simIccid: r.sim_iccid,
    port: r.port,
    portLabel: r.port_label,
    campaign: r.campaign,
    rangAt: r.rang_at,
    hangupAt: r.hangup_at,
    hangupLatencyMs: r.hangup_latency_ms,
    callerGaveUp: r.caller_gave_up === 1,
    repeat: r.repeat,
    createdAt: r.created_at,
  };
}

export interface ListCallsQuery {
  limit: number;
  /** Only calls older than this one (a cursor: the `seq` of the last call on the previous page). */
  beforeSeq?: number;
}

/** The `calls` and `callers` tables. Every value is bound, never spliced into SQL. */
export class CallStore {
  private readonly insertCall: Statement;
  private readonly upsertCaller: Statement;
  private readonly updateHangup: Statement;
  private readonly byId: Statement;
  private readonly page: Statement;
  private readonly pageBefore: Statement;
  private readonly countSince: Statement;
  private readonly recordTx: (call: NewCall) => CallRow;

  constructor(private readonly db: Db) {
    this.insertCall = db.prepare(`
      INSERT INTO calls (id, number, number_raw, number_valid, withheld, number_source, modem_imei, sim_iccid,
        port, port_label, campaign, rang_at, hangup_at, hangup_latency_ms, caller_gave_up, repeat, created_at)
      VALUES (@id, @number, @numberRaw, @numberValid, @withheld, @numberSource, @modemImei, @simIccid,
        @port, @portLabel, @campaign, @rangAt, @hangupAt, @hangupLatencyMs, @callerGaveUp, @repeat, @createdAt)`);
    this.upsertCaller = db.prepare(`
      INSERT INTO callers (number, first_call_at, last_call_at, calls) VALUES (?, ?, ?, 1)
      ON CONFLICT (number) DO UPDATE SET last_call_at = excluded.last_call_at, calls = calls + 1
      RETURNING calls`);
    this.updateHangup = db.prepare(`UPDATE calls SET hangup_at = ?, hangup_latency_ms = ? WHERE id = ?`);
    this.byId = db.prepare(`SELECT * FROM calls WHERE id = ?`);
    this.page = db.prepare(`SELECT * FROM calls ORDER BY seq DESC LIMIT ?`);
    this.pageBefore = db.prepare(`SELECT * FROM calls WHERE seq < ? ORDER BY seq DESC LIMIT ?`);
    this.countSince = db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT number) AS u FROM calls WHERE rang_at >= ?`);
    this.recordTx = db.transaction((call: NewCall) => this.recordUnsafe(call));
  }

  /**
   * Record one call (and count it against its caller) in one transaction. Nested inside an
   * outer transaction it becomes a savepoint, so the reply can be queued atomically with it.
   */
  record(call: NewCall): CallRow {
    return this.recordTx(call);
  }

  private recordUnsafe(call: NewCall): CallRow {
    let repeat = 0;
    if (call.number !== null) {
      const row = this.upsertCaller.get(call.number, call.rangAt, call.rangAt) as { calls: number };
      repeat = row.calls - 1;
    }
    const id = randomUUID();
    const createdAt = Date.now();
    const info = this.insertCall.run({
      ...call,
      id,
      numberValid: call.numberValid ? 1 : 0,
      withheld: call.withheld ? 1 : 0,
      callerGaveUp: call.callerGaveUp ? 1 : 0,
      repeat,
      createdAt,
    });
    return { ...call, seq: Number(info.lastInsertRowid), id, repeat, createdAt };
  }

  /** The hang-up left after the row was written (the modem was busy with another command). */
  setHangup(id: string, hangupAt: number, latencyMs: number): void {
    this.updateHangup.run(hangupAt, latencyMs, id);
  }

  get(id: string): CallRow | null {
    const r = this.byId.get(id) as CallRowRaw | undefined;
    return r ? callFromRow(r) : null;
  }

  /** Newest first. */
  list(query: ListCallsQuery): CallRow[] {
    const rows = (query.beforeSeq === undefined ? this.page.all(query.limit) : this.pageBefore.all(query.beforeSeq, query.limit)) as CallRowRaw[];
    return rows.map(callFromRow);
  }

  /** Calls and distinct callers since a wall-clock time. */
  countSinceTime(since: number): { calls: number; uniqueCallers: number } {
    const r = this.countSince.get(since) as { n: number; u: number };
    return { calls: r.n, uniqueCallers: r.u };
  }

  total(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM calls`).get() as { n: number }).n;
  }
}
