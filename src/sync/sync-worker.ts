/**
 * Store-and-forward of `sync_log` to HQ: cuts batches from the oldest unsent rows, publishes
 * them, and marks rows synced only when HQ's `ack` says it committed them (end to end; the
 * broker's PUBACK proves nothing about HQ's database).
 *
 * Flow control, all driven from the database (nothing is queued in memory but the batches
 * currently open, at most `maxInFlight`):
 * - a batch is cut when `batchSize` rows wait, or `maxDelayMs` after the oldest of them;
 * - one batch is in flight normally; while a backlog drains the window grows by one per ack up
 *   to `maxInFlight` ("slow start") and falls back to one on any timeout or `retry`;
 * - an unacknowledged batch is re-sent, byte-identical, after `ackTimeoutMs`, then after twice
 *   that, and so on up to `maxResendDelayMs`;
 * - a batch HQ keeps answering `retry` for waits longer after each answer (a few seconds, then
 *   twice that, … up to `maxResendDelayMs`), and the status says it keeps being retried;
 * - a `dead` ack (HQ will never store the batch) flags its records rejected and closes it;
 * - after a reconnect with a backlog, the first send waits a random part of `drainSpreadMs`,
 *   so thousands of boxes coming back together do not all hit HQ in the same second.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { BatchStore, type OpenBatch } from './batch-store.js';
import { batchJson, decodeControl, encodeBatch, isSpliceable, wireRecord } from './codec.js';
import { ackSchema, topicFor, type AnyAckMessage, type DeadAckMessage } from './protocol.js';

/** What the worker needs of the connection (MqttLink, or a fake in unit tests). */
export interface SyncTransport {
  readonly up: boolean;
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1; retain?: boolean }): Promise<void>;
}

export interface SyncWorkerOptions {
  db: Db;
  transport: SyncTransport;
  log: Logger;
  box: string;
  /** `databaseId(db)`. */
  dbId: string;
  topicPrefix: string;
  batchSize: number;
  maxDelayMs: number;
  ackTimeoutMs: number;
  compress: boolean;
  /** Cap of the growing resend delay. Default 10 minutes. */
  maxResendDelayMs?: number;
  /** Batches in flight at most while a backlog drains. Default 4. */
  maxInFlight?: number;
  /** A batch stops growing at this much JSON even below `batchSize` (long SMS texts). Default 512 KiB. */
  maxBatchBytes?: number;
  /** How often the log is looked at for new rows and deadlines. Default 1000 ms. */
  pollMs?: number;
  /** After a reconnect with a backlog, wait up to this long (random) before sending. Default 10 s. */
  drainSpreadMs?: number;
  random?: () => number;
}

/** Counters since start, for /api/status and the benchmark. */
export interface SyncCounters {
  batchesCut: number;
  sends: number;
  resends: number;
  acks: number;
  retries: number;
  ackTimeouts: number;
  staleAcks: number;
  /** Acks that could not be read, or whose counts do not account for their batch. */
  badAcks: number;
  /** Batches HQ answered `dead` for: their records are flagged rejected. */
  deadBatches: number;
  recordsSynced: number;
  /** Records HQ rejected, alone or with their whole batch (`dead`). */
  recordsRejected: number;
  /** Payload bytes published (gzip when on), re-sends included. */
  bytesSent: number;
  /** Records in first sends, and their wire and JSON bytes (for bytes per record). */
  recordsSent: number;
  wireBytesFirstSend: number;
  jsonBytesFirstSend: number;
  errors: number;
}

/** Open batches HQ keeps answering `retry` for (its database refuses them, or is down). */
export interface RetryingStatus {
  /** How many open batches got `retry` as their last answer. */
  batches: number;
  /** The most `retry` answers in a row any one of them got. */
  inARow: number;
  /** When the longest run of `retry` answers began. */
  since: number;
  /** When the next of them goes again. */
  nextAt: number;
}

export interface SyncWorkerStatus {
  window: number;
  inFlight: number;
  lastAckAt: number | null;
  lastError: string | null;
  /** Null unless some batch is being retried at HQ's request. */
  retrying: RetryingStatus | null;
  counters: SyncCounters;
}

