/**
 * Hang-up latency benchmark: 1, 8 and 32 simulated modems over real ptys (socat), every
 * modem ringing continuously with a new caller as soon as the last one is hung up.
 *
 *   npx tsx scripts/bench/hangup.ts [--modems 1,8,32] [--seconds 20]
 *
 * Latency is what the box measures (and stores per call): from the moment the bytes carrying
 * the +CLIP line arrive to the moment the hang-up command is handed to the port. The box runs
 * in its own process, the simulated modems in another, so CPU and RSS are the box's alone.
 * "End to end" is the simulated modem's view (its +CLIP written → ATH received), which adds
 * two pty hops through socat.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { modems: { type: 'string', default: '1,8,32' }, seconds: { type: 'string', default: '20' } } });
const sizes = values.modems.split(',').map(Number);
const seconds = Number(values.seconds);
const here = new URL('./lib/', import.meta.url);

/** Children asked to stop; any other exit is a failure of the run. */
const stopping = new Set<ChildProcess>();

function child(file: string, args: string[]): ChildProcess {
  const p = fork(new URL(file, here).pathname, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  p.on('exit', (code, signal) => {
    if (!stopping.has(p) || code !== 0) {
      // A child that dies mid-run would leave the other waiting for ever.
      process.stderr.write(`\n${file} exited unexpectedly (${signal ?? code}); the run is void\n`);
      process.exit(1);
    }
  });
  return p;
}

function message<T>(p: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: Record<string, unknown>): void => {
      if (key in m) {
        p.off('message', onMsg);
        resolve(m as T);
      }
    };
    p.on('message', onMsg);
    p.once('exit', (code) => reject(new Error(`child exited with ${code} before sending ${key}`)));
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Row {
  modems: number;
  calls: number;
  busy: number;
  p50: number;
  p99: number;
  max: number;
  e2eP50: number;
  e2eP99: number;
  perSecond: number;
  cpuPer1000: number;
  rssMb: number;
}

const rows: Row[] = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'mcb-bench-'));
  process.stderr.write(`\n${n} modem(s): starting ptys and the box… `);
  const farm = child('sim-farm.ts', [String(n), dir]);
  const farmExit = once(farm, 'exit');
  const { paths } = await message<{ paths: string[] }>(farm, 'ready');
  const box = child('box-runner.ts', [join(dir, 'bench.db'), ...paths]);
  const boxExit = once(box, 'exit');
  await message(box, 'ready');
  process.stderr.write(`ringing for ${seconds} s… `);
  box.send({ start: true });
  farm.send({ start: true });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const farmDone = message<{ calls: number; busy: number; e2e: number[] }>(farm, 'done');
  stopping.add(farm);
  farm.send({ stop: true });
  const farmResult = await farmDone;
  const boxDone = message<{ stats: { latencies: number[]; seconds: number; cpuSeconds: number; maxRssMb: number } }>(box, 'stats');
  stopping.add(box);
  box.send({ stop: true });
  const { stats } = await boxDone;
  await Promise.all([farmExit, boxExit]);
  rmSync(dir, { recursive: true, force: true });
  const lat = [...stats.latencies].sort((a, b) => a - b);
  const e2e = [...farmResult.e2e].sort((a, b) => a - b);
  rows.push({
    modems: n,
    calls: lat.length,
    busy: farmResult.busy,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    max: lat[lat.length - 1] ?? NaN,
    e2eP50: pct(e2e, 50),
    e2eP99: pct(e2e, 99),
    perSecond: lat.length / stats.seconds,
    cpuPer1000: (stats.cpuSeconds / Math.max(1, lat.length)) * 1000,
    rssMb: stats.maxRssMb,
  });
  process.stderr.write('done\n');
}

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log(`\nhang-up benchmark: ${seconds} s per size, ${cpus().length} CPU cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);
console.log('| modems | calls | callers busy | p50 ms | p99 ms | max ms | end-to-end p50 / p99 ms | calls/s | CPU s per 1000 calls | peak RSS MB |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.modems} | ${r.calls} | ${r.busy} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${f(r.e2eP50, 1)} / ${f(r.e2eP99, 1)} | ${f(r.perSecond, 0)} | ${f(r.cpuPer1000)} | ${f(r.rssMb, 0)} |`,
  );
}
