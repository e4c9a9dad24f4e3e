import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import Database from 'better-sqlite3';
import mqtt from 'mqtt';

import { stableJson } from '../../../src/store/sync-log.js';
import { batchJson } from '../../../src/sync/codec.js';
import { ackSchema, topicFor, type AckMessage, type AnyAckMessage, type DeadAckMessage } from '../../../src/sync/protocol.js';
import { tempDir } from '../../helpers/box.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { nextEvent, waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, hqConfig, recordCalls, startCollector } from './harness.js';

const BOX = 'evil-box';
const DB = randomUUID();

function callRecord(seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { seq, id: randomUUID(), type: 'call', at: 1_718_000_000_000 + seq, number: '+919812345678', withheld: false, modem: null, sim: null, port: 'line-1', ...extra };
}

function batch(records: Record<string, unknown>[], header: Partial<{ v: number; box: string; seqFrom: number; seqTo: number }> = {}): string {
  const seqs = records.map((r) => Number(r.seq));
  const h = { box: header.box ?? BOX, db: DB, batch: randomUUID(), seqFrom: header.seqFrom ?? Math.min(...seqs), seqTo: header.seqTo ?? Math.max(...seqs) };
  const json = batchJson(h, records.map((r) => stableJson(r)));
  return header.v === undefined ? json : json.replace('{"v":1,', `{"v":${header.v},`);
}

test('malformed batches go to the dead-letter table with a reason and a counter; nothing partial is stored; the collector goes on', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hqFile = `${dir}/hq.db`;
  const hq = await startCollector(hqConfig(broker.url, { database: hqFile, limits: { maxMessageBytes: 1024 * 1024, maxInflatedBytes: 4 * 1024 * 1024 } }));
  defer(() => hq.stop());
  const evil = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'evil' });
  defer(() => evil.endAsync());
  const acks: AckMessage[] = [];
  const deadAcks: DeadAckMessage[] = [];
  await evil.subscribeAsync(topicFor('missedcall', BOX, 'ack'), { qos: 1 });
  evil.on('message', (_topic, payload) => {
    const ack = ackSchema.parse(JSON.parse(payload.toString())) as AnyAckMessage;
    if (ack.status === 'dead') deadAcks.push(ack);
    else acks.push(ack);
  });
  const topic = topicFor('missedcall', BOX, 'batch');

  const bad: [string, string | Buffer][] = [
    ['not-json', 'hello, this is not JSON'],
    ['not-json', gzipSync('{"v":1,"box":')],
    ['bad-gzip', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), randomBytes(200)])],
    // 64 MB of zeros: about 64 KB on the wire; inflating stops at the 4 MiB limit.
    ['gzip-too-large', gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 })],
    ['too-large', randomBytes(1024 * 1024 + 1)],
    ['wrong-version', batch([callRecord(1)], { v: 2 })],
    ['bad-envelope', '[1, 2, 3]'],
    ['bad-envelope', JSON.stringify({ v: 1, box: BOX, db: DB, batch: 'b', seqFrom: 1, records: [] })],
    ['box-mismatch', batch([callRecord(1)], { box: 'other-box' })],
    // 10,001 records of a few bytes each: under the size limits, over the record limit.
    ['too-many-records', gzipSync(JSON.stringify({ v: 1, box: BOX, db: DB, batch: 'huge', seqFrom: 1, seqTo: 10_001, records: Array.from({ length: 10_001 }, (_, i) => ({ seq: i + 1 })) }))],
    // Three good records and one out of the batch's range: the batch is refused as a whole.
    ['bad-records', batch([callRecord(1), callRecord(2), callRecord(3), callRecord(9)], { seqFrom: 1, seqTo: 4 })],
    ['bad-records', batch([callRecord(1), { seq: 2, type: 'call' }])],
  ];
  for (const [reason, payload] of bad) {
    const seen = nextEvent<[string, string]>(hq.collector, 'deadLetter', () => true, 10_000);
    await evil.publishAsync(topic, payload, { qos: 1 });
    const [got] = await seen;
    assert.equal(got, reason, `expected ${reason} for ${String(payload).slice(0, 40)}`);
  }
  // Each dead letter is answered with a final `dead` ack naming the bytes by their SHA-256 (the
  // sender cannot be told by batch id when HQ could not read one), so a box stops re-sending.
  await waitFor('a dead ack for each', () => deadAcks.length === bad.length, 5000);
  assert.deepEqual(
    deadAcks.map((a) => [a.reason, a.sha256]),
    bad.map(([reason, payload]) => [reason, createHash('sha256').update(payload).digest('hex')]),
  );
  assert.equal(deadAcks.find((a) => a.reason === 'too-many-records')?.batch, 'huge', 'the batch id when HQ could read it');
  assert.equal(deadAcks[0]?.batch, null);

  // A batch with one record whose call fields are wrong: the others are stored, that one is
  // rejected by id (kept and flagged on the box), and the ack says so.
  const wrongField = callRecord(3, { withheld: 'maybe' });
  const partial = nextEvent(hq.collector, 'batch', () => true, 10_000);
  await evil.publishAsync(topic, batch([callRecord(1), callRecord(2), wrongField]), { qos: 1 });
  await partial;
  // A good batch afterwards: the collector never stopped.
  const good = nextEvent(hq.collector, 'batch', () => true, 10_000);
  await evil.publishAsync(topic, gzipSync(batch([callRecord(4), callRecord(5)])), { qos: 1 });
  await good;
  await waitFor('both acks', () => acks.length === 2, 5000);

  assert.deepEqual(
    acks.map((a) => [a.status, a.inserted, a.duplicates, a.rejected.map((r) => r.id)]),
    [
      ['ok', 2, 0, [wrongField.id]],
      ['ok', 2, 0, []],
    ],
  );
  assert.match(acks[0]?.rejected[0]?.reason ?? '', /withheld/);
  const hqDb = new Database(hqFile, { readonly: true });
  defer(() => hqDb.close());
  assert.equal(hqDb.prepare(`SELECT COUNT(*) FROM records`).pluck().get(), 4, 'only the good records of the last two batches');
  assert.deepEqual(hqDb.prepare(`SELECT seq FROM records ORDER BY seq`).pluck().all(), [1, 2, 4, 5]);
  assert.deepEqual(hqDb.prepare(`SELECT id, seq, reason FROM rejected_records`).all(), [{ id: wrongField.id, seq: 3, reason: acks[0]?.rejected[0]?.reason }]);
  const counts = Object.fromEntries((hqDb.prepare(`SELECT reason, count FROM dead_letter_counts`).all() as { reason: string; count: number }[]).map((r) => [r.reason, r.count]));
  assert.deepEqual(counts, {
    'not-json': 2,
    'bad-gzip': 1,
    'gzip-too-large': 1,
    'too-large': 1,
    'wrong-version': 1,
    'bad-envelope': 2,
    'box-mismatch': 1,
    'too-many-records': 1,
    'bad-records': 2,
  });
  assert.equal(hqDb.prepare(`SELECT COUNT(*) FROM dead_letters`).pluck().get(), 12);
  const sample = hqDb.prepare(`SELECT bytes, length(sample) AS n FROM dead_letters WHERE reason = 'too-large'`).get() as { bytes: number; n: number };
  assert.deepEqual(sample, { bytes: 1024 * 1024 + 1, n: 128 }, 'the size and a 64-byte sample, not the payload');
  assert.equal(hq.collector.link.status().connects, 1, 'the collector never dropped its connection');
  assert.deepEqual(hq.collector.stats.deadLetters, counts);
  // The gap report counts the rejected record as present: seq 1..5 has no hole.
  assert.deepEqual((await hq.store.report({ utcOffsetMinutes: 0 })).gaps, []);
});