interface Flight {
  batch: OpenBatch;
  /** Sent on the current connection (a reconnect sends every open batch again). */
  sentNow: boolean;
  /** Sends since this process started, for the growing resend delay. */
  attempts: number;
  /** When to send again if no ack has come. */
  resendAt: number;
  /** HQ answered `retry`: not before this time, and it is not a timeout. */
  notBefore: number;
  /** `retry` answers in a row for this batch (the wait grows with them); 0 after any other outcome. */
  retries: number;
  /** When the current run of `retry` answers began. */
  retrySince: number;
  /** SHA-256 of the payload, for matching a `dead` ack (computed when one comes). */
  sha256?: string;
}

/** Rows read per page while cutting a batch. */
const CUT_PAGE_ROWS = 64;

export class SyncWorker {
  readonly counters: SyncCounters = {
    batchesCut: 0,
    sends: 0,
    resends: 0,
    acks: 0,
    retries: 0,
    ackTimeouts: 0,
    staleAcks: 0,
    badAcks: 0,
    deadBatches: 0,
    recordsSynced: 0,
    recordsRejected: 0,
    bytesSent: 0,
    recordsSent: 0,
    wireBytesFirstSend: 0,
    jsonBytesFirstSend: 0,
    errors: 0,
  };
  private readonly store: BatchStore;
  private readonly log: Logger;
  private readonly flights = new Map<string, Flight>();
  private readonly batchTopic: string;
  private readonly maxInFlight: number;
  private readonly maxBatchBytes: number;
  private readonly maxResendDelayMs: number;
  private readonly pollMs: number;
  private readonly drainSpreadMs: number;
  private readonly random: () => number;
  private window = 1;
  private holdUntil = 0;
  private firstSeen: { seq: number; at: number } | null = null;
  private lastAckAt: number | null = null;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private flushRequested = false;

  constructor(private readonly o: SyncWorkerOptions) {
    this.store = new BatchStore(o.db);
    this.log = o.log.child({ module: 'sync' });
    this.batchTopic = topicFor(o.topicPrefix, o.box, 'batch');
    this.maxInFlight = Math.max(1, o.maxInFlight ?? 4);
    this.maxBatchBytes = o.maxBatchBytes ?? 512 * 1024;
    this.maxResendDelayMs = o.maxResendDelayMs ?? 600_000;
    this.pollMs = o.pollMs ?? 1000;
    this.drainSpreadMs = o.drainSpreadMs ?? 10_000;
    this.random = o.random ?? Math.random;
  }

  /** Loads the batches left open by the last run (their stored bytes go out again as they are). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const batch of this.store.openBatches()) {
      this.flights.set(batch.id, newFlight(batch));
    }
    if (this.flights.size > 0) this.log.info({ batches: this.flights.size }, 'batches from the last run wait for their ack; they will be sent again');
    this.timer = setInterval(() => this.pump(), this.pollMs);
    this.timer.unref();
    this.pump();
  }

  /** Stops cutting and sending; open batches stay in the database for the next run. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.pumping) await this.pumping;
  }

  /** The connection is up (subscribed to acks): every open batch goes again, slowly at first. */
  onUp(): void {
    // A new connection is a new path: the resend delay starts again from ackTimeoutMs (it grows
    // only while HQ stays silent on one connection).
    for (const f of this.flights.values()) {
      f.sentNow = false;
      f.attempts = 0;
    }
    this.window = 1;
    const waiting = this.flights.size > 1 || this.store.unbatchedUpTo(this.o.batchSize + 1) > this.o.batchSize;
    this.holdUntil = waiting && this.drainSpreadMs > 0 ? Date.now() + Math.round(this.random() * this.drainSpreadMs) : 0;
    if (this.holdUntil > 0) this.log.info({ waitMs: this.holdUntil - Date.now() }, 'backlog to drain; spreading the start');
    this.pump();
  }

  /** The connection is gone: nothing to do but wait; open batches stay open. */
  onDown(): void {
    this.window = 1;
  }

  /** New rows were appended (optional: the poll finds them anyway within `pollMs`). */
  nudge(): void {
    this.pump();
  }

