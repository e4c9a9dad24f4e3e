/**
 * The HQ collector: takes batches off the broker through an MQTT 5 shared subscription
 * (`$share/<group>/<prefix>/v1/+/batch`, so collectors in one group split the boxes' batches),
 * checks them, stores them, and answers each box on its `ack` topic.
 *
 * Order per message, which is the whole point:
 * 1. size, bounded gunzip, JSON, envelope schema, version, topic box = payload box, record
 *    count, every record's seq/id/type — any failure: the dead-letter table, no records, and a
 *    final `dead` ack naming the message by the SHA-256 of its bytes (the box flags the batch's
 *    records and moves on instead of re-sending it for ever);
 * 2. one database transaction (records once by id; rejected records; the batch). A failure the
 *    same data would hit every time (a PostgreSQL data exception) is not answered with `retry`,
 *    which would make the box re-send it for ever: the records to blame are found by probing
 *    halves of the batch in rolled-back transactions, rejected by id, and the rest stored;
 * 3. the `ack` to the box; 4. only then the MQTT PUBACK to the broker.
 *
 * The PUBACK is held back with mqtt.js's `customHandleAcks` (MQTT 5): mqtt.js calls it for each
 * QoS 1 PUBLISH and sends the PUBACK only when `done(reasonCode)` is called, and it handles the
 * connection's packets one at a time until then. A collector that dies before step 4 has not
 * acknowledged the message, so the broker delivers it again (to this collector's persistent
 * session, or to another member of the group), and the box re-sends it after its ack timeout
 * anyway; both copies find their records already there and change nothing.
 *
 * The collector never crashes on input: every path ends in `done`.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';

import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { decodePayload, DecodeError } from '../sync/codec.js';
import { MqttLink, type AckHook } from '../sync/mqtt-link.js';
import {
  batchEnvelopeSchema,
  checkRecords,
  parseTopic,
  PROTOCOL_VERSION,
  sharedSubscription,
  summariseIssues,
  topicFor,
  type AckMessage,
  type AnyAckMessage,
  type DeadAckMessage,
  type DeadLetterReason,
  type WireRecord,
} from '../sync/protocol.js';
import type { HqConfig } from './config.js';
import { isPermanentStoreError, storableJson, storableText, type HqStore, type IngestBatch, type StoredRecord } from './store.js';

/** MQTT 5 PUBACK reason codes the collector uses. */
const PUBACK = { success: 0, unspecifiedError: 0x80, payloadFormatInvalid: 0x99 } as const;

export interface CollectorOptions {
  config: HqConfig;
  store: HqStore;
  log: Logger;
  /**
   * Runs after the commit and before the ack and the PUBACK. For tests: the crash test kills the
   * process here, the one moment where a naive collector would lose or double a batch.
   */
  afterCommit?: (batch: string) => void | Promise<void>;
  random?: () => number;
}

export interface CollectorStats {
  batches: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  deadLetters: Partial<Record<DeadLetterReason, number>>;
  storeErrors: number;
  /** Records the database refused every time (a data exception), rejected by id instead. */
  unstorable: number;
  /** Final `dead` acks sent (one per dead-lettered batch message). */
  deadAcks: number;
  events: number;
  /** Messages the broker delivered again (DUP flag: a PUBACK it never got, e.g. after a crash). */
  redeliveries: number;
  /** Time spent handling batches (decode to ack), for the benchmark. */
  busyMs: number;
}

export interface CollectorEvents {
  /** A batch was committed and acknowledged. */
  batch: [box: string, batch: string, inserted: number, duplicates: number];
  deadLetter: [reason: DeadLetterReason, topic: string];
  up: [];
}

export class Collector extends EventEmitter<CollectorEvents> {
  readonly stats: CollectorStats = {
    batches: 0,
    inserted: 0,
    duplicates: 0,
    rejected: 0,
    deadLetters: {},
    storeErrors: 0,
    unstorable: 0,
    deadAcks: 0,
    events: 0,
    redeliveries: 0,
    busyMs: 0,
  };
  readonly link: MqttLink;
  private readonly log: Logger;
  private readonly prefix: string;

