/**
 * What a collector stores, whatever the database: records exactly once (by record id),
 * rejected records with their reason, batches received, malformed messages (dead letters, with
 * a counter per reason), and the boxes' events. SQLite (src/hq/sqlite-store.ts) for one HQ
 * machine, PostgreSQL (src/hq/pg-store.ts) when collectors run on several.
 */

/** One record as stored: the protocol's envelope fields, plus the record's JSON as received. */
export interface StoredRecord {
  seq: number;
  id: string;
  type: string;
  /** The record's own time (epoch ms) when it has a numeric `at`, else null. */
  at: number | null;
  /** The whole record (including seq, id, type), as JSON text. */
  json: string;
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
  /** Stores a batch in one transaction: records once by id, rejected ones, the batch row. */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  deadLetter(letter: DeadLetter): Promise<void>;
  /** A box's `events` message (config outcomes), kept as received. */
  event(box: string, json: string, receivedAt: number): Promise<void>;
  report(options: ReportOptions): Promise<HqReport>;
  /** Records stored, for tests and the benchmark. */
  countRecords(): Promise<number>;
  close(): Promise<void>;
}

/** The per-day expression's offset in milliseconds. */
export function offsetMs(options: ReportOptions): number {
  return options.utcOffsetMinutes * 60_000;
}