  /** Send what waits now, without waiting for `maxDelayMs` or the drain spread (a person asked). */
  flushNow(): void {
    this.flushRequested = true;
    this.holdUntil = 0;
    this.pump();
  }

  /** An `ack` message from HQ. Malformed ones are counted and ignored. */
  async onAckMessage(payload: Buffer): Promise<void> {
    let ack: AnyAckMessage;
    try {
      const parsed = ackSchema.safeParse(await decodeControl(payload));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      ack = parsed.data;
    } catch (err) {
      this.counters.badAcks++;
      this.log.warn({ err: describeError(err) }, 'ignored a malformed ack from HQ');
      return;
    }
    this.onAck(ack);
  }

  /** Applies a parsed ack. */
  onAck(ack: AnyAckMessage): void {
    if (this.stopped) return;
    if (ack.status === 'dead') {
      this.onDead(ack);
      return;
    }
    const flight = this.flights.get(ack.batch);
    if (ack.status === 'retry') {
      if (!flight) return;
      this.counters.retries++;
      this.window = 1;
      const now = Date.now();
      if (flight.retries === 0) flight.retrySince = now;
      flight.retries++;
      // HQ says it stored nothing. If it says so again and again (its database refuses the
      // batch, or is down), asking every few seconds for ever only loads HQ and the SIM's data
      // plan: starting from HQ's own figure (or a few seconds), the wait doubles with each
      // answer in a row up to the re-send cap, and is never shorter than HQ's figure; up to
      // 20 % later, so boxes do not return in step.
      const base = ack.retryAfterMs ?? Math.min(this.o.ackTimeoutMs, 5000);
      const grown = Math.min(this.maxResendDelayMs, Math.max(1, base) * 2 ** Math.min(flight.retries - 1, 20));
      const floor = Math.max(grown, ack.retryAfterMs ?? 0);
      const wait = floor + Math.round(this.random() * floor * 0.2);
      flight.sentNow = false;
      flight.notBefore = now + wait;
      const log = flight.retries >= 3 ? this.log.error.bind(this.log) : this.log.warn.bind(this.log);
      log({ batch: ack.batch, waitMs: wait, retries: flight.retries }, `HQ could not store a batch (${flight.retries} time(s) in a row); it will be sent again`);
      return;
    }
    let outcome;
    try {
      outcome = this.store.applyAck(ack, Date.now());
    } catch (err) {
      this.failed(err, 'could not record an ack (it will come again after a re-send)');
      return;
    }
    if (outcome.kind === 'mismatch') {
      // Not proof that HQ stored every record: keep the batch open; a re-send asks again.
      this.counters.badAcks++;
      this.log.warn({ batch: ack.batch, problem: outcome.problem }, 'ignored an ack that does not account for its batch; the batch stays open');
      return;
    }
    this.flights.delete(ack.batch);
    if (outcome.kind === 'stale') {
      this.counters.staleAcks++;
      return;
    }
    this.counters.acks++;
    this.counters.recordsSynced += outcome.synced;
    this.counters.recordsRejected += outcome.rejected;
    this.lastAckAt = Date.now();
    if (outcome.rejected > 0) {
      this.log.warn({ batch: ack.batch, rejected: ack.rejected.slice(0, 5) }, `HQ rejected ${outcome.rejected} record(s); they are kept and flagged`);
    }
    this.window = Math.min(this.maxInFlight, this.window + 1);
    this.pump();
  }

  /**
   * HQ dead-lettered a batch: it will never store those bytes, so sending them again would
   * stall the box for ever. The batch is found by the hash of its bytes (HQ may not have been
   * able to read its id), its records are flagged rejected with HQ's reason, and the box moves on.
   */
  private onDead(ack: DeadAckMessage): void {
    let flight: Flight | undefined;
    for (const f of this.flights.values()) {
      f.sha256 ??= createHash('sha256').update(f.batch.payload).digest('hex');
      if (f.sha256 === ack.sha256) {
        flight = f;
        break;
      }
    }
    if (!flight) {
      this.counters.staleAcks++;
      return;
    }
    const reason = `HQ refused the whole batch (${ack.reason}): ${ack.detail}`;
    let flagged;
    try {
      flagged = this.store.applyDead(flight.batch.id, reason, Date.now());
    } catch (err) {
      this.failed(err, 'could not record a dead ack (it will come again after a re-send)');
      return;
    }
    this.flights.delete(flight.batch.id);
    if (flagged === null) {
      this.counters.staleAcks++;
      return;
    }
    this.counters.deadBatches++;
    this.counters.recordsRejected += flagged;
    this.log.error(
      { batch: flight.batch.id, seqFrom: flight.batch.seqFrom, seqTo: flight.batch.seqTo, reason: ack.reason, detail: ack.detail.slice(0, 200) },
      `HQ will never store a batch; its ${flagged} record(s) are kept and flagged rejected`,
    );
    this.pump();
  }

