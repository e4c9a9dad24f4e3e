import type { Statement } from 'better-sqlite3';
import { callFromRow, type CallRow, type CallRowRaw } from './calls.js';
import type { Db } from './db.js';

const HOUR_MS = 3_600_000;

/** One line's numbers for its card on the status page. */
export interface LineCallStats {
  callsToday: number;
  lastCallAt: number | null;
  /** Median of the line's recent hang-up latencies (ms), or null when it has none yet. */
  medianLatencyMs: number | null;
}

/** Median of a list of numbers (the mean of the middle two for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] as number;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] as number) + hi) / 2;
}

/** The start (epoch ms) of the local hour that contains `t`. */
export function localHourStart(t: number): number {
  const d = new Date(t);
  d.setMinutes(0, 0, 0);
  return d.getTime();
}

/** Local midnight before `t` (the box's time zone: "today" as the office means it). */
export function localMidnight(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * Read-only questions about the calls table for the status page, /metrics and the CSV export.
 * Every query is bounded by an index or a LIMIT, because the page asks them every few seconds
 * on a Raspberry Pi while calls are being written: the per-line ones seek `calls_port_label`
 * (port_label, seq, migration 7), the time ones `calls_rang_at`. A test checks each plan.
 */
export class CallReport {
  private readonly hourly: Statement;
  private readonly todayByLine: Statement;
  private readonly lastByLine: Statement;
  private readonly latenciesByLine: Statement;
  private readonly totalsByLine: Statement;
  private readonly chunk: Statement;

  /** How many recent calls of a line its median hang-up latency is taken over. */
  static readonly LATENCY_WINDOW = 200;

  constructor(db: Db) {
    this.hourly = db.prepare(
      // CAST: bound JS numbers arrive as REAL, and a REAL quotient would give each call its own bucket.
      `SELECT CAST((rang_at - @from) / ${HOUR_MS} AS INTEGER) AS bucket, COUNT(*) AS n FROM calls WHERE rang_at >= @from AND rang_at < @to GROUP BY bucket`,
    );
    // INDEXED BY: with no statistics SQLite would rather walk calls_port_label (whole table, in
    // GROUP BY order) than read today's few rows by time and sort them.
    this.todayByLine = db.prepare(`SELECT port_label AS line, COUNT(*) AS n FROM calls INDEXED BY calls_rang_at WHERE rang_at >= ? GROUP BY port_label`);
    this.lastByLine = db.prepare(`SELECT rang_at AS at FROM calls WHERE port_label = ? ORDER BY seq DESC LIMIT 1`);
    this.latenciesByLine = db.prepare(
      `SELECT hangup_latency_ms AS ms FROM calls WHERE port_label = ? AND hangup_latency_ms IS NOT NULL ORDER BY seq DESC LIMIT ${CallReport.LATENCY_WINDOW}`,
    );
    this.totalsByLine = db.prepare(`SELECT port_label AS line, COUNT(*) AS n FROM calls GROUP BY port_label`);
    this.chunk = db.prepare(`SELECT * FROM calls WHERE seq > ? ORDER BY seq LIMIT ?`);
  }

  /**
   * Calls per local hour for the `hours` hours up to and including the current one, oldest
   * first; hours without calls are 0.
   */
  callsPerHour(now: number, hours = 24): { hourStart: number; calls: number }[] {
    const currentHour = localHourStart(now);
    const from = currentHour - (hours - 1) * HOUR_MS;
    const to = currentHour + HOUR_MS;
    const counts = new Map<number, number>();
    for (const r of this.hourly.all({ from, to }) as { bucket: number; n: number }[]) counts.set(r.bucket, r.n);
    return Array.from({ length: hours }, (_, i) => ({ hourStart: from + i * HOUR_MS, calls: counts.get(i) ?? 0 }));
  }

  /** Per line label: calls since `since`, the last call, the median recent hang-up latency. */
  lineStats(labels: readonly string[], since: number): Map<string, LineCallStats> {
    const today = new Map<string, number>();
    for (const r of this.todayByLine.all(since) as { line: string; n: number }[]) today.set(r.line, r.n);
    const out = new Map<string, LineCallStats>();
    for (const label of labels) {
      const last = this.lastByLine.get(label) as { at: number } | undefined;
      const latencies = (this.latenciesByLine.all(label) as { ms: number }[]).map((r) => r.ms);
      out.set(label, { callsToday: today.get(label) ?? 0, lastCallAt: last?.at ?? null, medianLatencyMs: median(latencies) });
    }
    return out;
  }

  /** Every call ever recorded, by line label (the starting values of the /metrics counter). */
  totalsByLabel(): Map<string, number> {
    return new Map((this.totalsByLine.all() as { line: string; n: number }[]).map((r) => [r.line, r.n]));
  }

  /**
   * Every call, oldest first, read in chunks. Each chunk is one short query: an open
   * better-sqlite3 iterator would keep the connection busy across awaits and make the call
   * handler's next write fail, so a long export must never hold one.
   */
  *allCalls(chunkSize = 1000): Generator<CallRow[]> {
    let after = 0;
    for (;;) {
      const rows = (this.chunk.all(after, chunkSize) as CallRowRaw[]).map(callFromRow);
      if (rows.length === 0) return;
      yield rows;
      after = (rows[rows.length - 1] as CallRow).seq;
      if (rows.length < chunkSize) return;
    }
  }
}
