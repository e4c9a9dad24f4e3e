/**
 * The HQ collector: takes batches off the broker through an MQTT 5 shared subscription
 * (`$share/<group>/<prefix>/v1/+/batch`, so collectors in one group split the boxes' batches),
 * checks them, stores them, and answers each box on its `ack` topic.
 *
 * Order per message, which is the whole point:
 * 1. size, bounded gunzip, JSON, envelope schema, version, topic box = payload box, record
 *    count, every record's seq/id/type — any failure: the dead-letter table, no records, no ack;
 * 2. one database transaction (records once by id; rejected records; the batch);
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
  type DeadLetterReason,
  type WireRecord,
} from '../sync/protocol.js';
import type { HqConfig } from './config.js';
import type { HqStore, IngestBatch, StoredRecord } from './store.js';

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
  readonly stats: CollectorStats = { batches: 0, inserted: 0, duplicates: 0, rejected: 0, deadLetters: {}, storeErrors: 0, events: 0, redeliveries: 0, busyMs: 0 };
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
        await this.o.store.event(t.box, JSON.stringify(JSON.parse(message.toString('utf8'))), Date.now());
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
    const dead = async (reason: DeadLetterReason, detail: string): Promise<number> => {
      this.stats.deadLetters[reason] = (this.stats.deadLetters[reason] ?? 0) + 1;
      this.log.warn({ box, reason, detail: detail.slice(0, 300), bytes: message.length }, 'malformed batch sent to the dead-letter table');
      try {
        await this.o.store.deadLetter({
          receivedAt,
          topic,
          box,
          reason,
          detail: detail.slice(0, 1000),
          bytes: message.length,
          sample: message.subarray(0, 64).toString('hex'),
        });
      } catch (err) {
        this.stats.storeErrors++;
        this.log.error({ err: describeError(err) }, 'could not store a dead letter');
      }
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
    if (typeof value === 'object' && value !== null && 'v' in value && value.v !== PROTOCOL_VERSION) {
      return dead('wrong-version', `version ${JSON.stringify(value.v).slice(0, 20)}; this collector speaks ${PROTOCOL_VERSION}`);
    }
    const parsed = batchEnvelopeSchema.safeParse(value);
    if (!parsed.success) return dead('bad-envelope', summariseIssues(parsed.error));
    const env = parsed.data;
    if (env.box !== box) return dead('box-mismatch', `the topic is for box ${box}, the payload says ${env.box}`);
    if (env.records.length > this.o.config.limits.maxRecords) {
      return dead('too-many-records', `${env.records.length} records; at most ${this.o.config.limits.maxRecords} are accepted`);
    }
    const check = checkRecords(env);
    if (!check.ok) return dead('bad-records', check.reason);

    const batch: IngestBatch = {
      box,
      db: env.db,
      batch: env.batch,
      seqFrom: env.seqFrom,
      seqTo: env.seqTo,
      bytes: message.length,
      compressed,
      receivedAt,
      records: check.valid.map(stored),
      rejected: check.rejected.map((r) => ({ ...stored(r.record), reason: r.reason })),
    };
    const ackTopic = topicFor(this.prefix, box, 'ack');
    let result;
    try {
      result = await this.o.store.ingest(batch);
    } catch (err) {
      this.stats.storeErrors++;
      this.log.error({ err: describeError(err), box, batch: env.batch }, 'could not store a batch; asking the box to send it again');
      const retry: AckMessage = { batch: env.batch, status: 'retry', inserted: 0, duplicates: 0, rejected: [], retryAfterMs: 5000 };
      this.publishAck(ackTopic, retry);
      return PUBACK.unspecifiedError;
    }
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
   * Not awaited: waiting for the broker's PUBACK of the ack would add a round trip per batch,
   * and a lost ack costs only a re-send (the box's timeout) that stores nothing twice.
   */
  private publishAck(topic: string, ack: AckMessage): void {
    this.link.publish(topic, JSON.stringify(ack), { qos: 1 }).catch((err: unknown) => {
      this.log.warn({ err: describeError(err), batch: ack.batch }, 'could not publish an ack; the box will send the batch again');
    });
  }
}

function stored(r: WireRecord): StoredRecord {
  return { seq: r.seq, id: r.id, type: r.type, at: typeof r.at === 'number' && Number.isSafeInteger(r.at) ? r.at : null, json: JSON.stringify(r) };
}