  status(): SyncWorkerStatus {
    let retrying: RetryingStatus | null = null;
    for (const f of this.flights.values()) {
      if (f.retries === 0) continue;
      retrying ??= { batches: 0, inARow: 0, since: f.retrySince, nextAt: f.notBefore };
      retrying.batches++;
      if (f.retries > retrying.inARow) retrying.inARow = f.retries;
      retrying.since = Math.min(retrying.since, f.retrySince);
      retrying.nextAt = Math.min(retrying.nextAt, f.notBefore);
    }
    return {
      window: this.window,
      inFlight: this.flights.size,
      lastAckAt: this.lastAckAt,
      lastError: this.lastError,
      retrying,
      counters: { ...this.counters },
    };
  }

  /** Run `pumpOnce` now, or again right after the run in progress (never two at once). */
  private pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        try {
          await this.pumpOnce();
        } catch (err) {
          this.failed(err, 'sync step failed; trying again shortly');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.pumping = null;
    });
  }

  private async pumpOnce(): Promise<void> {
    if (!this.o.transport.up || this.stopped) return;
    const now = Date.now();
    if (now < this.holdUntil) return;
    let inFlightNow = 0;
    for (const f of this.flights.values()) if (f.sentNow && f.resendAt > now) inFlightNow++;
    // Open batches first, oldest first: unsent on this connection, or whose ack is overdue.
    for (const f of this.flights.values()) {
      if (inFlightNow >= this.window) break;
      if (f.sentNow && f.resendAt > now) continue;
      if (!f.sentNow && f.notBefore > now) continue;
      if (f.sentNow) {
        this.counters.ackTimeouts++;
        this.window = 1;
        this.log.warn({ batch: f.batch.id, attempts: f.attempts }, 'no ack from HQ in time; sending the batch again');
      }
      this.send(f);
      inFlightNow++;
    }
    while (!this.stopped && this.o.transport.up && this.flights.size < this.window && inFlightNow < this.window) {
      const take = this.due();
      if (take === 0) break;
      // More than one batch in flight only while a backlog drains (full batches waiting); the
      // trickle of a normal day goes one batch at a time.
      if (take < this.o.batchSize && this.flights.size > 0) break;
      const flight = await this.cut();
      if (!flight) break;
      this.send(flight);
      inFlightNow++;
    }
  }

  /** How many rows to cut now: a full batch, or what waits once the oldest waited long enough. */
  private due(): number {
    const oldest = this.store.oldestUnbatched();
    if (oldest === null) {
      this.firstSeen = null;
      this.flushRequested = false;
      return 0;
    }
    if (this.firstSeen?.seq !== oldest.seq) this.firstSeen = { seq: oldest.seq, at: performance.now() };
    const waiting = this.store.unbatchedUpTo(this.o.batchSize);
    if (waiting >= this.o.batchSize || this.flushRequested) return waiting;
    // The box's own clock may jump (no RTC on a Pi): waited counts on the monotonic clock since
    // this process first saw the row; age counts on the wall clock and catches rows that waited
    // before a restart, and is ignored when negative (the clock went back).
    const waited = performance.now() - this.firstSeen.at;
    const age = Date.now() - oldest.createdAt;
    return waited >= this.o.maxDelayMs || age >= this.o.maxDelayMs ? waiting : 0;
  }

  /**
   * Cuts the next batch from the oldest unbatched rows and fixes it in the database. Rows are
   * read a page at a time and the batch stops at `batchSize` rows or `maxBatchBytes` of UTF-8
   * JSON, whichever comes first (a row of Hindi text is three bytes a letter on the wire).
   */
  private async cut(): Promise<Flight | null> {
    const id = randomUUID();
    const records: string[] = [];
    let first: number | null = null;
    let seqTo = 0;
    let inRange = 0;
    let jsonBytes = 0;
    let after = 0;
    let full = false;
    while (!full && inRange < this.o.batchSize) {
      const want = Math.min(CUT_PAGE_ROWS, this.o.batchSize - inRange);
      const page = this.store.readUnbatched(want, after);
      for (const row of page) {
        if (first === null) {
          first = row.seq;
          // The envelope, with the widest seqTo it can get: the whole batch stays within the limit.
          jsonBytes = Buffer.byteLength(batchJson({ box: this.o.box, db: this.o.dbId, batch: id, seqFrom: first, seqTo: Number.MAX_SAFE_INTEGER }, []));
        }
        if (!isSpliceable(row.payload)) {
          // A bug where the row was appended; it must not poison the batch. Kept and flagged.
          this.store.flagUnsendable(row.seq, 'payload is not a JSON object; not sent');
          this.log.error({ seq: row.seq }, 'a sync_log row is not a JSON object; flagged and skipped');
        } else {
          const record = wireRecord(row);
          const bytes = Buffer.byteLength(record) + (records.length > 0 ? 1 : 0);
          // A single record bigger than the limit still goes, alone.
          if (records.length > 0 && jsonBytes + bytes > this.maxBatchBytes) {
            full = true;
            break;
          }
          records.push(record);
          jsonBytes += bytes;
        }
        seqTo = row.seq;
        inRange++;
      }
      const last = page[page.length - 1];
      if (last === undefined || page.length < want) break;
      after = last.seq;
    }
    if (first === null) return null;
    const json = batchJson({ box: this.o.box, db: this.o.dbId, batch: id, seqFrom: first, seqTo }, records);
    const payload = await encodeBatch(json, this.o.compress);
    if (this.stopped) return null;
    const batch: OpenBatch = {
      id,
      seqFrom: first,
      seqTo,
      records: records.length,
      payload,
      jsonBytes: Buffer.byteLength(json),
      compressed: this.o.compress,
      createdAt: Date.now(),
      sends: 0,
    };
    this.store.commitBatch({ ...batch, bytes: payload.length }, inRange);
    this.counters.batchesCut++;
    const flight = newFlight(batch);
    this.flights.set(id, flight);
    return flight;
  }

  private send(f: Flight): void {
    const now = Date.now();
    const first = f.batch.sends === 0;
    f.sentNow = true;
    f.attempts++;
    f.batch.sends++;
    const delay = Math.min(this.maxResendDelayMs, this.o.ackTimeoutMs * 2 ** Math.min(f.attempts - 1, 20));
    // Up to 20 % later, so boxes that lost HQ together do not re-send together.
    f.resendAt = now + delay + Math.round(this.random() * delay * 0.2);
    if (!first) this.store.markSent(f.batch.id, now);
    this.counters.sends++;
    if (first) {
      this.counters.recordsSent += f.batch.records;
      this.counters.wireBytesFirstSend += f.batch.payload.length;
      this.counters.jsonBytesFirstSend += f.batch.jsonBytes;
    } else {
      this.counters.resends++;
    }
    this.counters.bytesSent += f.batch.payload.length;
    // The PUBACK only tells the broker has it; the batch stays open until HQ's ack. A failed
    // publish (the connection dropped) needs nothing: the reconnect sends every open batch.
    this.o.transport.publish(this.batchTopic, f.batch.payload, { qos: 1 }).catch((err: unknown) => {
      this.log.debug({ batch: f.batch.id, err: describeError(err) }, 'publish did not complete');
    });
  }

  private failed(err: unknown, what: string): void {
    this.counters.errors++;
    this.lastError = describeError(err);
    this.log.error({ err: this.lastError }, what);
  }
}

function newFlight(batch: OpenBatch): Flight {
  return { batch, sentNow: false, attempts: 0, resendAt: 0, notBefore: 0, retries: 0, retrySince: 0 };
}
