/**
 * The box ↔ headquarters MQTT protocol, version 1 (docs/PROTOCOL.md is the prose version of
 * this file; keep the two together). One typed place for topic names, payload shapes and
 * limits, shared by the box's sync worker and the HQ collector (the Zigbee2MQTT `types/api.ts`
 * idea), so a consumer written against PROTOCOL.md and this code cannot disagree.
 *
 * Pure: no I/O. Validation uses zod; every schema accepts unknown keys in objects so a newer
 * box or HQ may add fields within v1 without breaking an older peer (additive changes only;
 * anything else is v2).
 */
import { z } from 'zod';

/** The protocol version: the `v1` topic level and the `"v": 1` of a batch. */
export const PROTOCOL_VERSION = 1;

/** The default first topic level(s). */
export const DEFAULT_TOPIC_PREFIX = 'missedcall';

/** A box id as it may appear in a topic (the same rule as `box.id` in the box's config). */
export const BOX_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

/** A topic prefix: one or more levels of letters, digits, `_` and `-` (no wildcards, no `$`). */
export const TOPIC_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** The last topic level of each message kind under `<prefix>/v1/<box>/`. */
export const TOPIC_KINDS = ['batch', 'ack', 'state', 'status', 'config', 'events'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** `<prefix>/v1/<box>/<kind>` */
export function topicFor(prefix: string, box: string, kind: TopicKind): string {
  return `${prefix}/v${PROTOCOL_VERSION}/${box}/${kind}`;
}

/** The subscription for one kind from every box: `<prefix>/v1/+/<kind>`. */
export function allBoxesTopic(prefix: string, kind: TopicKind): string {
  return `${prefix}/v${PROTOCOL_VERSION}/+/${kind}`;
}

/**
 * The MQTT 5 shared subscription collectors use, so each batch goes to exactly one of the
 * collectors in `group`: `$share/<group>/<prefix>/v1/+/<kind>`.
 */
export function sharedSubscription(group: string, prefix: string, kind: TopicKind = 'batch'): string {
  return `$share/${group}/${allBoxesTopic(prefix, kind)}`;
}

/** Splits a received topic into box and kind; null when it is not a v1 topic under `prefix`. */
export function parseTopic(prefix: string, topic: string): { box: string; kind: TopicKind } | null {
  const head = `${prefix}/v${PROTOCOL_VERSION}/`;
  if (!topic.startsWith(head)) return null;
  const rest = topic.slice(head.length).split('/');
  if (rest.length !== 2) return null;
  const [box, kind] = rest as [string, string];
  if (!BOX_ID_PATTERN.test(box) || !(TOPIC_KINDS as readonly string[]).includes(kind)) return null;
  return { box, kind: kind as TopicKind };
}

/** Record types the protocol names. A consumer stores types it does not know (see PROTOCOL.md). */
export const RECORD_TYPES = ['call', 'sms', 'message', 'volunteer', 'optout'] as const;

/** What every record in a batch carries, whatever its type. */
export interface WireRecord {
  /** The box's own order (per database); consecutive, so HQ can see gaps. */
  seq: number;
  /** Globally unique, clock-independent (a UUID); HQ stores a record id once. */
  id: string;
  /** `call`, `sms`, `message`, `volunteer`, `optout`, or a later type. */
  type: string;
  [field: string]: unknown;
}

/** The JSON of a `batch` message (gzip-compressed on the wire when `mqtt.compress` is on). */
export interface BatchEnvelope {
  v: typeof PROTOCOL_VERSION;
  box: string;
  /** The box database's random id: a replaced SD card starts a new sequence. */
  db: string;
  /** Unique batch id; a re-sent batch keeps its id and its bytes. */
  batch: string;
  seqFrom: number;
  seqTo: number;
  records: WireRecord[];
}

/** The JSON of an `ok` or `retry` ack (HQ → box), sent only after HQ's database commit (or its failure). */
export interface AckMessage {
  batch: string;
  /** `ok`: committed (inserted + duplicates + rejected = every record); `retry`: not stored, send again. */
  status: 'ok' | 'retry';
  inserted: number;
  duplicates: number;
  rejected: { id: string; reason: string }[];
  /** With `retry`: wait at least this long before sending again (HQ overloaded). */
  retryAfterMs?: number;
}

/**
 * The final negative ack (HQ → box): HQ dead-lettered the message and will never store it, however
 * often it comes. The message may be unreadable (not gzip, not JSON), so it is named by the SHA-256
 * of its bytes, which the box can compute for each open batch (a re-send is byte-identical), and by
 * `batch` as well when HQ could read one.
 */
export interface DeadAckMessage {
  /** The batch id when HQ could read it from the envelope, else null. */
  batch: string | null;
  status: 'dead';
  /** Lowercase hex SHA-256 of the message's bytes as published (gzip when compressed). */
  sha256: string;
  /** The dead-letter reason (`DEAD_LETTER_REASONS`, or a later one). */
  reason: string;
  /** What HQ found, in words. */
  detail: string;
}

/** Any message on the `ack` topic. */
export type AnyAckMessage = AckMessage | DeadAckMessage;

/** The JSON of the retained `state` message and of the Last Will. */
export interface StateMessage {
  state: 'online' | 'offline';
}

/** The JSON of a `config` message (HQ → box, retained) that pushes configuration. */
export interface ConfigMessage {
  v: typeof PROTOCOL_VERSION;
  /** Echoed in the `events` message that reports the outcome. */
  id: string;
  /** Configuration keys as in the box's YAML file, nested: `{ "log": { "level": "debug" } }`. */
  config: Record<string, unknown>;
}

/**
 * The JSON of a `config` message that clears the push (the box goes back to its file). It is
 * retained like a push, so a box that is offline when HQ clears still gets it when it connects:
 * an empty retained payload would instead delete the retained message at the broker, and an
 * offline box would keep the old push for ever.
 */
export interface ConfigClearMessage {
  v: typeof PROTOCOL_VERSION;
  id: string;
  clear: true;
}

/** The JSON of an `events` message (box → HQ): what became of a pushed config. */
export interface ConfigEvent {
  event: 'config';
  /** The `id` of the config message; null when a stored push became invalid at start. */
  id: string | null;
  status: 'applied' | 'rejected' | 'cleared';
  /** Key paths whose effective value changed. */
  changed: string[];
  /** Why it was rejected: `{ path: "calls.clipWaitMs", message: "expected … got …" }`. */
  problems: { path: string; message: string }[];
  at: number;
}

/** Limits a collector enforces before and while decoding a batch (defaults; hq.yaml may change them). */
export const DEFAULT_LIMITS = {
  /** A message larger than this on the wire is dead-lettered without being read. */
  maxMessageBytes: 4 * 1024 * 1024,
  /** Gzip may expand to at most this many bytes (a gzip bomb stops here). */
  maxInflatedBytes: 16 * 1024 * 1024,
  /** At most this many records in one batch. */
  maxRecords: 10_000,
} as const;

/** Why a batch went to the dead-letter table instead of the records. */
export const DEAD_LETTER_REASONS = [
  'too-large',
  'bad-gzip',
  'gzip-too-large',
  'not-json',
  'wrong-version',
  'bad-envelope',
  'box-mismatch',
  'too-many-records',
  'bad-records',
  'unstorable',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

const count = z.number().int().min(0);
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/**
 * Ids (records, batches, databases, config messages). No control characters and no unpaired
 * UTF-16 surrogates (`\p{Cs}` matches only unpaired ones with the `u` flag): PostgreSQL's text
 * cannot hold U+0000, and an id must be stored exactly to be recognised again. Boxes send UUIDs.
 */
const ident = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}\p{Cs}]+$/u, 'expected text without control characters or unpaired surrogates');

