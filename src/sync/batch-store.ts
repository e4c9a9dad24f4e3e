/**
 * The box's side of sync in SQLite: which `sync_log` rows are waiting, which batches are out
 * and their exact bytes, what HQ acknowledged. The database is the only buffer: nothing here
 * keeps more than one batch's rows in memory, and every state change is one transaction.
 */
import type { Statement } from 'better-sqlite3';

import type { Db } from '../store/db.js';
import type { LogRow } from './codec.js';
import type { AckMessage } from './protocol.js';

/** A batch cut from the log whose ack has not come yet. */
export interface OpenBatch {
  id: string;
  seqFrom: number;
  seqTo: number;
  records: number;
  /** The exact bytes to publish (and re-publish). */
  payload: Buffer;
  /** Uncompressed JSON size, for the wire statistics. */
  jsonBytes: number;
  compressed: boolean;
  createdAt: number;
  sends: number;
}

/** Counts for /api/status. */
export interface BacklogCounts {
  /** Records HQ has not acknowledged (neither synced nor rejected). */
  backlog: number;
  /** Records not yet cut into a batch. */
  unbatched: number;
  /** Batches cut and not yet acknowledged. */
  openBatches: number;
  /** Records HQ rejected (kept on the box, flagged; never pruned). */
  rejected: number;
  /** `created_at` of the oldest unacknowledged record (wall clock, may be wrong on a Pi). */
  oldestCreatedAt: number | null;
}

/** What applying an `ok` ack did. */
export type AckOutcome =
  | { kind: 'applied'; synced: number; rejected: number }
  /** The batch is not open (already acknowledged, or not this box's): nothing changed. */
  | { kind: 'stale' }
  /**
   * The ack does not account for the batch (inserted + duplicates + rejected is not its record
   * count, or it rejects ids that are not in it): nothing changed and the batch stays open.
   */
  | { kind: 'mismatch'; problem: string };

interface RawBatch {
  id: string;
  seq_from: number;
  seq_to: number;
  records: number;
  payload: Buffer | null;
  json_bytes: number;
  compressed: number;
  created_at: number;
  sends: number;
}

export class BatchStore {
  private readonly oldest: Statement;
  private readonly countUpTo: Statement;
  private readonly readFrom: Statement;
  private readonly insertBatch: Statement;
  private readonly claimRows: Statement;
  private readonly open: Statement;
  private readonly openById: Statement;
  private readonly sent: Statement;
  private readonly markRejected: Statement;
  private readonly markSynced: Statement;
  private readonly closeBatch: Statement;
  private readonly lastSeq: Statement;
  private readonly lastBatched: Statement;
  private readonly countOpen: Statement;
  private readonly countRejected: Statement;
  private readonly oldestUnsynced: Statement;
  private readonly flagLocal: Statement;
  private readonly markDead: Statement;

