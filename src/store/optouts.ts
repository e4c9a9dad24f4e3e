import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { OptOutRegistry } from '../sms/types.js';
import type { Db } from './db.js';
import type { SyncLog } from './sync-log.js';

/** One number's opt-out state as stored. */
export interface OptOutRow {
  number: string;
  optedOut: boolean;
  changedAt: number;
  source: string | null;
}

/**
 * The `optouts` table: numbers (E.164) that said STOP. Every change is appended to the sync
 * log in the same transaction (record type `optout`), so headquarters hears of it and can
 * spread it to the other boxes. Callers pass numbers already normalised; this class does not
 * guess at formats, because a STOP stored under the wrong spelling would not be found.
 */
export class OptOutStore implements OptOutRegistry {
  private readonly lookup: Statement;
  private readonly upsert: Statement;
  private readonly countOut: Statement;
  private readonly changeTx: (number: string, optedOut: boolean, at: number, source: string) => boolean;

  constructor(db: Db, syncLog: SyncLog) {
    this.lookup = db.prepare(`SELECT number, opted_out, changed_at, source FROM optouts WHERE number = ?`);
    this.upsert = db.prepare(`
      INSERT INTO optouts (number, opted_out, changed_at, source) VALUES (?, ?, ?, ?)
      ON CONFLICT (number) DO UPDATE SET opted_out = excluded.opted_out, changed_at = excluded.changed_at, source = excluded.source`);
    this.countOut = db.prepare(`SELECT COUNT(*) AS n FROM optouts WHERE opted_out = 1`);
    // Nested in a caller's transaction (the inbox recording the STOP message) this is a savepoint.
    this.changeTx = db.transaction((number: string, optedOut: boolean, at: number, source: string) => {
      const current = this.get(number);
      if ((current?.optedOut ?? false) === optedOut) return false;
      this.upsert.run(number, optedOut ? 1 : 0, at, source);
      syncLog.append(randomUUID(), 'optout', { number, optedOut, at, source });
      return true;
    });
  }

  isOptedOut(number: string): boolean {
    return this.get(number)?.optedOut ?? false;
  }

  /** Returns false when the number was already opted out (nothing is written then). */
  optOut(number: string, at: number, source: string): boolean {
    return this.changeTx(number, true, at, source);
  }

  /** Returns false when the number was not opted out (nothing is written then). */
  optIn(number: string, at: number, source: string): boolean {
    return this.changeTx(number, false, at, source);
  }

  get(number: string): OptOutRow | null {
    const r = this.lookup.get(number) as { number: string; opted_out: number; changed_at: number; source: string | null } | undefined;
    return r ? { number: r.number, optedOut: r.opted_out === 1, changedAt: r.changed_at, source: r.source } : null;
  }

  /** How many numbers are opted out now. */
  count(): number {
    return (this.countOut.get() as { n: number }).n;
  }
}
