/**
 * Sync benchmark: a box with a large backlog drains it through a real mosquitto to real
 * collectors over loopback, each in its own process (as on real machines), so CPU and memory
 * figures belong to one side each.
 *
 *   npx tsx scripts/bench/sync.ts                      # 1,000,000 records; 1 and 2 collectors; SQLite (+ PostgreSQL if reachable)
 *   npx tsx scripts/bench/sync.ts --records 200000 --stores sqlite --collectors 1
 *   PG_URL=postgres://postgres@127.0.0.1:5432/test npx tsx scripts/bench/sync.ts --stores postgres
 *
 * Prints, per run: records/s end to end (first publish to last ack), bytes on the wire per call
 * record (MQTT bytes the box wrote, compressed; and the same with compression off on a smaller
 * run), the box's RSS before and during the drain, and each collector's share and busy time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { validateConfig } from '../../src/config/load.js';
import { PUSHABLE_KEYS } from '../../src/config/schema.js';
import { Collector } from '../../src/hq/collector.js';
import { validateHqConfig } from '../../src/hq/config.js';
import { openHqStore } from '../../src/hq/open-store.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { stableJson } from '../../src/store/sync-log.js';
import { SyncService } from '../../src/sync/service.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';

type Msg =
  | { type: 'ready'; rss: number }
  | { type: 'sample'; rss: number; synced: number }
  | { type: 'done'; ms: number; cpuMs: number; rssPeak: number; rssAvg: number; records: number; wireBytes: number; jsonBytes: number; linkBytesOut: number; batches: number; resends: number }
  | { type: 'stats'; inserted: number; duplicates: number; batches: number; busyMs: number; cpuMs: number };

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    records: { type: 'string', default: '1000000' },
    'plain-records': { type: 'string', default: '100000' },
    batch: { type: 'string', default: '500' },
    collectors: { type: 'string', default: '1,2' },
    stores: { type: 'string', default: 'sqlite,postgres' },
    // Child-role arguments.
    db: { type: 'string' },
    url: { type: 'string' },
    database: { type: 'string' },
    schema: { type: 'string' },
    compress: { type: 'string', default: 'true' },
    total: { type: 'string' },
  },
  strict: true,
});

const send = (m: Msg): void => {
  process.send?.(m);
};

/** The box: drains its database and reports RSS while doing so. */
async function boxRole(): Promise<void> {
  const dir = join(values.db ?? '', '..');
  const config = validateConfig(
    {
      box: { id: 'bench-box' },
      database: values.db,
      modems: [{ port: '/dev/null-modem' }],
      mqtt: { url: values.url, batchSize: Number(values.batch), maxDelaySeconds: 0, drainSpreadSeconds: 0, compress: values.compress === 'true' },
    },
    'bench',
    dir,
  ).config;
  const db = openDatabase(config.database);
  const sync = new SyncService({
    db,
    config,
    fileConfig: config,
    log: silentLogger(),
    version: 'bench',
    pushable: PUSHABLE_KEYS,
    currentConfig: () => config,
    applyConfig: () => undefined,
    tuning: { pollMs: 20, maxInFlight: 8, retentionEveryMs: 3600_000 },
  });
  const total = Number(values.total);
  global.gc?.();
  send({ type: 'ready', rss: process.memoryUsage().rss });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let peak = 0;
  let sum = 0;
  let samples = 0;
  sync.start();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      sum += rss;
      samples++;
      const synced = sync.status().counters?.recordsSynced ?? 0;
      send({ type: 'sample', rss, synced });
      if (synced >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const c = sync.status().counters;
  const linkBytesOut = sync.status().mqttBytesOut;
  send({
    type: 'done',
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssPeak: peak,
    rssAvg: sum / Math.max(1, samples),
    records: c?.recordsSent ?? 0,
    wireBytes: c?.wireBytesFirstSend ?? 0,
    jsonBytes: c?.jsonBytesFirstSend ?? 0,
    linkBytesOut,
    batches: c?.batchesCut ?? 0,
    resends: c?.resends ?? 0,
  });
  await sync.stop();
  db.close();
}

/** One collector process. */
async function collectorRole(): Promise<void> {
  const config = validateHqConfig(
    { broker: { url: values.url }, database: values.database, databaseSchema: values.schema ?? 'public', group: 'bench' },
    'bench',
    '/',
  );
  const store = openHqStore(config);
  const collector = new Collector({ config, store, log: silentLogger() });
  await collector.start();
  await new Promise<void>((resolve) => collector.once('up', () => resolve()));
  const cpu0 = process.cpuUsage();
  const report = (): void => {
    const cpu = process.cpuUsage(cpu0);
    const s = collector.stats;
    send({ type: 'stats', inserted: s.inserted, duplicates: s.duplicates, batches: s.batches, busyMs: s.busyMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  };
  send({ type: 'ready', rss: process.memoryUsage().rss });
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    report();
    void collector.stop().then(() => store.close()).then(() => process.exit(0));
  });
}

/** A box database with `count` realistic call records, none sent. */
function seed(file: string, count: number): void {
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  const insert = db.prepare(`INSERT INTO sync_log (id, type, payload, created_at) VALUES (?, 'call', ?, ?)`);
  const now = Date.now();
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = randomUUID();
      const withheld = i % 17 === 0;
      // Numbers drawn at random from the Indian mobile range, modems alternating, times 1–3 s apart.
      const payload: Record<string, unknown> = {
        at: 1_718_000_000_000 + i * 2000 + Math.floor(Math.random() * 1000),
        number: withheld ? null : `+91${6 + Math.floor(Math.random() * 4)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`,
        withheld,
        modem: i % 2 === 0 ? '867162020000011' : '867162020000022',
        sim: i % 2 === 0 ? '8991000900111111111' : '8991000900222222222',
        port: i % 2 === 0 ? 'line-1' : 'line-2',
        ...(i % 2 === 0 ? { campaign: 'rally-posters' } : {}),
        id,
        type: 'call',
      };
      insert.run(id, stableJson(payload), now);
    }
  });
  for (let i = 0; i < count; i += 50_000) chunk(i, Math.min(count, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function child(role: string, args: string[]): { proc: ChildProcess; next: (type: Msg['type']) => Promise<Msg> } {
  const proc = fork(new URL(import.meta.url).pathname, ['--role', role, ...args], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: { type: Msg['type']; resolve: (m: Msg) => void }[] = [];
  proc.on('message', (m: Msg) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(m);
  });
  return {
    proc,
    next: (type) =>
      new Promise((resolve, reject) => {
        waiting.push({ type, resolve });
        proc.once('exit', (code) => reject(new Error(`${role} exited (${String(code)}) before "${type}"`)));
      }),
  };
}

interface RunResult {
  label: string;
  records: number;
  seconds: number;
  perSecond: number;
  wirePerRecord: number;
  jsonPerRecord: number;
  linkPerRecord: number;
  rssBefore: number;
  rssPeak: number;
  rssAvg: number;
  boxCpuMs: number;
  collectors: { inserted: number; busyMs: number; cpuMs: number }[];
  stored: number;
}

async function run(dir: string, seedFile: string, label: string, records: number, collectors: number, database: (i: number) => string, schema: string, compress = true): Promise<RunResult> {
  const boxDb = join(dir, `box-${randomUUID().slice(0, 8)}.db`);
  copyFileSync(seedFile, boxDb);
  const broker = await startMosquitto({ dir, extra: ['max_queued_messages 0', 'max_inflight_messages 0'] });
  try {
    const cs = Array.from({ length: collectors }, (_, i) => child('collector', ['--url', broker.url, '--database', database(i), '--schema', schema]));
    await Promise.all(cs.map((c) => c.next('ready')));
    const box = child('box', ['--db', boxDb, '--url', broker.url, '--batch', String(values.batch), '--total', String(records), '--compress', String(compress)]);
    const ready = (await box.next('ready')) as Extract<Msg, { type: 'ready' }>;
    const done = (await box.next('done')) as Extract<Msg, { type: 'done' }>;
    const stats = await Promise.all(
      cs.map(async (c) => {
        const s = c.next('stats');
        c.proc.send({ type: 'stop' });
        return (await s) as Extract<Msg, { type: 'stats' }>;
      }),
    );
    await new Promise((r) => box.proc.once('exit', r));
    const store = openHqStore({ database: database(0), databaseSchema: schema });
    const stored = await store.countRecords().finally(() => store.close());
    return {
      label,
      records,
      seconds: done.ms / 1000,
      perSecond: records / (done.ms / 1000),
      wirePerRecord: done.wireBytes / done.records,
      jsonPerRecord: done.jsonBytes / done.records,
      linkPerRecord: done.linkBytesOut / done.records,
      rssBefore: ready.rss,
      rssPeak: done.rssPeak,
      rssAvg: done.rssAvg,
      boxCpuMs: done.cpuMs,
      collectors: stats.map((s) => ({ inserted: s.inserted, busyMs: s.busyMs, cpuMs: s.cpuMs })),
      stored,
    };
  } finally {
    await broker.stop();
    rmSync(boxDb, { force: true });
    rmSync(`${boxDb}-wal`, { force: true });
    rmSync(`${boxDb}-shm`, { force: true });
  }
}

async function pgAvailable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  if (values.role === 'box') return boxRole();
  if (values.role === 'collector') return collectorRole();
  const records = Number(values.records);
  const plainRecords = Math.min(records, Number(values['plain-records']));
  const collectorCounts = (values.collectors ?? '1,2').split(',').map(Number);
  const stores = (values.stores ?? 'sqlite').split(',');
  const pgUrl = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dir = mkdtempSync(join(tmpdir(), 'mcb-bench-sync-'));
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
  try {
    let t = performance.now();
    // Other work on the machine skews every figure: say how busy it was.
    process.stdout.write(`${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    const seedFile = join(dir, 'seed.db');
    seed(seedFile, records);
    process.stdout.write(`seeded ${records} records in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const plainSeed = join(dir, 'seed-plain.db');
    seed(plainSeed, plainRecords);
    const results: RunResult[] = [];
    const usePg = stores.includes('postgres') && (await pgAvailable(pgUrl));
    if (stores.includes('postgres') && !usePg) process.stdout.write(`PostgreSQL not reachable at ${pgUrl}: skipped\n`);
    for (const store of stores) {
      if (store === 'postgres' && !usePg) continue;
      for (const n of collectorCounts) {
        t = performance.now();
        const schema = store === 'postgres' ? `bench_${randomUUID().slice(0, 8)}` : 'public';
        const hqFile = join(dir, `hq-${randomUUID().slice(0, 8)}.db`);
        const database = (): string => (store === 'postgres' ? pgUrl : hqFile);
        const r = await run(dir, seedFile, `${store}, ${n} collector${n > 1 ? 's' : ''}`, records, n, database, schema);
        results.push(r);
        if (store === 'postgres') {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await c.query(`DROP SCHEMA "${schema}" CASCADE`);
          await c.end();
        } else {
          rmSync(hqFile, { force: true });
        }
        process.stdout.write(`${r.label}: ${r.perSecond.toFixed(0)} records/s, ${r.stored} stored (load average now ${loadavg()[0]?.toFixed(1) ?? '?'})\n`);
      }
    }
    const plainHq = join(dir, 'hq-plain.db');
    const plain = await run(dir, plainSeed, 'sqlite, 1 collector, compress off', plainRecords, 1, () => plainHq, 'public', false);
    process.stdout.write('\n| run | records | seconds | records/s | MQTT bytes/record from the box | box RSS before → peak (avg) | box CPU s | collector busy / CPU s | stored |\n');
    process.stdout.write('| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |\n');
    for (const r of [...results, plain]) {
      const busy = r.collectors.map((c) => `${(c.busyMs / 1000).toFixed(1)}/${(c.cpuMs / 1000).toFixed(1)}`).join(' + ');
      process.stdout.write(
        `| ${r.label} | ${r.records} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(0)} | ${r.linkPerRecord.toFixed(1)} (payload ${r.wirePerRecord.toFixed(1)}, JSON ${r.jsonPerRecord.toFixed(1)}) | ${mb(r.rssBefore)} → ${mb(r.rssPeak)} (${mb(r.rssAvg)}) | ${(r.boxCpuMs / 1000).toFixed(1)} | ${busy} | ${r.stored} |\n`,
      );
    }
    const shares = results.map((r) => `${r.label}: ${r.collectors.map((c) => c.inserted).join(' + ')}`).join('; ');
    process.stdout.write(`\nrecords per collector: ${shares}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String(err)}\n`);
  process.exit(1);
});
