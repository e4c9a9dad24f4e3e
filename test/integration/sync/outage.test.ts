import assert from 'node:assert/strict';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { tempDir } from '../../helpers/box.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, hqConfig, recordCalls, startCollector } from './harness.js';

/**
 * The 30-second outage: failed reconnects with backoff (capped at 2 s here), calls
 * piling up on the box, batches in flight lost with the broker (it runs without persistence),
 * their re-send after the reconnect. SYNC_OUTAGE_SECONDS shortens it when iterating locally.
 */
const OUTAGE_MS = Number(process.env.SYNC_OUTAGE_SECONDS ?? 30) * 1000;

test(`broker stopped mid-stream for ${OUTAGE_MS / 1000} s and started again: every record arrives exactly once`, { timeout: OUTAGE_MS + 90_000 }, async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hq = await startCollector(hqConfig(broker.url, { database: `${dir}/hq.db` }));
  defer(() => hq.stop());
  // Small batches and a short ack timeout, so several batches are in flight when the broker dies.
  const config = boxConfig(dir, { url: broker.url, batchSize: 50, ackTimeoutSeconds: 2 });
  const { db, sync } = boxSync(config);
  defer(() => db.close());
  sync.start();
  defer(() => sync.stop());

  // Calls keep coming the whole time: 25 every 20 ms, before, during and after the outage.
  let recording = true;
  let recorded = 0;
  const producer = (async () => {
    while (recording) {
      recordCalls(db, 25, recorded);
      recorded += 25;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  defer(async () => {
    recording = false;
    await producer;
  });

  await waitFor('some records synced before the outage', () => boxCounts(db).synced >= 500, 20_000);
  await broker.stop();
  const stoppedAt = Date.now();
  await waitFor('the box noticing the broker is gone', () => !sync.status().connected, 10_000);
  const duringOutage = sync.status();
  assert.equal(duringOutage.connected, false);
  assert.ok(duringOutage.lastError !== null, 'the status says why');
  await waitFor('the outage to last', () => Date.now() - stoppedAt >= OUTAGE_MS, OUTAGE_MS + 1000, 100);
  const backlogAtRestart = boxCounts(db).unsynced;
  assert.ok(backlogAtRestart > 0, 'calls piled up while the broker was down');
  await broker.start();

  await waitFor('the box reconnecting', () => sync.status().connected, 15_000);
  const atReconnect = recorded;
  await waitFor('more calls after the reconnect', () => recorded >= atReconnect + 100, 5000);
  recording = false;
  await producer;
  const drainStart = Date.now();
  await waitFor('backlog 0', () => boxCounts(db).unsynced === 0, 60_000, 50);
  if (process.env.TEST_LOG) process.stderr.write(`drained ${backlogAtRestart}+ records in ${Date.now() - drainStart} ms after the reconnect\n`);

  const box = boxCounts(db);
  assert.equal(box.total, recorded);
  assert.equal(box.synced, recorded);
  const hqDb = new Database(`${dir}/hq.db`, { readonly: true });
  defer(() => hqDb.close());
  const hqRows = hqDb.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, MIN(seq) AS lo, MAX(seq) AS hi FROM records`).get() as {
    n: number;
    ids: number;
    lo: number;
    hi: number;
  };
  assert.deepEqual(hqRows, { n: recorded, ids: recorded, lo: 1, hi: recorded }, 'exactly once, no holes');
  const boxIds = db.prepare(`SELECT id FROM sync_log ORDER BY seq`).pluck().all() as string[];
  const hqIds = hqDb.prepare(`SELECT id FROM records ORDER BY seq`).pluck().all() as string[];
  assert.deepEqual(hqIds, boxIds);
  assert.deepEqual((await hq.store.report({ utcOffsetMinutes: 0 })).gaps, []);
  assert.ok((sync.status().counters?.sends ?? 0) > (sync.status().counters?.acks ?? 0), 'some batches were sent more than once');
});
