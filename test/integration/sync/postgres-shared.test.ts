import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import mqtt from 'mqtt';
import pg from 'pg';

import { stableJson } from '../../../src/store/sync-log.js';
import { batchJson, encodeBatch } from '../../../src/sync/codec.js';
import { topicFor } from '../../../src/sync/protocol.js';
import { tempDir } from '../../helpers/box.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, hqConfig, recordCalls, startCollector } from './harness.js';

/** The machine's PostgreSQL (trust auth, database `test`); PG_URL overrides. */
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

test('two collectors on one shared subscription with PostgreSQL: each record stored once, the load shared', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  defer(() => admin.end());
  // Each run in its own schema, dropped afterwards, so runs never see each other's rows.
  const schema = `mcb_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  defer(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const settings = hqConfig(broker.url, { database: PG_URL, databaseSchema: schema, group: 'pg-test' });
  // Both start at once: the schema is created under an advisory lock, so neither fails.
  const [a, b] = await Promise.all([startCollector(settings), startCollector(settings)]);
  assert.ok(a && b);
  defer(() => a.stop());
  defer(() => b.stop());

  // 1. A box drains 6,000 calls in batches of 200: the broker deals them out to both collectors.
  const config = boxConfig(dir, { url: broker.url, batchSize: 200 });
  const { db, sync } = boxSync(config);
  defer(() => db.close());
  const rows = recordCalls(db, 6000);
  sync.start();
  defer(() => sync.stop());
  await waitFor('backlog 0', () => boxCounts(db).unsynced === 0, 60_000, 50);
  assert.ok(a.collector.stats.inserted > 0 && b.collector.stats.inserted > 0, `both collectors took batches (${a.collector.stats.inserted} + ${b.collector.stats.inserted})`);
  assert.equal(a.collector.stats.inserted + b.collector.stats.inserted, 6000);

  // 2. The same batches published twice at once (a re-send racing the original): the two
  //    collectors may store the same records concurrently; the primary key keeps one copy.
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'racer' });
  defer(() => publisher.endAsync());
  const dbId = randomUUID();
  const before = { a: a.collector.stats.batches, b: b.collector.stats.batches };
  const sent: Promise<unknown>[] = [];
  for (let k = 0; k < 10; k++) {
    const records = Array.from({ length: 100 }, (_, i) => {
      const seq = k * 100 + i + 1;
      return `{"seq":${seq},${stableJson({ at: 1_718_000_000_000 + seq, number: '+919812345678', withheld: false, modem: null, sim: null, port: 'line-1', id: randomUUID(), type: 'call' }).slice(1)}`;
    });
    const payload = await encodeBatch(batchJson({ box: 'racer-box', db: dbId, batch: randomUUID(), seqFrom: k * 100 + 1, seqTo: k * 100 + 100 }, records), true);
    const topic = topicFor('missedcall', 'racer-box', 'batch');
    sent.push(publisher.publishAsync(topic, payload, { qos: 1 }), publisher.publishAsync(topic, payload, { qos: 1 }));
  }
  await Promise.all(sent);
  await waitFor(
    'all 20 copies handled',
    () => a.collector.stats.batches - before.a + (b.collector.stats.batches - before.b) === 20,
    20_000,
  );

  const counts = await admin.query(`SELECT box, COUNT(*)::int AS n, COUNT(DISTINCT id)::int AS ids FROM "${schema}".records GROUP BY box ORDER BY box`);
  assert.deepEqual(counts.rows, [
    { box: 'racer-box', n: 1000, ids: 1000 },
    { box: 'test-box', n: 6000, ids: 6000 },
  ]);
  const boxIds = new Set(rows.map((r) => r.id));
  const stored = await admin.query(`SELECT id FROM "${schema}".records WHERE box = 'test-box'`);
  assert.deepEqual(new Set(stored.rows.map((r: { id: string }) => r.id)), boxIds);
  const receipts = await admin.query(`SELECT COUNT(*)::int AS n FROM "${schema}".batches WHERE box = 'racer-box' AND receipts = 2`);
  assert.equal((receipts.rows[0] as { n: number }).n, 10, 'HQ saw each raced batch twice');
  assert.equal(a.collector.stats.duplicates + b.collector.stats.duplicates, 1000, 'the second copy of each record was a duplicate');
  const report = await a.store.report({ utcOffsetMinutes: 330 });
  assert.deepEqual(report.gaps, []);
  assert.deepEqual(report.boxes.map((x) => [x.box, x.records, x.calls]), [
    ['racer-box', 1000, 1000],
    ['test-box', 6000, 6000],
  ]);
});
