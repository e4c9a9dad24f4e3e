/**
 * Cost of recording one call (the calls + callers + sync-log rows, one transaction), with
 * synchronous=FULL (what the box uses) and NORMAL (what it does not), on this machine's disk.
 *
 *   npx tsx scripts/bench/store.ts [--calls 2000] [--dir <folder on the disk to measure>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { callSyncPayload } from '../../src/calls/sync-record.js';
import { CallStore } from '../../src/store/calls.js';
import { openDatabase } from '../../src/store/db.js';
import { SyncLog } from '../../src/store/sync-log.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, dir: { type: 'string' } } });
const n = Number(values.calls);
const base = mkdtempSync(join(values.dir ?? tmpdir(), 'mcb-store-'));

function measure(mode: 'FULL' | 'NORMAL'): number[] {
  const db = openDatabase(join(base, `${mode}.db`), { synchronous: mode });
  const calls = new CallStore(db);
  const log = new SyncLog(db);
  const tx = db.transaction((i: number) => {
    const row = calls.record({
      number: `+9198${String(i).padStart(8, '0')}`,
      numberRaw: `98${String(i).padStart(8, '0')}`,
      numberValid: true,
      withheld: false,
      numberSource: 'clip',
      modemImei: '867162020000011',
      simIccid: '8991000900111111111',
      port: '/dev/ttyUSB2',
      portLabel: 'line-1',
      campaign: 'rally-posters',
      rangAt: Date.now(),
      hangupAt: Date.now(),
      hangupLatencyMs: 0.1,
      callerGaveUp: false,
    });
    log.append(row.id, 'call', callSyncPayload(row));
  });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    tx(i);
    times.push(performance.now() - t0);
  }
  db.close();
  return times.sort((a, b) => a - b);
}

const pct = (s: number[], p: number): string => (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN).toFixed(3);
console.log(`recording one call, ${n} calls each, database in ${base}`);
console.log('| synchronous | p50 ms | p99 ms | max ms | calls/s (one at a time) |');
console.log('|---|---:|---:|---:|---:|');
for (const mode of ['FULL', 'NORMAL'] as const) {
  const t = measure(mode);
  const total = t.reduce((a, b) => a + b, 0);
  console.log(`| ${mode} | ${pct(t, 50)} | ${pct(t, 99)} | ${(t[t.length - 1] ?? NaN).toFixed(3)} | ${Math.round((n / total) * 1000)} |`);
}
rmSync(base, { recursive: true, force: true });