/** The envelope of a batch; records are checked one by one afterwards (see `checkRecords`). */
export const batchEnvelopeSchema = z.looseObject({
  v: z.number(),
  box: z.string().regex(BOX_ID_PATTERN),
  db: ident,
  batch: ident,
  seqFrom: seq,
  seqTo: seq,
  records: z.array(z.unknown()),
});

/** What every record must have for HQ to store or even reject it by id. */
export const recordBaseSchema = z.looseObject({
  seq,
  id: ident,
  type: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
});

/** The fields of a `call` record (docs/PROTOCOL.md; built by src/calls/sync-record.ts). */
export const callRecordSchema = z.looseObject({
  at: z.number().int(),
  number: z.string().max(32).nullable(),
  numberRaw: z.string().max(64).optional(),
  withheld: z.boolean(),
  modem: z.string().max(64).nullable(),
  sim: z.string().max(64).nullable(),
  port: z.string().max(64),
  campaign: z.string().max(128).optional(),
  gaveUp: z.boolean().optional(),
});

/** Type-specific schemas; types without one are stored as they are (forward compatible). */
export const RECORD_SCHEMAS: Partial<Record<string, z.ZodType>> = { call: callRecordSchema };

/** An `ok` or `retry` ack. */
export const okAckSchema = z.looseObject({
  batch: ident,
  status: z.enum(['ok', 'retry']),
  inserted: count,
  duplicates: count,
  rejected: z.array(z.looseObject({ id: ident, reason: z.string().max(500) })).max(DEFAULT_LIMITS.maxRecords),
  retryAfterMs: count.max(24 * 3600 * 1000).optional(),
});

