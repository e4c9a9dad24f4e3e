/**
 * Export benchmark: a database with 100,000 callers (every 10th a volunteer whose name is in an
 * Indian script, every 100th opted out), exported by the real CLI in its own process.
 *
 *   npx tsx scripts/bench/export.ts [--callers 100000]
 *
 * Prints the time the command reports for the export itself, the wall time including Node and
 * tsx start-up, the file size, and the command's peak memory next to that of an export of no
 * rows (what the process needs anyway), so the difference is what 100,000 rows cost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CallStore } from '../../src/store/calls.js';
import { openDatabase } from '../../src/store/db.js';
import { VolunteerStore } from '../../src/store/volunteers.js';

const { values } = parseArgs({ options: { callers: { type: 'string', default: '100000' } } });
const callers = Number(values.callers);
const NAMES = ['सीता देवी', 'राम कुमार', 'ज़ैनब ख़ातून', 'গৌতম দাস', 'முருகன்', 'ਗੁਰਪ੍ਰੀਤ ਕੌਰ'];
const dir = mkdtempSync(join(tmpdir(), 'mcb-bench-export-'));
const line = { label: 'line-1', imei: '867162020000011', iccid: '8991000900111111111' };

try {
  const fillStart = performance.now();
  const db = openDatabase(join(dir, 'box.db'));
  const calls = new CallStore(db);
  const volunteers = new VolunteerStore(db);
  const optOut = db.prepare(`INSERT INTO optouts (number, opted_out, changed_at, source) VALUES (?, 1, ?, 'sms')`);
  db.transaction(() => {
    for (let i = 0; i < callers; i++) {
      const number = `+91${9000000000 + i * 7}`;
      const at = Date.UTC(2026, 9, 1) + i * 20_000;
      calls.record({ number, numberRaw: number, numberValid: true, withheld: false, numberSource: 'clip', modemImei: line.imei, simIccid: line.iccid, port: '/dev/ttyUSB2', portLabel: line.label, campaign: null, rangAt: at, hangupAt: at, hangupLatencyMs: 1, callerGaveUp: false });
      if (i % 10 === 0) volunteers.join(number, { name: `${NAMES[(i / 10) % NAMES.length] ?? ''} ${i}`, pincode: '221001', district: 'Varanasi', constituency: 'Varanasi Cantt.', state: 'Uttar Pradesh' }, at, line);
      if (i % 100 === 50) optOut.run(number, at);
    }
  })();
  db.close();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'box:\n  id: bench\ndatabase: ./box.db\nmodems:\n  - port: /dev/ttyUSB2\n');
  process.stdout.write(`database with ${callers.toLocaleString('en-IN')} callers made in ${((performance.now() - fillStart) / 1000).toFixed(1)} s\n`);

  const run = (args: string[]): { seconds: number; stderr: string } => {
    const started = performance.now();
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'export', '--config', config, ...args], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`export failed: ${res.stderr}`);
    return { seconds: (performance.now() - started) / 1000, stderr: res.stderr };
  };
  const out = join(dir, 'callers.csv');
  const full = run(['--what', 'callers', '--out', out]);
  const empty = run(['--what', 'callers', '--out', join(dir, 'none.csv'), '--since', '2099-01-01']);
  const summary = /wrote ([\d,]+) callers .* in ([\d.]+) s; peak memory (\d+) MB/.exec(full.stderr);
  const base = /peak memory (\d+) MB/.exec(empty.stderr);
  process.stdout.write(
    `export: ${summary?.[1] ?? '?'} rows in ${summary?.[2] ?? '?'} s (${full.seconds.toFixed(2)} s with start-up), ${(statSync(out).size / 1e6).toFixed(1)} MB; peak memory ${summary?.[3] ?? '?'} MB (${base?.[1] ?? '?'} MB for an empty export)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
