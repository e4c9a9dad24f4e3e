import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';

import { openDatabase } from '../../../src/store/db.js';
import { BatchStore } from '../../../src/sync/batch-store.js';
import { DiskGuard, pruneSynced } from '../../../src/sync/retention.js';
import { tempDir } from '../../helpers/box.js';

const DAY = 86_400_000;

test('retention prunes only records HQ acknowledged more than `days` ago: never unsent, in-flight or rejected ones', async (t) => {
  const { dir, remove } = tempDir('mcb-retention-');
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => {
    db.close();
    remove();
  });
  const now = Date.parse('2026-06-01T00:00:00Z');
  const insert = db.prepare(`INSERT INTO sync_log (id, type, payload, created_at, batch_id, synced_at, rejected) VALUES (?, 'call', '{"id":"x","type":"call"}', ?, ?, ?, ?)`);
  const row = (createdDaysAgo: number, batch: string | null, syncedDaysAgo: number | null, rejected: string | null = null): void => {
    insert.run(randomUUID(), now - createdDaysAgo * DAY, batch, syncedDaysAgo === null ? null : now - syncedDaysAgo * DAY, rejected);
  };
  for (let i = 0; i < 12_000; i++) row(200, 'old', 120); // acked long ago: pruned (more than one chunk)
  row(200, 'old', 120, null);
  row(200, 'old', null, 'call: bad'); // rejected: kept forever
  row(100, 'recent', 10); // acked recently: kept, though created long ago
  row(100, 'open', null); // in flight: kept
  row(1000, null, null); // never sent (a Pi clock from 1970 would look like this): kept
  db.prepare(`INSERT INTO sync_batches (id, seq_from, seq_to, records, bytes, json_bytes, compressed, created_at, acked_at) VALUES ('old', 1, 12002, 12002, 0, 0, 1, 0, ?), ('recent', 12003, 12003, 1, 0, 0, 1, 0, ?)`).run(now - 120 * DAY, now - 10 * DAY);
  db.prepare(`INSERT INTO sync_batches (id, seq_from, seq_to, records, bytes, json_bytes, compressed, created_at) VALUES ('open', 12004, 12004, 1, 0, 0, 1, 0)`).run();
  const before = new BatchStore(db).counts();

  const result = await pruneSynced(db, 90, now);
  assert.deepEqual(result, { records: 12_001, batches: 1 });
  assert.deepEqual(db.prepare(`SELECT batch_id AS batch, synced_at IS NOT NULL AS synced, rejected FROM sync_log ORDER BY seq`).all(), [
    { batch: 'old', synced: 0, rejected: 'call: bad' },
    { batch: 'recent', synced: 1, rejected: null },
    { batch: 'open', synced: 0, rejected: null },
    { batch: null, synced: 0, rejected: null },
  ]);
  assert.deepEqual(db.prepare(`SELECT id FROM sync_batches ORDER BY seq_from`).pluck().all(), ['recent', 'open']);
  assert.deepEqual(new BatchStore(db).counts(), before, 'the backlog counts do not change');
  assert.deepEqual(await pruneSynced(db, 90, now), { records: 0, batches: 0 });
  // The newest batch row is kept whatever its age: the backlog count starts from it.
  assert.deepEqual(await pruneSynced(db, 1, now + 400 * DAY), { records: 1, batches: 1 });
  assert.deepEqual(db.prepare(`SELECT id FROM sync_batches`).pluck().all(), ['open']);
});

test('the disk guard warns below the threshold, caches its reading, and reports a failed statfs', () => {
  let free = 500;
  let calls = 0;
  const guard = new DiskGuard('/data/box.db', 300 * 4096, 60_000, () => {
    calls++;
    return { bavail: free, bsize: 4096 };
  });
  assert.deepEqual({ ...guard.check(), checkedAt: 0 }, { path: '/data', freeBytes: 500 * 4096, thresholdBytes: 300 * 4096, low: false, checkedAt: 0, error: null });
  free = 100;
  assert.equal(guard.check().low, false, 'cached');
  assert.equal(guard.check(true).low, true);
  assert.equal(calls, 2);
  const broken = new DiskGuard('/nowhere/box.db', 1, 0, () => {
    throw new Error('ENOENT');
  });
  assert.deepEqual([broken.check().freeBytes, broken.check().low, broken.check().error], [null, false, 'ENOENT']);
  // The real statfs on a real folder.
  const real = new DiskGuard(join(process.cwd(), 'package.json'), 1).check();
  assert.ok((real.freeBytes ?? 0) > 0 && !real.low);
});
