/**
 * The sync worker against a real SQLite file and a fake transport that records what would go to
 * the broker, with acks played by the test: batching, byte-identical re-sends, the window, ack
 * handling and the backlog counts, without a broker.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { silentLogger } from '../../../src/log.js';
import { databaseId, openDatabase, type Db } from '../../../src/store/db.js';
import { SyncLog } from '../../../src/store/sync-log.js';
import { BatchStore } from '../../../src/sync/batch-store.js';
import type { AckMessage, BatchEnvelope } from '../../../src/sync/protocol.js';
import { SyncWorker, type SyncTransport, type SyncWorkerOptions } from '../../../src/sync/sync-worker.js';
import { tempDir } from '../../helpers/box.js';
import { waitFor } from '../../helpers/wait.js';

class FakeTransport implements SyncTransport {
  up = true;
  readonly sent: { topic: string; payload: Buffer }[] = [];
  publish(topic: string, payload: Buffer): Promise<void> {
    this.sent.push({ topic, payload });
    return Promise.resolve();
  }
  batches(): (BatchEnvelope & { bytes: Buffer })[] {
    return this.sent.map((s) => ({ ...(JSON.parse(gunzipSync(s.payload).toString()) as BatchEnvelope), bytes: s.payload }));
  }
}

function setup(t: TestContext, options: Partial<SyncWorkerOptions> = {}): { db: Db; log: SyncLog; transport: FakeTransport; worker: SyncWorker; make: (o?: Partial<SyncWorkerOptions>) => SyncWorker } {
  const { dir, remove } = tempDir('mcb-sync-unit-');
  const db = openDatabase(join(dir, 'box.db'));
  const transport = new FakeTransport();
  const made: SyncWorker[] = [];
  const make = (o: Partial<SyncWorkerOptions> = {}): SyncWorker => {
    const w = new SyncWorker({
      db,
      transport,
      log: silentLogger(),
      box: 'unit-box',
      dbId: databaseId(db),
      topicPrefix: 'missedcall',
      batchSize: 10,
      maxDelayMs: 0,
      ackTimeoutMs: 60_000,
      compress: true,
      pollMs: 10,
      drainSpreadMs: 0,
      ...options,
      ...o,
    });
    made.push(w);
    return w;
  };
  t.after(async () => {
    for (const w of made) await w.stop();
    db.close();
    remove();
  });
  return { db, log: new SyncLog(db), transport, worker: make(), make };
}

function append(log: SyncLog, n: number, extra: Record<string, unknown> = {}): string[] {
  return Array.from({ length: n }, () => {
    const id = randomUUID();
    log.append(id, 'call', { at: 1, number: '+919812345678', withheld: false, modem: null, sim: null, port: 'line-1', ...extra });
    return id;
  });
}

const ok = (batch: BatchEnvelope, rejected: { id: string; reason: string }[] = []): AckMessage => ({
  batch: batch.batch,
  status: 'ok',
  inserted: batch.records.length - rejected.length,
  duplicates: 0,
  rejected,
});

function slowCounts(db: Db): { backlog: number; unbatched: number; rejected: number } {
  return db
    .prepare(
      `SELECT SUM(CASE WHEN synced_at IS NULL AND rejected IS NULL THEN 1 ELSE 0 END) AS backlog,
              SUM(CASE WHEN batch_id IS NULL THEN 1 ELSE 0 END) AS unbatched,
              SUM(CASE WHEN rejected IS NOT NULL THEN 1 ELSE 0 END) AS rejected FROM sync_log`,
    )
    .get() as { backlog: number; unbatched: number; rejected: number };
}

test('batches of at most batchSize, contiguous seq ranges, membership fixed in the database; only acks mark synced', async (t) => {
  const { db, log, transport, worker } = setup(t, { maxInFlight: 1 });
  append(log, 25);
  worker.start();
  await waitFor('the first batch', () => transport.sent.length === 1, 2000);
  const [first] = transport.batches();
  assert.ok(first);
  assert.equal(first.box, 'unit-box');
  assert.equal(first.db, databaseId(db));
  assert.deepEqual([first.seqFrom, first.seqTo, first.records.length], [1, 10, 10]);
  assert.deepEqual(first.records.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(transport.sent[0]?.topic, 'missedcall/v1/unit-box/batch');
  const members = db.prepare(`SELECT seq FROM sync_log WHERE batch_id = ? ORDER BY seq`).pluck().all(first.batch);
  assert.deepEqual(members, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(db.prepare(`SELECT COUNT(*) FROM sync_log WHERE synced_at IS NOT NULL`).pluck().get(), 0, 'the PUBACK is not an ack');
  assert.equal(transport.sent.length, 1, 'one in flight');

  // HQ acks each batch as it comes; the next one goes only then.
  let acked = 0;
  await waitFor(
    'all three batches acked',
    () => {
      const open = transport.batches().slice(acked);
      assert.ok(open.length <= 1, 'never more than one in flight');
      for (const b of open) {
        worker.onAck(ok(b));
        acked++;
      }
      return slowCounts(db).backlog === 0;
    },
    2000,
    5,
  );
  assert.deepEqual(transport.batches().map((b) => [b.seqFrom, b.seqTo]), [[1, 10], [11, 20], [21, 25]]);
  assert.equal(worker.status().counters.recordsSynced, 25);
});

test('a re-send is byte-identical: after an ack timeout, after a reconnect, and after a restart', async (t) => {
  const { log, transport, worker, make } = setup(t, { ackTimeoutMs: 150 });
  append(log, 10);
  worker.start();
  await waitFor('sent, then re-sent after the ack timeout', () => transport.sent.length >= 2, 3000);
  assert.deepEqual(transport.sent[1]?.payload, transport.sent[0]?.payload);
  assert.ok(worker.status().counters.ackTimeouts >= 1);
  // A reconnect sends it again at once.
  transport.up = false;
  worker.onDown();
  const before = transport.sent.length;
  transport.up = true;
  worker.onUp();
  await waitFor('re-sent after the reconnect', () => transport.sent.length > before, 2000);
  await worker.stop();
  // A new process: the open batch's stored bytes go out, not a rebuilt batch.
  const again = make({ ackTimeoutMs: 60_000 });
  const count = transport.sent.length;
  again.start();
  await waitFor('re-sent after the restart', () => transport.sent.length > count, 2000);
  const bytes = transport.sent.map((s) => s.payload.toString('base64'));
  assert.equal(new Set(bytes).size, 1, 'every send carried the same bytes');
  const [b] = transport.batches();
  assert.ok(b);
  again.onAck(ok(b));
  assert.equal(again.status().counters.recordsSynced, 10);
});

test('a smaller batch waits maxDelayMs from its oldest record, then goes', async (t) => {
  const { log, transport, worker } = setup(t, { maxDelayMs: 400, batchSize: 100 });
  worker.start();
  const start = Date.now();
  append(log, 3);
  await waitFor('the batch', () => transport.sent.length === 1, 3000, 5);
  const waited = Date.now() - start;
  assert.ok(waited >= 350, `sent after ${waited} ms`);
  assert.equal(transport.batches()[0]?.records.length, 3);
});

test('HQ-rejected records are flagged and kept, never counted as synced; a stale or malformed ack changes nothing', async (t) => {
  const { db, log, transport, worker } = setup(t);
  const ids = append(log, 4);
  worker.start();
  await waitFor('the batch', () => transport.sent.length === 1, 2000);
  const [b] = transport.batches();
  assert.ok(b);
  worker.onAck(ok(b, [{ id: ids[2] ?? '', reason: 'call: withheld: expected boolean' }]));
  assert.deepEqual(slowCounts(db), { backlog: 0, unbatched: 0, rejected: 1 });
  assert.deepEqual(db.prepare(`SELECT seq, synced_at IS NOT NULL AS synced, rejected FROM sync_log ORDER BY seq`).all(), [
    { seq: 1, synced: 1, rejected: null },
    { seq: 2, synced: 1, rejected: null },
    { seq: 3, synced: 0, rejected: 'call: withheld: expected boolean' },
    { seq: 4, synced: 1, rejected: null },
  ]);
  const counts = new BatchStore(db).counts();
  assert.deepEqual([counts.backlog, counts.unbatched, counts.openBatches, counts.rejected], [0, 0, 0, 1]);
  worker.onAck(ok(b));
  assert.equal(worker.status().counters.staleAcks, 1);
  await worker.onAckMessage(Buffer.from('not json'));
  await worker.onAckMessage(Buffer.from('{"batch":"x","status":"great"}'));
  assert.equal(worker.status().counters.badAcks, 2);
  assert.equal(db.prepare(`SELECT COUNT(*) FROM sync_log`).pluck().get(), 4, 'nothing deleted');
});

test('"retry" from HQ: the batch goes again after retryAfterMs, and it is not a timeout', async (t) => {
  const { log, transport, worker } = setup(t);
  append(log, 5);
  worker.start();
  await waitFor('the batch', () => transport.sent.length === 1, 2000);
  const [b] = transport.batches();
  assert.ok(b);
  worker.onAck({ batch: b.batch, status: 'retry', inserted: 0, duplicates: 0, rejected: [], retryAfterMs: 200 });
  const at = Date.now();
  await waitFor('sent again', () => transport.sent.length === 2, 3000, 5);
  assert.ok(Date.now() - at >= 150);
  assert.deepEqual(transport.sent[1]?.payload, transport.sent[0]?.payload);
  assert.equal(worker.status().counters.retries, 1);
  assert.equal(worker.status().counters.ackTimeouts, 0);
});

test('the window grows to maxInFlight while a backlog drains; the cheap counts match a full recount at every step', async (t) => {
  const { db, log, transport, worker } = setup(t, { maxInFlight: 4 });
  append(log, 200);
  worker.start();
  const acked = new Set<string>();
  const inFlight: number[] = [];
  await waitFor(
    'the backlog drained',
    () => {
      const open = transport.batches().filter((b) => !acked.has(b.batch));
      inFlight.push(open.length);
      const fast = new BatchStore(db).counts();
      const slow = slowCounts(db);
      assert.deepEqual([fast.backlog, fast.unbatched, fast.rejected], [slow.backlog, slow.unbatched, slow.rejected]);
      // Ack the oldest one each round, so the window has room to grow.
      const next = open[0];
      if (next) {
        acked.add(next.batch);
        worker.onAck(ok(next));
      }
      return slowCounts(db).backlog === 0;
    },
    5000,
    5,
  );
  assert.equal(Math.max(...inFlight), 4, 'up to maxInFlight batches out at once');
  assert.equal(inFlight[0] ?? 0, 0);
  assert.equal(worker.status().counters.recordsSynced, 200);
});

test('a row whose payload is not a JSON object is flagged and skipped, and the rest still go', async (t) => {
  const { db, log, transport, worker } = setup(t);
  append(log, 2);
  db.prepare(`INSERT INTO sync_log (id, type, payload, created_at) VALUES (?, 'call', 'oops', 0)`).run(randomUUID());
  append(log, 2);
  worker.start();
  await waitFor('the batch', () => transport.sent.length === 1, 2000);
  const [b] = transport.batches();
  assert.ok(b);
  assert.deepEqual(b.records.map((r) => r.seq), [1, 2, 4, 5]);
  assert.deepEqual([b.seqFrom, b.seqTo], [1, 5]);
  worker.onAck(ok(b));
  assert.deepEqual(slowCounts(db), { backlog: 0, unbatched: 0, rejected: 1 });
});

test('while the transport is down nothing is published and nothing is batched', async (t) => {
  const { db, log, transport, worker } = setup(t);
  transport.up = false;
  append(log, 30);
  worker.start();
  worker.nudge();
  await new Promise((r) => setTimeout(r, 100)); // several poll periods (10 ms) in which nothing may happen
  assert.equal(transport.sent.length, 0);
  assert.equal(slowCounts(db).unbatched, 30);
  transport.up = true;
  worker.onUp();
  await waitFor('sending once up', () => transport.sent.length === 1, 2000);
});

test('the window falls back to one batch when an ack times out', async (t) => {
  const { log, transport, worker } = setup(t, { maxInFlight: 4, ackTimeoutMs: 200 });
  append(log, 100);
  worker.start();
  // Ack the first three batches as they come: the window opens to 4.
  let acked = 0;
  await waitFor(
    'the window at 4',
    () => {
      for (const b of transport.batches().slice(acked)) {
        if (acked >= 3) break;
        worker.onAck(ok(b));
        acked++;
      }
      return worker.status().window === 4;
    },
    2000,
    5,
  );
  // Then HQ goes quiet: once the timeout passes, one batch at a time again.
  await waitFor('a timeout', () => worker.status().counters.ackTimeouts > 0, 3000, 5);
  assert.equal(worker.status().window, 1);
});

test('HQ answering "retry" again and again: each wait is twice the last (capped), and the status says so', async (t) => {
  const { log, transport, worker } = setup(t, { random: () => 0, maxResendDelayMs: 1000 });
  append(log, 3);
  worker.start();
  await waitFor('the batch', () => transport.sent.length === 1, 2000);
  const [b] = transport.batches();
  assert.ok(b);
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = Date.now();
    worker.onAck({ batch: b.batch, status: 'retry', inserted: 0, duplicates: 0, rejected: [], retryAfterMs: 100 });
    const status = worker.status().retrying;
    assert.ok(status);
    assert.equal(status.inARow, i + 1);
    waits.push(Math.round((status.nextAt - before) / 50) * 50);
  }
  assert.deepEqual(waits, [100, 200, 400, 800, 1000], 'doubling from HQ\'s figure up to maxResendDelayMs');
  // An ok ends the run.
  worker.onAck(ok(b));
  assert.equal(worker.status().retrying, null);
});

test('a "dead" ack (found by the SHA-256 of the bytes): the batch\'s records are flagged rejected, kept, and the next batch goes', async (t) => {
  const { db, log, transport, worker } = setup(t, { batchSize: 3, maxInFlight: 1 });
  append(log, 5);
  worker.start();
  await waitFor('the first batch', () => transport.sent.length === 1, 2000);
  const sent = transport.sent[0];
  assert.ok(sent);
  worker.onAck({ batch: null, status: 'dead', sha256: createHash('sha256').update(sent.payload).digest('hex'), reason: 'not-gzip', detail: 'bad gzip' });
  await waitFor('the next batch', () => transport.sent.length === 2, 2000);
  assert.deepEqual(transport.batches()[1]?.records.map((r) => r.seq), [4, 5]);
  const rows = db.prepare(`SELECT seq, synced_at IS NOT NULL AS synced, rejected FROM sync_log ORDER BY seq`).all() as { seq: number; synced: number; rejected: string | null }[];
  assert.deepEqual(rows.slice(0, 3).map((r) => [r.seq, r.synced, r.rejected]), [1, 2, 3].map((s) => [s, 0, 'HQ refused the whole batch (not-gzip): bad gzip']));
  assert.equal(worker.status().counters.deadBatches, 1);
  assert.equal(worker.status().counters.recordsRejected, 3);
  assert.equal(new BatchStore(db).counts().openBatches, 1, 'only the new batch is open');
  // A dead ack for bytes it never sent changes nothing.
  worker.onAck({ batch: null, status: 'dead', sha256: 'f'.repeat(64), reason: 'not-gzip', detail: 'x' });
  assert.equal(worker.status().counters.deadBatches, 1);
});

test('an "ok" ack whose counts do not add up to the batch marks nothing synced; the batch stays open and goes again', async (t) => {
  const { db, log, transport, worker } = setup(t, { ackTimeoutMs: 200 });
  const ids = append(log, 4);
  worker.start();
  await waitFor('the batch', () => transport.sent.length === 1, 2000);
  const [b] = transport.batches();
  assert.ok(b);
  worker.onAck({ batch: b.batch, status: 'ok', inserted: 1, duplicates: 0, rejected: [] });
  worker.onAck({ batch: b.batch, status: 'ok', inserted: 3, duplicates: 0, rejected: [{ id: 'not-in-the-batch', reason: 'x' }] });
  worker.onAck({ batch: b.batch, status: 'ok', inserted: 2, duplicates: 0, rejected: [{ id: ids[0] ?? '', reason: 'x' }, { id: ids[0] ?? '', reason: 'x' }] });
  assert.equal(worker.status().counters.badAcks, 3);
  assert.equal(db.prepare(`SELECT COUNT(*) FROM sync_log WHERE synced_at IS NOT NULL OR rejected IS NOT NULL`).pluck().get(), 0);
  assert.equal(new BatchStore(db).counts().openBatches, 1);
  await waitFor('sent again', () => transport.sent.length >= 2, 3000);
  worker.onAck(ok(b));
  assert.equal(worker.status().counters.recordsSynced, 4);
});

test('a batch is cut by UTF-8 bytes (envelope included), reading rows a page at a time, not batchSize whole rows', async (t) => {
  const { log, transport, worker } = setup(t, { batchSize: 1000, maxBatchBytes: 4000, compress: false });
  // 200 letters of Devanagari: 200 UTF-16 units, 600 bytes of UTF-8 each.
  append(log, 1000, { text: 'क'.repeat(200) });
  const read: number[] = [];
  const proto = BatchStore.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'readUnbatched')?.value as BatchStore['readUnbatched'];
  proto.readUnbatched = function (this: BatchStore, limit: number, after?: number) {
    const rows = original.call(this, limit, after);
    read.push(rows.length);
    return rows;
  };
  t.after(() => {
    proto.readUnbatched = original;
  });
  worker.start();
  await waitFor('the batch', () => transport.sent.length === 1, 2000);
  const payload = transport.sent[0]?.payload;
  assert.ok(payload);
  assert.ok(payload.length <= 4000, `${payload.length} bytes in a batch limited to 4000`);
  const records = (JSON.parse(payload.toString('utf8')) as BatchEnvelope).records.length;
  assert.ok(records >= 4 && records < 10, `${records} records`);
  const total = read.reduce((a, b) => a + b, 0);
  assert.ok(total <= 100, `${total} rows read for a batch of ${records}`);
});