  constructor(private readonly o: CollectorOptions) {
    super();
    const c = o.config;
    this.prefix = c.topicPrefix;
    this.log = o.log.child({ module: 'collector' });
    const onAck: AckHook = (topic, message, packet: { dup?: boolean }, done) => {
      if (packet.dup === true) this.stats.redeliveries++;
      // mqtt.js waits for `done` before the next packet; it must be called exactly once.
      let called = false;
      const finish = (code: number): void => {
        if (called) return;
        called = true;
        done(code);
      };
      this.handle(topic, message).then(finish, (err: unknown) => {
        this.log.error({ err: describeError(err), topic }, 'unexpected failure handling a message');
        finish(PUBACK.unspecifiedError);
      });
    };
    const persistent = c.broker.clientId !== undefined;
    this.link = new MqttLink({
      url: c.broker.url,
      // Without a configured id there is no session to come back to, so any unique id will do.
      clientId: c.broker.clientId ?? `hq-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      username: c.broker.username,
      password: c.broker.password,
      tls: { ca: c.broker.ca, cert: c.broker.cert, key: c.broker.key },
      keepaliveSeconds: c.broker.keepaliveSeconds,
      connectTimeoutMs: 30_000,
      backoff: { minMs: c.broker.reconnectMinSeconds * 1000, maxMs: c.broker.reconnectMaxSeconds * 1000 },
      // With a fixed client id the broker keeps the session (and the messages it holds for it)
      // while the collector restarts; the PUBACK-after-commit rule makes redelivery harmless.
      clean: !persistent,
      ...(persistent ? { sessionExpirySeconds: 86_400, endSessionOnStop: true } : {}),
      subscriptions: [
        { topic: sharedSubscription(c.group, this.prefix, 'batch'), qos: 1 },
        { topic: sharedSubscription(c.group, this.prefix, 'events'), qos: 1 },
      ],
      customHandleAcks: onAck,
      log: o.log,
      ...(o.random ? { random: o.random } : {}),
    });
    // QoS 0 messages never pass customHandleAcks; handle them too (nothing to delay for them).
    this.link.on('message', (topic, payload, qos) => {
      if (qos === 0) void this.handle(topic, payload);
    });
    this.link.on('up', () => this.emit('up'));
  }

  /** Creates the tables and connects. Resolves once the store is ready (not when connected). */
  async start(): Promise<void> {
    await this.o.store.init();
    this.link.start();
    this.log.info({ store: this.o.store.kind, group: this.o.config.group, prefix: this.prefix }, 'collector started');
  }

  async stop(): Promise<void> {
    await this.link.stop();
  }

  /** One message; resolves to the PUBACK reason code. Never rejects for bad input. */
  async handle(topic: string, message: Buffer): Promise<number> {
    const t = parseTopic(this.prefix, topic);
    if (t?.kind === 'events') {
      try {
        // Events are a few hundred bytes; anything far bigger is not one.
        if (message.length > 64 * 1024) throw new Error(`an event of ${message.length} bytes`);
        await this.o.store.event(t.box, storableJson(JSON.parse(message.toString('utf8'))), Date.now());
        this.stats.events++;
      } catch (err) {
        this.log.warn({ err: describeError(err), box: t.box }, 'ignored an unreadable event');
      }
      return PUBACK.success;
    }
    if (t?.kind !== 'batch') return PUBACK.success;
    const started = performance.now();
    try {
      return await this.handleBatch(topic, t.box, message);
    } finally {
      this.stats.busyMs += performance.now() - started;
    }
  }

  private async handleBatch(topic: string, box: string, message: Buffer): Promise<number> {
    const receivedAt = Date.now();
    const ackTopic = topicFor(this.prefix, box, 'ack');
    const dead = async (reason: DeadLetterReason, detail: string, batchId: string | null = null): Promise<number> => {
      this.stats.deadLetters[reason] = (this.stats.deadLetters[reason] ?? 0) + 1;
      this.log.warn({ box, reason, detail: detail.slice(0, 300), bytes: message.length }, 'malformed batch sent to the dead-letter table');
      const stored = storableText(detail.slice(0, 1000));
      try {
        await this.o.store.deadLetter({
          receivedAt,
          topic,
          box,
          reason,
          detail: stored,
          bytes: message.length,
          sample: message.subarray(0, 64).toString('hex'),
        });
      } catch (err) {
        this.stats.storeErrors++;
        this.log.error({ err: describeError(err) }, 'could not store a dead letter');
      }
      // Final: the same bytes would end here again, so the box must not send them again. Named
      // by the hash of the bytes because an unreadable message cannot name its batch.
      const deadAck: DeadAckMessage = {
        batch: batchId,
        status: 'dead',
        sha256: createHash('sha256').update(message).digest('hex'),
        reason,
        detail: stored,
      };
      this.stats.deadAcks++;
      this.publishAck(ackTopic, deadAck);
      this.emit('deadLetter', reason, topic);
      return PUBACK.payloadFormatInvalid;
    };

    let value: unknown;
    let compressed: boolean;
    try {
      ({ value, compressed } = await decodePayload(message, this.o.config.limits));
    } catch (err) {
      if (err instanceof DecodeError) return dead(err.reason, err.message);
      throw err;
    }
    const readableId = batchIdOf(value);
    if (typeof value === 'object' && value !== null && 'v' in value && value.v !== PROTOCOL_VERSION) {
      return dead('wrong-version', `version ${JSON.stringify(value.v).slice(0, 20)}; this collector speaks ${PROTOCOL_VERSION}`, readableId);
    }
    const parsed = batchEnvelopeSchema.safeParse(value);
    if (!parsed.success) return dead('bad-envelope', summariseIssues(parsed.error), readableId);
    const env = parsed.data;
    if (env.box !== box) return dead('box-mismatch', `the topic is for box ${box}, the payload says ${env.box}`, env.batch);
    if (env.records.length > this.o.config.limits.maxRecords) {
      return dead('too-many-records', `${env.records.length} records; at most ${this.o.config.limits.maxRecords} are accepted`, env.batch);
    }
    const check = checkRecords(env);
    if (!check.ok) return dead('bad-records', check.reason, env.batch);

    let batch: IngestBatch;
    try {
      batch = {
        box,
        db: env.db,
        batch: env.batch,
        seqFrom: env.seqFrom,
        seqTo: env.seqTo,
        bytes: message.length,
        compressed,
        receivedAt,
        records: check.valid.map(stored),
        rejected: check.rejected.map((r) => ({ ...stored(r.record), reason: storableText(r.reason) })),
      };
    } catch (err) {
      // JSON.stringify of a record nested beyond the stack's depth, say: it would fail every time.
      return dead('bad-records', `a record cannot be written back as JSON: ${describeError(err)}`, env.batch);
    }
    let result;
    try {
      result = await this.store(batch);
    } catch (err) {
      if (isPermanentStoreError(err)) {
        return dead('unstorable', `the database refuses the batch itself, whatever its records: ${describeError(err)}`, env.batch);
      }
      this.stats.storeErrors++;
      this.log.error({ err: describeError(err), box, batch: env.batch }, 'could not store a batch; asking the box to send it again');
      const retry: AckMessage = { batch: env.batch, status: 'retry', inserted: 0, duplicates: 0, rejected: [], retryAfterMs: 5000 };
      this.publishAck(ackTopic, retry);
      return PUBACK.unspecifiedError;
    }
    batch = result.batch;
    if (this.o.afterCommit) await this.o.afterCommit(env.batch);
    this.stats.batches++;
    this.stats.inserted += result.inserted;
    this.stats.duplicates += result.duplicates;
    this.stats.rejected += batch.rejected.length;
    const ack: AckMessage = {
      batch: env.batch,
      status: 'ok',
      inserted: result.inserted,
      duplicates: result.duplicates,
      rejected: batch.rejected.map((r) => ({ id: r.id, reason: r.reason.slice(0, 500) })),
    };
    this.publishAck(ackTopic, ack);
    this.emit('batch', box, env.batch, result.inserted, result.duplicates);
    return PUBACK.success;
  }

  /**
   * Stores a batch. When the database refuses it for a reason the same data would hit again,
   * finds the records to blame, rejects them (stored in `rejected_records` with only their seq,
   * id and type, which are known to be storable) and stores the rest.
   *
   * @returns the counts and the batch as finally stored (its `rejected` list is what the ack reports).
   * @throws HqStoreError: transient (answer `retry`), or permanent when the batch fails even without records.
   */
  private async store(batch: IngestBatch): Promise<{ inserted: number; duplicates: number; batch: IngestBatch }> {
    try {
      return { ...(await this.o.store.ingest(batch)), batch };
    } catch (err) {
      if (!isPermanentStoreError(err)) throw err;
      this.log.warn({ box: batch.box, batch: batch.batch, err: describeError(err) }, 'the database refuses this batch every time; looking for the records to blame');
    }
    const empty: IngestBatch = { ...batch, records: [], rejected: [] };
    // If the batch fails even without its records, no record is to blame (this throws).
    await this.o.store.probe(empty);
    type Entry = { kind: 'record'; r: StoredRecord } | { kind: 'rejected'; r: StoredRecord & { reason: string } };
    const entries: Entry[] = [
      ...batch.records.map((r): Entry => ({ kind: 'record', r })),
      ...batch.rejected.map((r): Entry => ({ kind: 'rejected', r })),
    ];
    const subset = (list: readonly Entry[]): IngestBatch => ({
      ...empty,
      records: list.flatMap((e) => (e.kind === 'record' ? [e.r] : [])),
      rejected: list.flatMap((e) => (e.kind === 'rejected' ? [e.r] : [])),
    });
    const blamed = new Map<Entry, string>();
    // Bisection: a half that stores cleanly is done in one probe, so a few bad records in a
    // batch of thousands cost a few dozen rolled-back statements, not one per record.
    const search = async (list: readonly Entry[]): Promise<void> => {
      if (list.length === 0) return;
      try {
        await this.o.store.probe(subset(list));
        return;
      } catch (err) {
        if (!isPermanentStoreError(err)) throw err;
        if (list.length === 1) {
          blamed.set(list[0] as Entry, describeError(err));
          return;
        }
      }
      const mid = Math.floor(list.length / 2);
      await search(list.slice(0, mid));
      await search(list.slice(mid));
    };
    await search(entries);
    const keep = entries.filter((e) => !blamed.has(e));
    const unstorable = [...blamed].map(([e, why]) => ({
      seq: e.r.seq,
      id: e.r.id,
      type: e.r.type,
      at: e.r.at,
      json: JSON.stringify({ seq: e.r.seq, id: e.r.id, type: e.r.type }),
      exact: null,
      reason: storableText(`HQ cannot store this record (${why})`.slice(0, 500)),
    }));
    this.stats.unstorable += unstorable.length;
    this.log.error(
      { box: batch.box, batch: batch.batch, records: unstorable.map((u) => ({ seq: u.seq, id: u.id })).slice(0, 10), count: unstorable.length },
      'records the database refuses are rejected; the box keeps them flagged',
    );
    const final = subset(keep);
    final.rejected = [...final.rejected, ...unstorable];
    return { ...(await this.o.store.ingest(final)), batch: final };
  }

  /**
   * Not awaited: waiting for the broker's PUBACK of the ack would add a round trip per batch,
   * and a lost ack costs only a re-send (the box's timeout) that stores nothing twice.
   */
  private publishAck(topic: string, ack: AnyAckMessage): void {
    this.link.publish(topic, JSON.stringify(ack), { qos: 1 }).catch((err: unknown) => {
      this.log.warn({ err: describeError(err), batch: ack.batch }, 'could not publish an ack; the box will send the batch again');
    });
  }
}

function stored(r: WireRecord): StoredRecord {
  const { json, exact } = storableJson(r);
  return { seq: r.seq, id: r.id, type: r.type, at: typeof r.at === 'number' && Number.isSafeInteger(r.at) ? r.at : null, json, exact };
}

/** The `batch` field of a message that failed its checks, when it is a usable id (for the `dead` ack). */
function batchIdOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('batch' in value)) return null;
  const id = value.batch;
  return typeof id === 'string' && /^[^\p{Cc}\p{Cs}]{1,128}$/u.test(id) ? id : null;
}