test('a batch HQ dead-letters gets a final "dead" ack: the box flags its records rejected (kept) and moves on instead of re-sending it for ever', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  // HQ takes at most 5 records a batch; the box was set up for 8.
  const hq = await startCollector(hqConfig(broker.url, { database: `${dir}/hq.db`, limits: { maxRecords: 5 } }));
  defer(() => hq.stop());
  const { db, sync } = boxSync(boxConfig(dir, { url: broker.url, batchSize: 8, ackTimeoutSeconds: 2 }));
  defer(() => db.close());
  recordCalls(db, 8);
  sync.start();
  defer(() => sync.stop());
  await waitFor('the batch settled', () => boxCounts(db).unsynced === 0, 15_000, 50);
  assert.deepEqual(boxCounts(db), { total: 8, synced: 0, rejected: 8, unsynced: 0 });
  const reasons = db.prepare(`SELECT DISTINCT rejected FROM sync_log`).pluck().all() as string[];
  assert.equal(reasons.length, 1);
  assert.match(reasons[0] ?? '', /^HQ refused the whole batch \(too-many-records\): 8 records; at most 5/);
  assert.equal(sync.status().inFlight, 0, 'no batch left open');
  const sends = hq.collector.stats.deadLetters['too-many-records'] ?? 0;
  // Time for several re-sends if the box were still trying (ack timeout 2 s).
  await new Promise((r) => setTimeout(r, 4500));
  assert.equal(hq.collector.stats.deadLetters['too-many-records'], sends, 'not sent again');
  assert.equal(hq.collector.stats.deadAcks, sends);
  // Calls recorded afterwards still go (in batches HQ accepts, once the box's limit is fixed).
  recordCalls(db, 3, 8);
  await waitFor('the new calls synced', () => boxCounts(db).synced === 3, 15_000, 50);
});
