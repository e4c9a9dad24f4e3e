import assert from 'node:assert/strict';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { databaseId } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/box.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, hqConfig, recordCalls, startCollector } from './harness.js';

test('10,000 calls reach HQ once each; the box backlog ends at 0; the report shows no gaps', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hq = await startCollector(hqConfig(broker.url, { database: `${dir}/hq.db` }));
  defer(() => hq.stop());

  const config = boxConfig(dir, { url: broker.url });
  const { db, sync } = boxSync(config);
  defer(() => db.close());
  // Half recorded before sync starts (a backlog), half while it runs (live traffic).
  const rows = recordCalls(db, 5000);
  sync.start();
  defer(() => sync.stop());
  for (let i = 0; i < 10; i++) rows.push(...recordCalls(db, 500, 5000 + i * 500));

  await waitFor('backlog 0 on the box', () => boxCounts(db).unsynced === 0 && sync.status().backlog === 0, 60_000, 50);
  assert.deepEqual(boxCounts(db), { total: 10_000, synced: 10_000, rejected: 0, unsynced: 0 });
  assert.equal(sync.status().inFlight, 0);
  assert.ok((sync.status().counters?.acks ?? 0) >= 20, 'at least 20 batches of 500');

  const hqDb = new Database(`${dir}/hq.db`, { readonly: true });
  defer(() => hqDb.close());
  const stored = hqDb.prepare(`SELECT id, seq, box, db, type, payload FROM records ORDER BY seq`).all() as {
    id: string;
    seq: number;
    box: string;
    db: string;
    type: string;
    payload: string;
  }[];
  assert.equal(stored.length, 10_000, 'every call stored once');
  assert.deepEqual(new Set(stored.map((r) => r.id)), new Set(rows.map((r) => r.id)), 'the same ids as the box');
  assert.deepEqual(stored.map((r) => r.seq), Array.from({ length: 10_000 }, (_, i) => i + 1), 'seq 1..10000 once each');
  assert.ok(stored.every((r) => r.box === 'test-box' && r.db === databaseId(db) && r.type === 'call'));
  // The stored record is the box's payload plus seq: spot-check one against its call row.
  const first = JSON.parse(stored[0]?.payload ?? '{}') as Record<string, unknown>;
  const row0 = rows.find((r) => r.id === first.id);
  assert.ok(row0);
  assert.equal(first.number, row0.number);
  assert.equal(first.at, row0.rangAt);
  assert.equal(first.port, row0.portLabel);

  const report = await hq.store.report({ utcOffsetMinutes: 330 });
  assert.deepEqual(report.gaps, []);
  assert.equal(report.boxes[0]?.records, 10_000);
  assert.equal(report.boxes[0]?.calls, 10_000);
  assert.equal(hq.collector.stats.duplicates, 0, 'nothing was sent twice on a healthy link');
  assert.deepEqual(hq.collector.stats.deadLetters, {});
});