  constructor(private readonly db: Db) {
    // Every query below walks an index: the primary key (seq), sync_log_unbatched or
    // sync_log_unsynced (partial indexes), or sync_batches_open.
    this.oldest = db.prepare(`SELECT seq, created_at AS createdAt FROM sync_log WHERE batch_id IS NULL ORDER BY seq LIMIT 1`);
    this.countUpTo = db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM sync_log WHERE batch_id IS NULL ORDER BY seq LIMIT ?)`);
    this.readFrom = db.prepare(`SELECT seq, payload FROM sync_log WHERE batch_id IS NULL AND seq > ? ORDER BY seq LIMIT ?`);
    this.insertBatch = db.prepare(`
      INSERT INTO sync_batches (id, seq_from, seq_to, records, bytes, json_bytes, compressed, payload, created_at, sends, last_sent_at)
      VALUES (@id, @seqFrom, @seqTo, @records, @bytes, @jsonBytes, @compressed, @payload, @createdAt, 1, @createdAt)`);
    this.claimRows = db.prepare(`UPDATE sync_log SET batch_id = ? WHERE seq BETWEEN ? AND ? AND batch_id IS NULL`);
    this.open = db.prepare(`SELECT * FROM sync_batches WHERE acked_at IS NULL ORDER BY seq_from`);
    this.openById = db.prepare(`SELECT * FROM sync_batches WHERE id = ? AND acked_at IS NULL`);
    this.sent = db.prepare(`UPDATE sync_batches SET sends = sends + 1, last_sent_at = ? WHERE id = ?`);
    this.markRejected = db.prepare(`UPDATE sync_log SET rejected = ? WHERE id = ? AND batch_id = ? AND synced_at IS NULL`);
    this.markSynced = db.prepare(
      `UPDATE sync_log SET synced_at = ? WHERE seq BETWEEN ? AND ? AND batch_id = ? AND synced_at IS NULL AND rejected IS NULL`,
    );
    this.closeBatch = db.prepare(
      `UPDATE sync_batches SET acked_at = ?, payload = NULL, inserted = ?, duplicates = ?, rejected = ? WHERE id = ?`,
    );
    // O(log n) whatever the backlog (a COUNT over a million-row backlog would block the event
    // loop, and with it the hang-up path, for tens of milliseconds at every status poll).
    this.lastSeq = db.prepare(`SELECT COALESCE(MAX(seq), 0) AS n FROM sync_log`);
    this.lastBatched = db.prepare(`SELECT COALESCE(MAX(seq_to), 0) AS n FROM sync_batches`);
    this.countOpen = db.prepare(`SELECT COUNT(*) AS batches, COALESCE(SUM(records), 0) AS records FROM sync_batches WHERE acked_at IS NULL`);
    this.countRejected = db.prepare(`SELECT COUNT(*) AS n FROM sync_log WHERE rejected IS NOT NULL AND synced_at IS NULL`);
    this.oldestUnsynced = db.prepare(
      `SELECT created_at AS createdAt FROM sync_log WHERE synced_at IS NULL AND rejected IS NULL ORDER BY seq LIMIT 1`,
    );
    this.flagLocal = db.prepare(`UPDATE sync_log SET rejected = ? WHERE seq = ?`);
    this.markDead = db.prepare(
      `UPDATE sync_log SET rejected = ? WHERE seq BETWEEN ? AND ? AND batch_id = ? AND synced_at IS NULL AND rejected IS NULL`,
    );
  }

  /** The oldest row not yet in a batch. */
  oldestUnbatched(): { seq: number; createdAt: number } | null {
    return (this.oldest.get() as { seq: number; createdAt: number } | undefined) ?? null;
  }

  /** How many rows wait for a batch, counting no further than `limit` (cheap for a big backlog). */
  unbatchedUpTo(limit: number): number {
    return (this.countUpTo.get(limit) as { n: number }).n;
  }

  /**
   * Up to `limit` rows not yet in a batch with seq above `afterSeq`, in seq order. The worker
   * reads a batch in small pages of these, so a batch that stops early at its byte limit (long
   * SMS texts) never costs reading `batchSize` whole rows.
   */
  readUnbatched(limit: number, afterSeq = 0): LogRow[] {
    return this.readFrom.all(afterSeq, limit) as LogRow[];
  }

  /**
   * Fixes a batch's membership and bytes in one transaction: from now on a re-send publishes
   * exactly these bytes. The row counts the first send, which follows at once (one fsync per
   * batch saved; a crash in between only overstates `sends` by one). Throws (and changes nothing) if some row in the range was already
   * claimed, which would mean two workers on one database.
   *
   * @param rowsInRange rows between seqFrom and seqTo: the records plus any flagged unsendable.
   */
  commitBatch(batch: Omit<OpenBatch, 'sends'> & { bytes: number }, rowsInRange: number = batch.records): void {
    this.db
      .transaction(() => {
        this.insertBatch.run({
          id: batch.id,
          seqFrom: batch.seqFrom,
          seqTo: batch.seqTo,
          records: batch.records,
          bytes: batch.bytes,
          jsonBytes: batch.jsonBytes,
          compressed: batch.compressed ? 1 : 0,
          payload: batch.payload,
          createdAt: batch.createdAt,
        });
        const claimed = this.claimRows.run(batch.id, batch.seqFrom, batch.seqTo).changes;
        if (claimed !== rowsInRange) {
          throw new Error(`batch ${batch.id}: expected to claim ${rowsInRange} rows in ${batch.seqFrom}..${batch.seqTo}, claimed ${claimed}`);
        }
      })
      .immediate();
  }

  /**
   * Flags a row whose payload cannot be sent at all (not a JSON object: a bug where it was
   * appended). It keeps its place and is counted as rejected; it is never deleted.
   */
  flagUnsendable(seq: number, reason: string): void {
    this.flagLocal.run(reason, seq);
  }

  /** Every batch still waiting for its ack, oldest first, with its stored bytes. */
  openBatches(): OpenBatch[] {
    return (this.open.all() as RawBatch[]).map(fromRaw);
  }

  /** Records that a batch went out once more (re-sends; the first send is in `commitBatch`). */
  markSent(id: string, at: number): void {
    this.sent.run(at, id);
  }

  /**
   * Applies HQ's `ok` ack: the batch's rows become synced, except those HQ rejected, which are
   * flagged with the reason and kept. A late duplicate ack (the batch is not open) changes
   * nothing; neither does one that does not account for every record of the batch, which would
   * otherwise mark synced records HQ never confirmed.
   */
  applyAck(ack: AckMessage, at: number): AckOutcome {
    const mismatch = new MismatchedAck();
    try {
      return this.db
        .transaction((): AckOutcome => {
          const raw = this.openById.get(ack.batch) as RawBatch | undefined;
          if (raw === undefined) return { kind: 'stale' };
          const accounted = ack.inserted + ack.duplicates + ack.rejected.length;
          if (accounted !== raw.records) {
            mismatch.problem = `inserted ${ack.inserted} + duplicates ${ack.duplicates} + rejected ${ack.rejected.length} = ${accounted}, but the batch has ${raw.records} records`;
            throw mismatch;
          }
          if (new Set(ack.rejected.map((r) => r.id)).size !== ack.rejected.length) {
            mismatch.problem = 'a rejected id is named twice';
            throw mismatch;
          }
          let rejected = 0;
          for (const r of ack.rejected) rejected += this.markRejected.run(r.reason.slice(0, 500), r.id, raw.id).changes;
          if (rejected !== ack.rejected.length) {
            // Throwing rolls the flags back: the batch stays as it was.
            mismatch.problem = `${ack.rejected.length - rejected} rejected id(s) are not records of the batch`;
            throw mismatch;
          }
          const synced = this.markSynced.run(at, raw.seq_from, raw.seq_to, raw.id).changes;
          this.closeBatch.run(at, ack.inserted, ack.duplicates, ack.rejected.length, raw.id);
          return { kind: 'applied', synced, rejected };
        })
        .immediate();
    } catch (err) {
      if (err === mismatch) return { kind: 'mismatch', problem: mismatch.problem };
      throw err;
    }
  }

  /**
   * Applies HQ's final `dead` ack: HQ will never store this batch, so its records are flagged
   * rejected with the reason (kept, counted, never pruned) and the batch is closed, letting the
   * box move on. Returns the number of records flagged, or null when the batch is not open.
   */
  applyDead(batchId: string, reason: string, at: number): number | null {
    return this.db
      .transaction((): number | null => {
        const raw = this.openById.get(batchId) as RawBatch | undefined;
        if (raw === undefined) return null;
        const flagged = this.markDead.run(reason.slice(0, 500), raw.seq_from, raw.seq_to, raw.id).changes;
        this.closeBatch.run(at, 0, 0, raw.records, raw.id);
        return flagged;
      })
      .immediate();
  }

  /**
   * Counts for /api/status, without walking the backlog: rows not yet batched are those above
   * the last batch's `seq_to` (batches are cut in seq order and seq only grows; SQLite's
   * AUTOINCREMENT leaves no holes, so the difference is the count), plus the records of the
   * batches still open.
   */
  counts(): BacklogCounts {
    const n = (s: Statement): number => (s.get() as { n: number }).n;
    const unbatched = Math.max(0, n(this.lastSeq) - n(this.lastBatched));
    const open = this.countOpen.get() as { batches: number; records: number };
    return {
      backlog: unbatched + open.records,
      unbatched,
      openBatches: open.batches,
      rejected: n(this.countRejected),
      oldestCreatedAt: (this.oldestUnsynced.get() as { createdAt: number } | undefined)?.createdAt ?? null,
    };
  }
}

/** Thrown inside `applyAck`'s transaction to roll it back. */
class MismatchedAck extends Error {
  problem = '';
}

function fromRaw(r: RawBatch): OpenBatch {
  return {
    id: r.id,
    seqFrom: r.seq_from,
    seqTo: r.seq_to,
    records: r.records,
    payload: r.payload ?? Buffer.alloc(0),
    jsonBytes: r.json_bytes,
    compressed: r.compressed === 1,
    createdAt: r.created_at,
    sends: r.sends,
  };
}