/** A `dead` ack: HQ will never store the message (see {@link DeadAckMessage}). */
export const deadAckSchema = z.looseObject({
  batch: ident.nullable(),
  status: z.literal('dead'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  reason: z.string().min(1).max(64),
  detail: z.string().max(1000),
});

/** Any message on the `ack` topic. */
export const ackSchema = z.discriminatedUnion('status', [okAckSchema, deadAckSchema]);

/** A `config` message that pushes keys. */
export const configPushSchema = z.looseObject({
  v: z.literal(PROTOCOL_VERSION),
  id: ident,
  config: z.record(z.string(), z.unknown()),
});

/** A `config` message that clears the push. */
export const configClearSchema = z.looseObject({
  v: z.literal(PROTOCOL_VERSION),
  id: ident,
  clear: z.literal(true),
});

/** Any non-empty `config` message: a push or a clear (a clear wins if a message says both). */
export const configMessageSchema = z.union([configClearSchema, configPushSchema]);

export const configEventSchema = z.looseObject({
  event: z.literal('config'),
  id: ident.nullable(),
  status: z.enum(['applied', 'rejected', 'cleared']),
  changed: z.array(z.string()),
  problems: z.array(z.looseObject({ path: z.string(), message: z.string() })),
  at: z.number(),
});

/** The result of checking a batch's records: what to store, what to reject, or why it is all bad. */
export type RecordCheck =
  | { ok: true; valid: WireRecord[]; rejected: { record: WireRecord; reason: string }[] }
  | { ok: false; reason: string };

/**
 * Checks every record of a batch. A record without a usable `seq`, `id` or `type`, or out of
 * the batch's range or order, makes the whole batch bad (it could not even be rejected by id,
 * and storing the rest would be a partial batch). A record that has those but whose type's
 * fields are wrong is rejected alone: reported in the ack, kept and flagged by the box.
 */
export function checkRecords(envelope: { seqFrom: number; seqTo: number; records: unknown[] }): RecordCheck {
  if (envelope.seqTo < envelope.seqFrom) return { ok: false, reason: `seqTo ${envelope.seqTo} is below seqFrom ${envelope.seqFrom}` };
  const valid: WireRecord[] = [];
  const rejected: { record: WireRecord; reason: string }[] = [];
  const ids = new Set<string>();
  let previous = envelope.seqFrom - 1;
  for (const [index, raw] of envelope.records.entries()) {
    const base = recordBaseSchema.safeParse(raw);
    if (!base.success) return { ok: false, reason: `records[${index}]: ${summariseIssues(base.error)}` };
    const record: WireRecord = base.data;
    if (record.seq <= previous || record.seq > envelope.seqTo) {
      return { ok: false, reason: `records[${index}]: seq ${record.seq} is out of order or outside ${envelope.seqFrom}..${envelope.seqTo}` };
    }
    if (ids.has(record.id)) return { ok: false, reason: `records[${index}]: id ${record.id} appears twice in the batch` };
    ids.add(record.id);
    previous = record.seq;
    const schema = RECORD_SCHEMAS[record.type];
    const typed = schema?.safeParse(record);
    if (typed !== undefined && !typed.success) rejected.push({ record, reason: `${record.type}: ${summariseIssues(typed.error)}` });
    else valid.push(record);
  }
  return { ok: true, valid, rejected };
}

/** `seq: expected number; id: too short` — short, for dead-letter rows and ack reasons. */
export function summariseIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
