/**
 * The HQ store in one SQLite file: the default, enough for one HQ machine (see README for the
 * measured ingest rate). `synchronous = FULL`: an ack promises the box that the batch is on
 * HQ's disk, and the box then lets its copy go after `retention.days`; WAL with NORMAL could
 * lose the last commits on power loss, after the ack went out.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database, { type Transaction } from 'better-sqlite3';

import { AppError, ErrorCodes } from '../errors.js';
import {
  GAPS_SQL,
  HqStoreError,
  offsetMs,
  type DeadLetter,
  type HqReport,
  type HqStore,
  type IngestBatch,
  type IngestResult,
  type ReportOptions,
  type StorableJson,
} from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  id          TEXT    PRIMARY KEY,
  box         TEXT    NOT NULL,
  db          TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  at          INTEGER,
  batch       TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  payload     TEXT    NOT NULL,
  payload_exact TEXT
);
CREATE INDEX IF NOT EXISTS records_box_seq ON records (box, db, seq);
CREATE TABLE IF NOT EXISTS rejected_records (
  id          TEXT    PRIMARY KEY,
  box         TEXT    NOT NULL,
  db          TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  batch       TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  payload     TEXT    NOT NULL,
  payload_exact TEXT
);
CREATE TABLE IF NOT EXISTS batches (
  id                TEXT    PRIMARY KEY,
  box               TEXT    NOT NULL,
  db                TEXT    NOT NULL,
  seq_from          INTEGER NOT NULL,
  seq_to            INTEGER NOT NULL,
  records           INTEGER NOT NULL,
  inserted          INTEGER NOT NULL,
  duplicates        INTEGER NOT NULL,
  rejected          INTEGER NOT NULL,
  bytes             INTEGER NOT NULL,
  compressed        INTEGER NOT NULL,
  first_received_at INTEGER NOT NULL,
  last_received_at  INTEGER NOT NULL,
  receipts          INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS dead_letters (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  topic       TEXT    NOT NULL,
  box         TEXT,
  reason      TEXT    NOT NULL,
  detail      TEXT    NOT NULL,
  bytes       INTEGER NOT NULL,
  sample      TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letter_counts (
  reason  TEXT    PRIMARY KEY,
  count   INTEGER NOT NULL,
  last_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS box_events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  box         TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  payload     TEXT    NOT NULL,
  payload_exact TEXT
);
`;

/** Tables that gained `payload_exact` after their first release: added to older files at init. */
const EXACT_TABLES = ['records', 'rejected_records', 'box_events'] as const;

/**
 * SQLite errors that the same data would hit again (a value too big, a constraint): the batch
 * is not retried as it is. Everything else (busy, I/O, disk full) may pass on a later try.
 */
const PERMANENT_SQLITE = /^SQLITE_(TOOBIG|MISMATCH|CONSTRAINT)/;

/** Thrown inside a probe's transaction to roll it back (a better-sqlite3 transaction rolls back on a throw). */
class ProbeRollback extends Error {}


