import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/** Record types headquarters receives; later issues add theirs here. */
export type SyncRecordType = 'call' | 'sms' | 'message' | 'volunteer' | 'optout';

/**
 * Appends records for headquarters. Call `append` inside the transaction that stores the
 * fact itself, so the two cannot disagree after a crash.
 */
export class SyncLog {
  private readonly insert: Statement;

  constructor(db: Db) {
    this.insert = db.prepare(`INSERT INTO sync_log (id, type, payload, created_at) VALUES (?, ?, ?, ?)`);
  }

  /**
   * @param id globally unique record id (HQ ignores a second copy of an id)
   * @param payload plain JSON data; its keys are written in sorted order so the bytes are stable
   */
  append(id: string, type: SyncRecordType, payload: Record<string, unknown>): number {
    const info = this.insert.run(id, type, stableJson({ ...payload, id, type }), Date.now());
    return Number(info.lastInsertRowid);
  }
}

/** JSON with object keys sorted at every level: equal data, equal bytes. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return v;
  });
}
