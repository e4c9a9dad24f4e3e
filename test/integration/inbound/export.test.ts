import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CallStore } from '../../../src/store/calls.js';
import { openDatabase } from '../../../src/store/db.js';
import { VolunteerStore } from '../../../src/store/volunteers.js';
import { CALLER_COLUMNS, VOLUNTEER_COLUMNS } from '../../../src/volunteers/export.js';
import { parseCsv } from '../../../src/volunteers/csv.js';
import { tempDir } from '../../helpers/box.js';
import { runCli } from '../../helpers/cli.js';

const CALLERS = 100_000;
const NAMES = ['सीता देवी', 'राम कुमार "बबलू"', 'ज़ैनब ख़ातून', 'গৌতম দাস', 'முருகன், செல்வம்', 'ਗੁਰਪ੍ਰੀਤ ਕੌਰ', '=Asha'];
const LINE = { label: 'line-1', imei: '867162020000011', iccid: '8991000900111111111' };

function numberOf(i: number): string {
  return `+91${String(9000000000 + i * 7)}`;
}

/** 100,000 callers (one call each, every 25th a second call), every 10th a volunteer with a name in an Indian script, every 100th opted out. */
function fill(file: string): void {
  const db = openDatabase(file);
  const calls = new CallStore(db);
  const volunteers = new VolunteerStore(db);
  const optOut = db.prepare(`INSERT INTO optouts (number, opted_out, changed_at, source) VALUES (?, 1, ?, 'sms')`);
  const t0 = Date.UTC(2026, 9, 1, 4, 30);
  db.transaction(() => {
    for (let i = 0; i < CALLERS; i++) {
      const number = numberOf(i);
      const at = t0 + i * 20_000;
      const call = {
        number,
        numberRaw: number,
        numberValid: true,
        withheld: false,
        numberSource: 'clip',
        modemImei: LINE.imei,
        simIccid: LINE.iccid,
        port: '/dev/ttyUSB2',
        portLabel: LINE.label,
        campaign: null,
        rangAt: at,
        hangupAt: at,
        hangupLatencyMs: 1,
        callerGaveUp: false,
      };
      calls.record(call);
      if (i % 25 === 0) calls.record({ ...call, rangAt: at + 86_400_000, hangupAt: at + 86_400_000 });
      if (i % 10 === 0) {
        volunteers.join(number, { name: `${NAMES[(i / 10) % NAMES.length] ?? ''} ${i}`, pincode: '221001', district: 'Varanasi', constituency: 'Varanasi Cantt.', state: 'Uttar Pradesh' }, at + 60_000, LINE);
      }
      if (i % 100 === 50) optOut.run(number, at + 120_000);
    }
  })();
  db.close();
}

test('export of 100,000 callers through the CLI: a correct CSV (parsed back), Hindi names intact, opted-out left out, bounded memory', async (t) => {
  const { dir, remove } = tempDir('mcb-export-');
  t.after(remove);
  const database = join(dir, 'box.db');
  fill(database);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `box:\n  id: export-test\ndatabase: ./box.db\nmodems:\n  - port: /dev/ttyUSB2\nsms:\n  timezone: Asia/Kolkata\n`);
  const out = join(dir, 'callers.csv');

  const started = performance.now();
  const res = await runCli(['export', '--config', config, '--what', 'callers', '--out', out], 120_000);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(res.code, 0, res.stderr);
  // Progress on a large export, and the summary with the figures the README quotes.
  assert.match(res.stderr, /missedcall export: 10,000 of 99,000 callers \(10%\)\n/);
  assert.match(res.stderr, /missedcall export: 99,000 of 99,000 callers \(100%\)\n/);
  assert.doesNotMatch(res.stderr, /Warning/);
  const summary = /wrote ([\d,]+) callers to .* in ([\d.]+) s; peak memory (\d+) MB/.exec(res.stderr);
  assert.ok(summary, res.stderr);
  const peakMb = Number(summary[3]);
  // The same command exporting nothing: what the process needs anyway (Node, tsx, SQLite).
  const empty = await runCli(['export', '--config', config, '--what', 'callers', '--out', join(dir, 'none.csv'), '--since', '2030-01-01'], 120_000);
  assert.equal(empty.code, 0, empty.stderr);
  assert.doesNotMatch(empty.stderr, /of 0 callers/, 'no progress lines for a small export');
  const baseMb = Number(/peak memory (\d+) MB/.exec(empty.stderr)?.[1]);
  process.stdout.write(
    `export of ${CALLERS} callers: ${summary[2]} s inside the command, ${seconds.toFixed(2)} s with start-up; peak memory ${peakMb} MB (${baseMb} MB for an empty export)\n`,
  );
  assert.ok(peakMb - baseMb < 80, `peak memory ${peakMb} MB against ${baseMb} MB for nothing: rows must be streamed, not collected`);

  const text = readFileSync(out, 'utf8');
  assert.ok(text.startsWith('\ufeff'), 'UTF-8 byte-order mark for Excel');
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], [...CALLER_COLUMNS]);
  const body = rows.slice(1);
  assert.equal(body.length, CALLERS - CALLERS / 100, 'every caller except the opted-out');
  const col = (name: (typeof CALLER_COLUMNS)[number]): number => CALLER_COLUMNS.indexOf(name);
  const byNumber = new Map(body.map((r) => [r[col('number')], r]));
  assert.equal(byNumber.size, body.length, 'each caller once');
  for (const i of [0, 10, 20, 30, 40, 60, 12340, 99990]) {
    const r = byNumber.get(numberOf(i));
    assert.ok(r, `caller ${i}`);
    const name = NAMES[(i / 10) % NAMES.length] ?? '';
    assert.equal(r[col('name')], `${name.startsWith('=') ? `'${name}` : name} ${i}`, `name of caller ${i}`);
    assert.equal(r[col('volunteer')], 'yes');
    assert.equal(r[col('district')], 'Varanasi');
  }
  const plain = byNumber.get(numberOf(7));
  assert.deepEqual([plain?.[col('volunteer')], plain?.[col('name')], plain?.[col('calls')]], ['no', '', '1']);
  assert.equal(byNumber.get(numberOf(25))?.[col('calls')], '2');
  assert.equal(byNumber.get(numberOf(0))?.[col('first_call')], '2026-10-01 10:00:00');
  assert.equal(byNumber.has(numberOf(50)), false, 'opted out');

  // The volunteers export, with the opted-out kept on request.
  const vout = join(dir, 'volunteers.csv');
  const vres = await runCli(['export', '--config', config, '--what', 'volunteers', '--out', vout, '--include-opted-out', '--since', '2026-10-01'], 120_000);
  assert.equal(vres.code, 0, vres.stderr);
  const vrows = parseCsv(readFileSync(vout, 'utf8'));
  assert.deepEqual(vrows[0], [...VOLUNTEER_COLUMNS]);
  assert.equal(vrows.length - 1, CALLERS / 10);
  assert.equal(vrows.filter((r) => r[VOLUNTEER_COLUMNS.indexOf('opted_out')] === 'yes').length, CALLERS / 100);

  // Usage mistakes are exit 2 with a message.
  const bad = await runCli(['export', '--config', config, '--what', 'everyone', '--out', vout]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--what must be callers or volunteers/);
  const badSince = await runCli(['export', '--config', config, '--what', 'callers', '--out', vout, '--since', 'last week']);
  assert.equal(badSince.code, 2);
  assert.match(badSince.stderr, /--since must be a date/);
});
