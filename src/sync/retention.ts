/**
 * Keeping the SD card from filling up, without ever losing a record HQ has not acknowledged:
 * - `pruneSynced` deletes `sync_log` rows HQ acknowledged more than `days` ago. Only rows with
 *   `synced_at` set qualify; unsent, in-flight and rejected rows are never touched. Age counts
 *   from the ack (`synced_at`), not from `created_at`: a Pi that booted with its clock in 1970
 *   writes old-looking `created_at` values, but by the time HQ acks, the box is online and its
 *   clock has been set.
 * - `DiskGuard` reads the free space of the database's file system (statfs). Below the
 *   threshold the box warns on /api/status and keeps recording: a call on disk is worth more
 *   than the space it takes, and deleting unsynced data is never the answer.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

import type { Db } from '../store/db.js';

/** Deletes in chunks so no single transaction holds the write lock long (calls keep coming). */
const CHUNK = 5000;

export interface PruneResult {
  records: number;
  batches: number;
}

/**
 * Prunes acknowledged rows older than `days` (by `synced_at`), in chunks, yielding to the
 * event loop between chunks so the hang-up path is never kept waiting.
 */
export async function pruneSynced(db: Db, days: number, now = Date.now()): Promise<PruneResult> {
  const cutoff = now - days * 86_400_000;
  // Rows are acknowledged roughly in seq order, so walking by seq finds the old ones first.
  const rows = db.prepare(
    `DELETE FROM sync_log WHERE seq IN (
       SELECT seq FROM sync_log WHERE synced_at IS NOT NULL AND synced_at < ? AND rejected IS NULL ORDER BY seq LIMIT ?)`,
  );
  // The newest batch row stays whatever its age: the backlog count starts from its seq_to.
  const batches = db.prepare(
    `DELETE FROM sync_batches WHERE acked_at IS NOT NULL AND acked_at < ? AND seq_to < (SELECT MAX(seq_to) FROM sync_batches)`,
  );
  let records = 0;
  for (;;) {
    const n = rows.run(cutoff, CHUNK).changes;
    records += n;
    if (n < CHUNK) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { records, batches: batches.run(cutoff).changes };
}

export interface DiskStatus {
  /** The folder checked (the database's). */
  path: string;
  /** Bytes available to the box's user, or null when statfs failed. */
  freeBytes: number | null;
  thresholdBytes: number;
  /** True when free space is below the threshold. */
  low: boolean;
  checkedAt: number;
  error: string | null;
}

/** Free space of the database's file system, checked at most every `everyMs`. */
export class DiskGuard {
  private last: DiskStatus | null = null;

  constructor(
    private readonly databaseFile: string,
    private readonly thresholdBytes: number,
    private readonly everyMs = 30_000,
    private readonly statfs: (path: string) => { bavail: number; bsize: number } = statfsSync,
  ) {}

  /** The cached reading, refreshed when older than `everyMs` (or when `force`). */
  check(force = false): DiskStatus {
    const now = Date.now();
    if (!force && this.last && now - this.last.checkedAt < this.everyMs) return this.last;
    const path = dirname(this.databaseFile);
    try {
      const s = this.statfs(path);
      const freeBytes = s.bavail * s.bsize;
      this.last = { path, freeBytes, thresholdBytes: this.thresholdBytes, low: freeBytes < this.thresholdBytes, checkedAt: now, error: null };
    } catch (err) {
      this.last = { path, freeBytes: null, thresholdBytes: this.thresholdBytes, low: false, checkedAt: now, error: (err as Error).message };
    }
    return this.last;
  }
}
