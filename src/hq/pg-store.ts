/**
 * The HQ store in PostgreSQL (`database: postgres://…`): the path for an HQ that outgrows one
 * machine, with several collectors (on several machines) sharing a broker cluster's load
 * through a shared subscription. Exactly-once is the database's job: `records.id` is the
 * primary key and every insert is `ON CONFLICT DO NOTHING`, so two collectors handed the same
 * re-sent batch store it once; a batch is one transaction, so a collector killed mid-batch
 * leaves nothing half-stored.
 */
import pg from 'pg';

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
  seq         BIGINT  NOT NULL,
  type        TEXT    NOT NULL,
  at          BIGINT,
  batch       TEXT    NOT NULL,
  received_at BIGINT  NOT NULL,
  payload     JSONB   NOT NULL
);
CREATE INDEX IF NOT EXISTS records_box_seq ON records (box, db, seq);
CREATE TABLE IF NOT EXISTS rejected_records (
  id          TEXT    PRIMARY KEY,
  box         TEXT    NOT NULL,
  db          TEXT    NOT NULL,
  seq         BIGINT  NOT NULL,
  type        TEXT    NOT NULL,
  batch       TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  received_at BIGINT  NOT NULL,
  payload     JSONB   NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
  id                TEXT    PRIMARY KEY,
  box               TEXT    NOT NULL,
  db                TEXT    NOT NULL,
  seq_from          BIGINT  NOT NULL,
  seq_to            BIGINT  NOT NULL,
  records           INTEGER NOT NULL,
  inserted          INTEGER NOT NULL,
  duplicates        INTEGER NOT NULL,
  rejected          INTEGER NOT NULL,
  bytes             INTEGER NOT NULL,
  compressed        BOOLEAN NOT NULL,
  first_received_at BIGINT  NOT NULL,
  last_received_at  BIGINT  NOT NULL,
  receipts          INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS dead_letters (
  seq         BIGSERIAL PRIMARY KEY,
  received_at BIGINT  NOT NULL,
  topic       TEXT    NOT NULL,
  box         TEXT,
  reason      TEXT    NOT NULL,
  detail      TEXT    NOT NULL,
  bytes       INTEGER NOT NULL,
  sample      TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letter_counts (
  reason  TEXT    PRIMARY KEY,
  count   BIGINT  NOT NULL,
  last_at BIGINT  NOT NULL
);
CREATE TABLE IF NOT EXISTS box_events (
  seq         BIGSERIAL PRIMARY KEY,
  box         TEXT    NOT NULL,
  received_at BIGINT  NOT NULL,
  payload     JSONB   NOT NULL
);
-- The record exactly as received, when payload had to replace characters jsonb cannot hold
-- (U+0000, unpaired surrogates); added after the first release, so also to older schemas.
ALTER TABLE records ADD COLUMN IF NOT EXISTS payload_exact TEXT;
ALTER TABLE rejected_records ADD COLUMN IF NOT EXISTS payload_exact TEXT;
ALTER TABLE box_events ADD COLUMN IF NOT EXISTS payload_exact TEXT;
`;

/**
 * SQLSTATE classes the same data hits every time: 22 data exception (a value jsonb or text
 * refuses), 23 integrity constraint, 54 program limit exceeded (a value too big or too deep).
 * Anything else (connection lost, 40 serialization, 53 out of resources, 57 shutdown) may pass
 * on a later try and is answered with `retry`.
 */
function isPermanentPgError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}


/** int8 columns (epoch ms, counts) as numbers: every value here is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20 ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

export class PgHqStore implements HqStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;

  /**
   * @param url postgres://user:password@host:port/database
   * @param schema tables live in this schema (created if missing): one HQ per schema.
   */
  constructor(url: string, private readonly schema = 'public') {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new AppError(ErrorCodes.HQ_STORE_FAILED, `not a usable schema name: ${schema}`);
    this.pool = new pg.Pool({ connectionString: url, max: 4, types });
    // An idle connection that breaks must not crash the collector; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.tx('create the tables', async (c) => {
      // Several collectors may start at once; CREATE … IF NOT EXISTS is not safe in parallel.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('missedcall-hq-schema'))`);
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await c.query(`SET LOCAL search_path TO "${this.schema}"`);
      await c.query(SCHEMA);
    });
  }

  /**
   * One statement, so one round trip and one implicit transaction: data-modifying CTEs insert
   * the records, the rejected records and the batch row atomically, and the batch row counts
   * what the records insert did.
   */
  async ingest(b: IngestBatch): Promise<IngestResult> {
    const { sql, params } = this.ingestSql(b);
    let res;
    try {
      res = await this.pool.query(sql, params);
    } catch (err) {
      throw storeError('store a batch', err);
    }
    const inserted = (res.rows[0] as { inserted: number } | undefined)?.inserted ?? 0;
    return { inserted, duplicates: b.records.length - inserted };
  }

  async probe(b: IngestBatch): Promise<void> {
    const { sql, params } = this.ingestSql(b);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storeError('store a batch', err);
    }
    let failure: unknown = null;
    try {
      await client.query('BEGIN');
      await client.query(sql, params);
    } catch (err) {
      failure = err;
    }
    const clean = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!clean);
    if (failure !== null) throw storeError('store a batch', failure);
  }

  /** The one statement that stores a batch (see `ingest`). */
  private ingestSql(b: IngestBatch): { sql: string; params: unknown[] } {
    const t = (name: string): string => `"${this.schema}".${name}`;
    const r = b.records;
    const j = b.rejected;
    const sql = `
      WITH ins AS (
        INSERT INTO ${t('records')} (id, box, db, seq, type, at, batch, received_at, payload, payload_exact)
        SELECT u.id, $2, $3, u.seq, u.type, u.at, $4, $5, u.payload::jsonb, u.exact
        FROM unnest($1::text[], $6::bigint[], $7::text[], $8::bigint[], $9::text[], $22::text[]) AS u(id, seq, type, at, payload, exact)
        ON CONFLICT DO NOTHING
        RETURNING 1
      ), rej AS (
        INSERT INTO ${t('rejected_records')} (id, box, db, seq, type, batch, reason, received_at, payload, payload_exact)
        SELECT u.id, $2, $3, u.seq, u.type, $4, u.reason, $5, u.payload::jsonb, u.exact
        FROM unnest($10::text[], $11::bigint[], $12::text[], $13::text[], $14::text[], $23::text[]) AS u(id, seq, type, reason, payload, exact)
        ON CONFLICT DO NOTHING
      ), n AS (
        SELECT COUNT(*)::int AS inserted FROM ins
      ), bat AS (
        INSERT INTO ${t('batches')} AS x (id, box, db, seq_from, seq_to, records, inserted, duplicates, rejected, bytes, compressed, first_received_at, last_received_at)
        SELECT $4, $2, $3, $15, $16, $17::int, n.inserted, $18::int - n.inserted, $19, $20, $21, $5, $5 FROM n
        ON CONFLICT (id) DO UPDATE SET receipts = x.receipts + 1, last_received_at = excluded.last_received_at,
          inserted = x.inserted + excluded.inserted, duplicates = x.duplicates + excluded.duplicates
      )
      SELECT inserted FROM n`;
    const params = [
      r.map((x) => x.id),
      b.box,
      b.db,
      b.batch,
      b.receivedAt,
      r.map((x) => x.seq),
      r.map((x) => x.type),
      r.map((x) => x.at),
      r.map((x) => x.json),
      j.map((x) => x.id),
      j.map((x) => x.seq),
      j.map((x) => x.type),
      j.map((x) => x.reason),
      j.map((x) => x.json),
      b.seqFrom,
      b.seqTo,
      r.length + j.length,
      r.length,
      j.length,
      b.bytes,
      b.compressed,
      r.map((x) => x.exact ?? null),
      j.map((x) => x.exact ?? null),
    ];
    return { sql, params };
  }

  async deadLetter(d: DeadLetter): Promise<void> {
    await this.tx('store a dead letter', async (c) => {
      await c.query(`INSERT INTO dead_letters (received_at, topic, box, reason, detail, bytes, sample) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        d.receivedAt,
        d.topic,
        d.box,
        d.reason,
        d.detail,
        d.bytes,
        d.sample,
      ]);
      await c.query(
        `INSERT INTO dead_letter_counts (reason, count, last_at) VALUES ($1, 1, $2)
         ON CONFLICT (reason) DO UPDATE SET count = dead_letter_counts.count + 1, last_at = excluded.last_at`,
        [d.reason, d.receivedAt],
      );
    });
  }

  async event(box: string, payload: StorableJson, receivedAt: number): Promise<void> {
    await this.tx('store an event', (c) =>
      c.query(`INSERT INTO box_events (box, received_at, payload, payload_exact) VALUES ($1, $2, $3::jsonb, $4)`, [box, receivedAt, payload.json, payload.exact]),
    );
  }

  async report(options: ReportOptions): Promise<HqReport> {
    return this.tx('read the report', async (c) => {
      const boxes = await c.query(
        `SELECT box, COUNT(*)::int AS records, (COUNT(*) FILTER (WHERE type = 'call'))::int AS calls, COUNT(DISTINCT db)::int AS databases,
           MIN(at) AS "firstAt", MAX(at) AS "lastAt", MAX(received_at) AS "lastReceivedAt"
         FROM records GROUP BY box ORDER BY box`,
      );
      const days = await c.query(
        `SELECT to_char(to_timestamp((COALESCE(at, received_at) + $1) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, box,
           COUNT(*)::int AS records, (COUNT(*) FILTER (WHERE type = 'call'))::int AS calls
         FROM records WHERE COALESCE(at, received_at) >= $2 GROUP BY 1, box ORDER BY 1, box`,
        [offsetMs(options), options.since ?? 0],
      );
      const gaps = await c.query(GAPS_SQL.replace('LIMIT ?', 'LIMIT $1'), [options.maxGaps ?? 1000]);
      const rejected = await c.query(`SELECT box, COUNT(*)::int AS records FROM rejected_records GROUP BY box ORDER BY box`);
      const dead = await c.query(`SELECT reason, count, last_at AS "lastAt" FROM dead_letter_counts ORDER BY count DESC, reason`);
      return {
        boxes: boxes.rows as HqReport['boxes'],
        days: days.rows as HqReport['days'],
        gaps: gaps.rows as HqReport['gaps'],
        rejected: rejected.rows as HqReport['rejected'],
        deadLetters: dead.rows as HqReport['deadLetters'],
      };
    });
  }

  async countRecords(): Promise<number> {
    return this.tx('count records', async (c) => ((await c.query(`SELECT COUNT(*)::int AS n FROM records`)).rows[0] as { n: number }).n);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async tx<T>(what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new HqStoreError(`could not ${what}: cannot reach PostgreSQL: ${(err as Error).message}`, { cause: err });
    }
    try {
      await client.query('BEGIN');
      // Every transaction works in the HQ's schema, so the SQL is the same as SQLite's.
      await client.query(`SET LOCAL search_path TO "${this.schema}"`);
      const result = await fn(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      const clean = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      // A connection that could not even roll back is in an unknown state: not put back.
      client.release(!clean);
      throw storeError(what, err);
    }
  }
}

function storeError(what: string, err: unknown): HqStoreError {
  return new HqStoreError(`could not ${what}: ${(err as Error).message}`, { cause: err, permanent: isPermanentPgError(err) });
}