export class SqliteHqStore implements HqStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private ingestTx!: Transaction<(b: IngestBatch) => IngestResult>;
  private probeTx!: Transaction<(b: IngestBatch) => void>;
  private deadTx!: Transaction<(d: DeadLetter) => void>;

  constructor(readonly file: string) {
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      // Two collectors on one file (not the recommended setup, but it must not fail) take turns.
      this.db.pragma('busy_timeout = 10000');
      // Record ids are random UUIDs, so each insert dirties a random page of the id index and
      // every commit writes those pages to the WAL: the store is bound by that I/O. A bigger
      // cache avoids re-reading the index, and a bigger WAL (checkpoint every ~80 MB rather than
      // 4 MB) writes a page rewritten by many batches back to the database once (README, benchmark).
      this.db.pragma('cache_size = -65536');
      this.db.pragma('wal_autocheckpoint = 20000');
    } catch (err) {
      throw new AppError(ErrorCodes.HQ_STORE_FAILED, `cannot open the HQ database ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  async init(): Promise<void> {
    this.db.exec(SCHEMA);
    for (const table of EXACT_TABLES) {
      const columns = this.db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table);
      if (!columns.includes('payload_exact')) this.db.exec(`ALTER TABLE ${table} ADD COLUMN payload_exact TEXT`);
    }
    const insert = this.db.prepare(
      `INSERT INTO records (id, box, db, seq, type, at, batch, received_at, payload, payload_exact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const reject = this.db.prepare(
      `INSERT INTO rejected_records (id, box, db, seq, type, batch, reason, received_at, payload, payload_exact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const batch = this.db.prepare(`
      INSERT INTO batches (id, box, db, seq_from, seq_to, records, inserted, duplicates, rejected, bytes, compressed, first_received_at, last_received_at)
      VALUES (@batch, @box, @db, @seqFrom, @seqTo, @records, @inserted, @duplicates, @rejected, @bytes, @compressed, @receivedAt, @receivedAt)
      ON CONFLICT (id) DO UPDATE SET receipts = receipts + 1, last_received_at = excluded.last_received_at,
        inserted = inserted + excluded.inserted, duplicates = duplicates + excluded.duplicates`);
    this.ingestTx = this.db.transaction((b: IngestBatch): IngestResult => {
      let inserted = 0;
      for (const r of b.records) inserted += insert.run(r.id, b.box, b.db, r.seq, r.type, r.at, b.batch, b.receivedAt, r.json, r.exact ?? null).changes;
      for (const r of b.rejected) reject.run(r.id, b.box, b.db, r.seq, r.type, b.batch, r.reason, b.receivedAt, r.json, r.exact ?? null);
      const duplicates = b.records.length - inserted;
      batch.run({
        batch: b.batch,
        box: b.box,
        db: b.db,
        seqFrom: b.seqFrom,
        seqTo: b.seqTo,
        records: b.records.length + b.rejected.length,
        inserted,
        duplicates,
        rejected: b.rejected.length,
        bytes: b.bytes,
        compressed: b.compressed ? 1 : 0,
        receivedAt: b.receivedAt,
      });
      return { inserted, duplicates };
    });
    this.probeTx = this.db.transaction((b: IngestBatch): void => {
      this.ingestTx(b);
      throw new ProbeRollback();
    });
    const dead = this.db.prepare(
      `INSERT INTO dead_letters (received_at, topic, box, reason, detail, bytes, sample) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const count = this.db.prepare(
      `INSERT INTO dead_letter_counts (reason, count, last_at) VALUES (?, 1, ?) ON CONFLICT (reason) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
    );
    this.deadTx = this.db.transaction((d: DeadLetter) => {
      dead.run(d.receivedAt, d.topic, d.box, d.reason, d.detail, d.bytes, d.sample);
      count.run(d.reason, d.receivedAt);
    });
  }

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    return this.wrap('store a batch', () => this.ingestTx.immediate(batch));
  }

  async probe(batch: IngestBatch): Promise<void> {
    this.wrap('store a batch', () => {
      try {
        this.probeTx.immediate(batch);
      } catch (err) {
        if (err instanceof ProbeRollback) return;
        throw err;
      }
    });
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    this.wrap('store a dead letter', () => this.deadTx.immediate(letter));
  }

  async event(box: string, payload: StorableJson, receivedAt: number): Promise<void> {
    this.wrap('store an event', () =>
      this.db.prepare(`INSERT INTO box_events (box, received_at, payload, payload_exact) VALUES (?, ?, ?, ?)`).run(box, receivedAt, payload.json, payload.exact),
    );
  }

  async report(options: ReportOptions): Promise<HqReport> {
    const off = offsetMs(options);
    const boxes = this.db
      .prepare(
        `SELECT box, COUNT(*) AS records, SUM(type = 'call') AS calls, COUNT(DISTINCT db) AS databases,
           MIN(at) AS firstAt, MAX(at) AS lastAt, MAX(received_at) AS lastReceivedAt
         FROM records GROUP BY box ORDER BY box`,
      )
      .all() as HqReport['boxes'];
    const days = this.db
      .prepare(
        `SELECT date((COALESCE(at, received_at) + ?) / 1000, 'unixepoch') AS day, box, COUNT(*) AS records, SUM(type = 'call') AS calls
         FROM records WHERE COALESCE(at, received_at) >= ? GROUP BY day, box ORDER BY day, box`,
      )
      .all(off, options.since ?? 0) as HqReport['days'];
    const gaps = this.db.prepare(GAPS_SQL).all(options.maxGaps ?? 1000) as HqReport['gaps'];
    const rejected = this.db.prepare(`SELECT box, COUNT(*) AS records FROM rejected_records GROUP BY box ORDER BY box`).all() as HqReport['rejected'];
    const deadLetters = this.db
      .prepare(`SELECT reason, count, last_at AS lastAt FROM dead_letter_counts ORDER BY count DESC, reason`)
      .all() as HqReport['deadLetters'];
    return { boxes, days, gaps, rejected, deadLetters };
  }

  async countRecords(): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM records`).get() as { n: number }).n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private wrap<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const permanent = typeof code === 'string' && PERMANENT_SQLITE.test(code);
      throw new HqStoreError(`could not ${what}: ${(err as Error).message}`, { cause: err, permanent });
    }
  }
}

