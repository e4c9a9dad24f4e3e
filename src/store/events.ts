import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/** An event row (see migration 005). `params` holds only what the message needs, never a whole phone number. */
export interface StoredEvent {
  seq: number;
  at: number;
  lastAt: number;
  count: number;
  level: string;
  source: string;
  kind: string;
  params: Record<string, string | number | null>;
}

/** An event to write: `seq` null for a new row, else the row whose count and time to update. */
export type EventWrite = Omit<StoredEvent, 'seq'> & { seq: number | null };

interface RawEvent {
  seq: number;
  at: number;
  last_at: number;
  count: number;
  level: string;
  source: string;
  kind: string;
  params: string;
}

function parseParams(text: string): Record<string, string | number | null> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, string | number | null>;
  } catch {
    // A row written by a newer or broken version: show the event without its details.
  }
  return {};
}

/** The `events` table: the status page's event log on disk, newest rows kept. */
export class EventStore {
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly newest: Statement;
  private readonly prune: Statement;
  private readonly saveTx: (writes: EventWrite[]) => number[];

  /** @param keep how many rows survive pruning */
  constructor(
    db: Db,
    private readonly keep = 2000,
  ) {
    this.insert = db.prepare(
      `INSERT INTO events (at, last_at, count, level, source, kind, params) VALUES (@at, @lastAt, @count, @level, @source, @kind, @params)`,
    );
    this.update = db.prepare(`UPDATE events SET last_at = @lastAt, count = @count WHERE seq = @seq`);
    this.newest = db.prepare(`SELECT * FROM events ORDER BY seq DESC LIMIT ?`);
    this.prune = db.prepare(`DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?`);
    this.saveTx = db.transaction((writes: EventWrite[]) => {
      const seqs = writes.map((w) => {
        if (w.seq !== null) {
          this.update.run({ seq: w.seq, lastAt: w.lastAt, count: w.count });
          return w.seq;
        }
        return Number(this.insert.run({ ...w, params: JSON.stringify(w.params) }).lastInsertRowid);
      });
      this.prune.run(this.keep);
      return seqs;
    });
  }

  /** Newest first. */
  recent(limit: number): StoredEvent[] {
    return (this.newest.all(limit) as RawEvent[]).map((r) => ({
      seq: r.seq,
      at: r.at,
      lastAt: r.last_at,
      count: r.count,
      level: r.level,
      source: r.source,
      kind: r.kind,
      params: parseParams(r.params),
    }));
  }

  /** Insert or update rows in one transaction; returns each row's seq, in order. */
  save(writes: EventWrite[]): number[] {
    return writes.length === 0 ? [] : this.saveTx(writes);
  }
}
