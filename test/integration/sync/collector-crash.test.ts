import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { tempDir } from '../../helpers/box.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, hqConfig, recordCalls, startCollector } from './harness.js';

const FIXTURE = new URL('./fixtures/collector-process.ts', import.meta.url).pathname;

/** A collector process that SIGKILLs itself after its first commit, before the ack and PUBACK. */
function dyingCollector(config: Record<string, unknown>): ChildProcess {
  return fork(FIXTURE, [JSON.stringify(config), '--die-after-commit'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function exited(proc: ChildProcess, timeoutMs = 20_000): Promise<NodeJS.Signals | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.signalCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the collector process did not die')), timeoutMs);
    proc.once('exit', (_code, signal) => {
      clearTimeout(t);
      resolve(signal);
    });
  });
}

function hqRows(file: string): { n: number; ids: number } {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM records`).get() as { n: number; ids: number };
  } finally {
    db.close();
  }
}

for (const session of ['persistent', 'clean'] as const) {
  const how =
    session === 'persistent'
      ? 'the broker delivers the un-PUBACKed batch again to the restarted collector'
      : 'the box re-sends the unacknowledged batch after its ack timeout';
  test(`collector killed between its commit and its ack (${session} session): ${how}; nothing is stored twice`, async (t) => {
    const defer = cleanups(t);
    const { dir, remove } = tempDir('mcb-sync-');
    defer(remove);
    const broker = await startMosquitto({ dir });
    defer(() => broker.stop());
    const hqFile = `${dir}/hq.db`;
    // A fixed client id gives the collector a persistent session (hq.yaml broker.clientId).
    const raw = { broker: { url: broker.url, reconnectMinSeconds: 1, reconnectMaxSeconds: 2, ...(session === 'persistent' ? { clientId: 'hq-1' } : {}) }, database: hqFile };
    const victim = dyingCollector(raw);
    defer(() => victim.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      victim.once('message', () => resolve());
      victim.once('exit', () => reject(new Error('collector exited before connecting')));
    });

    // Persistent: the ack timeout is longer than the test, so only the broker's redelivery can
    // finish the job, which proves the PUBACK had not been sent when the process died.
    const config = boxConfig(dir, { url: broker.url, batchSize: 500, ackTimeoutSeconds: session === 'persistent' ? 600 : 2 });
    const { db, sync } = boxSync(config, { maxInFlight: 1 });
    defer(() => db.close());
    recordCalls(db, 2000);
    sync.start();
    defer(() => sync.stop());

    assert.equal(await exited(victim), 'SIGKILL');
    const afterCrash = hqRows(hqFile);
    assert.equal(afterCrash.n, 500, 'the first batch was committed before the process died');
    assert.equal(boxCounts(db).synced, 0, 'but the box heard no ack, so nothing is synced');

    const hq = await startCollector(hqConfig(broker.url, { database: hqFile }, session === 'persistent' ? { clientId: 'hq-1' } : {}));
    defer(() => hq.stop());
    await waitFor('backlog 0', () => boxCounts(db).unsynced === 0, 30_000, 50);

    assert.deepEqual(hqRows(hqFile), { n: 2000, ids: 2000 }, 'every record once');
    assert.ok(hq.collector.stats.duplicates >= 500, `the first batch came again and added nothing (duplicates: ${hq.collector.stats.duplicates})`);
    if (session === 'persistent') assert.ok(hq.collector.stats.redeliveries >= 1, 'the broker redelivered it (DUP flag)');
    else assert.ok((sync.status().counters?.resends ?? 0) >= 1, 'the box re-sent it');
    const hqDb = new Database(hqFile, { readonly: true });
    defer(() => hqDb.close());
    const receipts = hqDb.prepare(`SELECT MAX(receipts) FROM batches`).pluck().get() as number;
    assert.ok(receipts >= 2, 'HQ saw the same batch id twice');
    assert.deepEqual((await hq.store.report({ utcOffsetMinutes: 0 })).gaps, []);
  });
}
