import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';
import mqtt from 'mqtt';

import { openDatabase } from '../../../src/store/db.js';
import { topicFor } from '../../../src/sync/protocol.js';
import { tempDir } from '../../helpers/box.js';
import { freePort, startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { appendSyncRecords, cleanups, hqConfig, startCollector } from './harness.js';

const RECORDS = 100_000;
/**
 * The box process gets a 64 MB V8 heap. The backlog's payloads alone are about 22 MB of JSON,
 * so a worker that read the backlog into memory, or kept what it sent, would run out of heap
 * (and crash) or at least show it in the peak; a worker that streams by seq ranges uses a few
 * MB above what the program itself needs.
 */
const HEAP_MB = 64;

type Msg =
  | { type: 'ready'; total: number; rss: number; heap: number }
  | { type: 'sample'; synced: number; connected: boolean; rss: number; heap: number }
  | { type: 'live'; synced: number; heap: number }
  | { type: 'done'; backlog: number; ms: number; rss: number; heap: number };

test('box offline with a 100,000-record backlog drains after reconnect; its memory stays bounded; the Last Will marks it offline', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const boxDb = join(dir, 'box.db');
  const seed = openDatabase(boxDb);
  appendSyncRecords(seed, RECORDS);
  const payloadBytes = seed.prepare(`SELECT SUM(length(payload)) FROM sync_log`).pluck().get() as number;
  seed.close();

  // The box starts while the broker is down: it keeps trying, the backlog waits.
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  const box = fork(
    new URL('./fixtures/box-process.ts', import.meta.url).pathname,
    [JSON.stringify({ box: { id: 'test-box' }, database: boxDb, modems: [{ port: '/dev/null-modem' }], mqtt: { url, batchSize: 500, maxDelaySeconds: 0, reconnectMinSeconds: 1, reconnectMaxSeconds: 2, drainSpreadSeconds: 0 } })],
    { execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.NOCAP ? [] : [`--max-old-space-size=${HEAP_MB}`])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  defer(() => box.kill('SIGKILL'));
  const samples: Extract<Msg, { type: 'sample' }>[] = [];
  const live: Extract<Msg, { type: 'live' }>[] = [];
  let ready: Extract<Msg, { type: 'ready' }> | undefined;
  let done: Extract<Msg, { type: 'done' }> | undefined;
  let exit: string | undefined;
  box.on('message', (m: Msg) => {
    if (m.type === 'ready') ready = m;
    else if (m.type === 'sample') samples.push(m);
    else if (m.type === 'live') live.push(m);
    else done = m;
  });
  box.on('exit', (code, signal) => (exit = `${String(code)}/${String(signal)}`));
  await waitFor('the box process ready', () => ready ?? exit, 20_000);
  assert.ok(ready, `the box process died: ${String(exit)}`);
  await waitFor('a few connection attempts', () => samples.length >= 20, 10_000);
  assert.ok(samples.every((s) => !s.connected && s.synced === 0), 'offline: nothing sent');

  const broker = await startMosquitto({ dir, port });
  defer(() => broker.stop());
  const observer = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'observer' });
  defer(() => observer.endAsync());
  const states: string[] = [];
  observer.on('message', (_topic, payload) => states.push((JSON.parse(payload.toString()) as { state: string }).state));
  await observer.subscribeAsync(topicFor('missedcall', 'test-box', 'state'), { qos: 1 });
  const hq = await startCollector(hqConfig(url, { database: join(dir, 'hq.db') }));
  defer(() => hq.stop());

  await waitFor('the backlog drained', () => done ?? exit, 120_000, 100);
  assert.ok(done, `the box process died while draining: ${String(exit)}`);
  assert.equal(done.backlog, 0);
  assert.equal(await hq.store.countRecords(), RECORDS);
  const check = new Database(boxDb, { readonly: true });
  defer(() => check.close());
  assert.deepEqual(check.prepare(`SELECT COUNT(*) AS n, COUNT(synced_at) AS synced FROM sync_log`).get(), { n: RECORDS, synced: RECORDS });
  const hqDb = new Database(join(dir, 'hq.db'), { readonly: true });
  defer(() => hqDb.close());
  assert.deepEqual(hqDb.prepare(`SELECT COUNT(DISTINCT id) AS ids, MIN(seq) AS lo, MAX(seq) AS hi FROM records`).get(), { ids: RECORDS, lo: 1, hi: RECORDS });

  const draining = samples.filter((s) => s.synced > 0);
  const peakRss = Math.max(...draining.map((s) => s.rss));
  // The live heap (after a full GC) while offline is the program with its modules loaded and
  // compiled; while draining, the worker adds what it holds: a few batches and their bytes.
  const offline = live.filter((s) => s.synced === 0);
  const liveDraining = live.filter((s) => s.synced > 0 && s.synced < RECORDS);
  assert.ok(offline.length >= 1 && liveDraining.length >= 3, 'live-heap samples before and while draining');
  const baseLive = Math.max(...offline.map((s) => s.heap));
  const peakLive = Math.max(...liveDraining.map((s) => s.heap));
  const third = Math.floor(liveDraining.length / 3);
  const early = Math.max(...liveDraining.slice(0, Math.max(1, third)).map((s) => s.heap));
  const late = Math.max(...liveDraining.slice(-Math.max(1, third)).map((s) => s.heap));
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  t.diagnostic(
    `drained in ${(done.ms / 1000).toFixed(1)} s; backlog ${mb(payloadBytes)} MB of JSON; box RSS ${mb(ready.rss)} MB before, peak ${mb(peakRss)} MB while draining; live heap ${mb(baseLive)} MB offline, peak ${mb(peakLive)} MB while draining (${mb(early)} early, ${mb(late)} late)`,
  );
  // Reading the backlog into memory would hold its 18 MB of JSON and more; growing with what
  // was sent would show as "late" above "early".
  assert.ok(peakLive - baseLive < 4 * 1024 * 1024, `the live heap grew by ${mb(peakLive - baseLive)} MB while draining`);
  assert.ok(late - early < 2 * 1024 * 1024, `the live heap kept growing during the drain (${mb(early)} → ${mb(late)} MB)`);
  assert.ok(peakRss - ready.rss < 96 * 1024 * 1024, `RSS grew by ${mb(peakRss - ready.rss)} MB`);

  // The retained state: online while it ran; killed without a DISCONNECT, the broker publishes
  // the Last Will, retained, so anyone subscribing later sees it too.
  assert.equal(states.at(-1), 'online');
  box.kill('SIGKILL');
  await waitFor('the Last Will', () => states.at(-1) === 'offline', 10_000);
  const latecomer = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'late' });
  defer(() => latecomer.endAsync());
  const retained = new Promise<string>((resolve) => latecomer.on('message', (_t, p) => resolve(p.toString())));
  await latecomer.subscribeAsync(topicFor('missedcall', 'test-box', 'state'), { qos: 1 });
  assert.equal(await retained, '{"state":"offline"}');
});
