/**
 * What a collector stores, whatever the database: records exactly once (by record id),
 * rejected records with their reason, batches received, malformed messages (dead letters, with
 * a counter per reason), and the boxes' events. SQLite (src/hq/sqlite-store.ts) for one HQ
 * machine, PostgreSQL (src/hq/pg-store.ts) when collectors run on several.
 */
import { AppError, ErrorCodes } from '../errors.js';

/** One record as stored: the protocol's envelope fields, plus the record's JSON as received. */
export interface StoredRecord {
  seq: number;
  id: string;
  type: string;
  /** The record's own time (epoch ms) when it has a numeric `at`, else null. */
  at: number | null;
  /**
   * The whole record (including seq, id, type), as JSON text that every backend can store:
   * U+0000 and unpaired surrogates replaced by U+FFFD (see {@link storableJson}).
   */
  json: string;
  /** The record exactly as received (JSON text, those characters as `\u` escapes) when `json` had to change them; else null. */
  exact?: string | null;
}

/** JSON text for a `payload` column, and the exact text when the two differ. */
export interface StorableJson {
  json: string;
  exact: string | null;
}

/**
 * Characters PostgreSQL cannot hold in `jsonb` or `text`: U+0000, and UTF-16 surrogates without
 * their other half (with the `u` flag `\p{Cs}` matches only unpaired ones). Both reach HQ in
 * `message` records: a UCS-2 SMS may carry any 16-bit unit, and a part split inside a pair.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly the character looked for
const UNSTORABLE = /[\u0000\p{Cs}]/gu;
/** How JSON.stringify writes those characters (it escapes them); a cheap test before a deep walk. */
const ESCAPED_UNSTORABLE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** `text` with U+0000 and unpaired surrogates replaced by U+FFFD, the replacement character. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a key "__proto__" stays a key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableValue(v)]));
  }
  return value;
}

/**
 * The JSON of a parsed value, storable by SQLite and PostgreSQL alike. PostgreSQL refuses U+0000
 * and unpaired surrogates in `jsonb` ("unsupported Unicode escape sequence") every time, so a batch
 * holding one would never be stored; both backends therefore store the same text, with those
 * characters replaced by U+FFFD, and keep the record exactly as received (where they remain as
 * `\u0000` / `\udc00` escapes, plain ASCII) in `payload_exact` whenever that replaced anything.
 */
export function storableJson(value: unknown): StorableJson {
  const exact = JSON.stringify(value);
  if (!ESCAPED_UNSTORABLE.test(exact)) return { json: exact, exact: null };
  const json = JSON.stringify(storableValue(value));
  return json === exact ? { json, exact: null } : { json, exact };
}

/**
 * A store failure. `permanent` when the same data would fail the same way every time (a
 * PostgreSQL data exception, a value SQLite cannot take): sending the batch again cannot help,
 * so the collector finds the records responsible and rejects them instead of answering `retry`.
 */
export class HqStoreError extends AppError {
  readonly permanent: boolean;

  constructor(message: string, options: { cause?: unknown; permanent?: boolean } = {}) {
    super(ErrorCodes.HQ_STORE_FAILED, message, { cause: options.cause, context: { permanent: options.permanent ?? false } });
    this.name = 'HqStoreError';
    this.permanent = options.permanent ?? false;
  }
}

/** True for an error a store classified as one that will fail every time. */
export function isPermanentStoreError(err: unknown): boolean {
  return err instanceof HqStoreError && err.permanent;
}

/** A checked batch, ready to commit in one transaction. */
export interface IngestBatch {
  box: string;
  db: string;
  batch: string;
  seqFrom: number;
  seqTo: number;
  /** Bytes on the wire (gzip when compressed). */
  bytes: number;
  compressed: boolean;
  receivedAt: number;
  records: StoredRecord[];
  rejected: (StoredRecord & { reason: string })[];
}

/** What the commit did: `inserted + duplicates = records.length`. */
export interface IngestResult {
  inserted: number;
  duplicates: number;
}

/** A message that could not be used at all. */
export interface DeadLetter {
  receivedAt: number;
  topic: string;
  /** The box named by the topic, when the topic could be read. */
  box: string | null;
  reason: string;
  detail: string;
  bytes: number;
  /** The first bytes, hex, for a person to look at (never the whole, possibly huge, payload). */
  sample: string;
}

/** `missedcall hq-report`'s data. */
export interface HqReport {
  boxes: { box: string; records: number; calls: number; databases: number; firstAt: number | null; lastAt: number | null; lastReceivedAt: number }[];
  days: { day: string; box: string; records: number; calls: number }[];
  /** Holes in a box database's sequence below the highest seq HQ has from it. */
  gaps: { box: string; db: string; from: number; to: number }[];
  rejected: { box: string; records: number }[];
  deadLetters: { reason: string; count: number; lastAt: number }[];
}

export interface ReportOptions {
  /** Per-day rows for records since this time (epoch ms); all when absent. */
  since?: number;
  /** Days are counted in this offset from UTC, in minutes (India: 330). */
  utcOffsetMinutes: number;
  /** At most this many gap rows. Default 1000. */
  maxGaps?: number;
}

export interface HqStore {
  /** `sqlite` or `postgres`, for logs. */
  readonly kind: string;
  /** Creates the tables if they are not there (idempotent; safe with several collectors). */
  init(): Promise<void>;
  /**
   * Stores a batch in one transaction: records once by id, rejected ones, the batch row.
   *
   * @throws HqStoreError, `permanent` when the data itself is what the database refuses.
   */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  /**
   * Does what `ingest` would inside a transaction that is always rolled back, and throws what it
   * would throw: how the collector finds which records of a refused batch are to blame.
   */
  probe(batch: IngestBatch): Promise<void>;
  deadLetter(letter: DeadLetter): Promise<void>;
  /** A box's `events` message (config outcomes), kept as received (see {@link storableJson}). */
  event(box: string, payload: StorableJson, receivedAt: number): Promise<void>;
  report(options: ReportOptions): Promise<HqReport>;
  /** Records stored, for tests and the benchmark. */
  countRecords(): Promise<number>;
  close(): Promise<void>;
}

/** The per-day expression's offset in milliseconds. */
export function offsetMs(options: ReportOptions): number {
  return options.utcOffsetMinutes * 60_000;
}

/**
 * Holes in each (box, db) sequence, counting rejected records as present: between two seqs HQ
 * has, and before the first one. Seqs above the highest HQ has are the box's backlog, not gaps.
 * The same SQL runs on PostgreSQL (window functions, standard CTEs).
 */
export const GAPS_SQL = `
WITH s AS (
  SELECT box, db, seq FROM records
  UNION ALL
  SELECT box, db, seq FROM rejected_records
), n AS (
  SELECT box, db, seq, LEAD(seq) OVER (PARTITION BY box, db ORDER BY seq) AS next_seq FROM s
), g AS (
  SELECT box, db, seq + 1 AS "from", next_seq - 1 AS "to" FROM n WHERE next_seq > seq + 1
  UNION ALL
  SELECT box, db, 1 AS "from", MIN(seq) - 1 AS "to" FROM s GROUP BY box, db HAVING MIN(seq) > 1
)
SELECT box, db, "from", "to" FROM g ORDER BY box, db, "from" LIMIT ?`;
