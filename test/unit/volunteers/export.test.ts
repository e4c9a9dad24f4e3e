import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeDeliver } from '../../../src/sms/pdu/index.js';
import { CallStore } from '../../../src/store/calls.js';
import { parseCsv } from '../../../src/volunteers/csv.js';
import { CALLER_COLUMNS, exportCsv, localTimeFormatter, parseSince, VOLUNTEER_COLUMNS } from '../../../src/volunteers/export.js';
import { tempDir } from '../../helpers/box.js';
import { inboxEnv, LINE, type InboxEnv } from '../inbox/fakes.js';

const T0 = Date.UTC(2026, 10, 1, 4, 30, 0); // 10:00 in India

function call(calls: CallStore, number: string, at: number): void {
  calls.record({
    number,
    numberRaw: number,
    numberValid: true,
    withheld: false,
    numberSource: 'clip',
    modemImei: LINE.imei,
    simIccid: LINE.iccid,
    port: '/dev/ttyUSB2',
    portLabel: 'line-1',
    campaign: null,
    rangAt: at,
    hangupAt: at,
    hangupLatencyMs: 1,
    callerGaveUp: false,
  });
}

function sms(env: InboxEnv, text: string, from: string, at: number): void {
  env.clock.now = at;
  env.inbox.receive(encodeDeliver({ from, text, timestamp: new Date(at) })[0] as string, { line: LINE, length: null });
}

function read(file: string): { bom: boolean; rows: string[][] } {
  const text = readFileSync(file, 'utf8');
  return { bom: text.startsWith('\ufeff'), rows: parseCsv(text) };
}

void test('callers and volunteers CSV: BOM, header, Hindi intact, opted-out left out unless asked, --since, local times', async (t) => {
  const env = inboxEnv(t);
  const calls = new CallStore(env.db);
  const { dir, remove } = tempDir('mcb-export-');
  t.after(remove);
  call(calls, '+919811111111', T0);
  call(calls, '+919811111111', T0 + 86_400_000);
  call(calls, '+919822222222', T0 + 3_600_000);
  call(calls, '+919833333333', T0 + 7_200_000);
  sms(env, 'JOIN सीता देवी, "=SUM(A1)" 221001', '+919811111111', T0 + 60_000);
  sms(env, 'JOIN =cmd|calc 226001', '+919844444444', T0 + 120_000);
  env.db.prepare(`INSERT INTO optouts (number, opted_out, changed_at, source) VALUES (?, 1, ?, 'sms')`).run('+919822222222', T0 + 9_000_000);

  const callers = join(dir, 'callers.csv');
  const result = await exportCsv({ db: env.db, what: 'callers', out: callers, timeZone: 'Asia/Kolkata' });
  assert.equal(result.rows, 2);
  const c = read(callers);
  assert.equal(c.bom, true);
  assert.deepEqual(c.rows[0], [...CALLER_COLUMNS]);
  assert.deepEqual(c.rows.slice(1).map((r) => r[0]), ['+919811111111', '+919833333333'], 'the opted-out caller is left out');
  const sita = c.rows[1] ?? [];
  assert.deepEqual(sita.slice(0, 10), ['+919811111111', '2026-11-01 10:00:00', '2026-11-02 10:00:00', '2', 'line-1', LINE.iccid, 'yes', 'सीता देवी "=SUM(A1)"', '221001', '']);
  assert.deepEqual(readdirSync(dir), ['callers.csv'], 'no .partial file left behind');

  await exportCsv({ db: env.db, what: 'callers', out: callers, includeOptedOut: true, timeZone: 'Asia/Kolkata' });
  const withOut = read(callers).rows.slice(1);
  assert.equal(withOut.length, 3);
  const opted = withOut.find((r) => r[0] === '+919822222222') ?? [];
  assert.deepEqual(opted.slice(-2), ['yes', '2026-11-01 12:30:00']);

  await exportCsv({ db: env.db, what: 'callers', out: callers, since: T0 + 80_000_000, timeZone: 'Asia/Kolkata' });
  assert.deepEqual(read(callers).rows.slice(1).map((r) => r[0]), ['+919811111111'], 'only callers active since');

  const volunteers = join(dir, 'volunteers.csv');
  await exportCsv({ db: env.db, what: 'volunteers', out: volunteers, timeZone: 'Asia/Kolkata' });
  const v = read(volunteers);
  assert.deepEqual(v.rows[0], [...VOLUNTEER_COLUMNS]);
  assert.deepEqual(v.rows.slice(1).map((r) => [r[0], r[1]]), [
    ['+919811111111', 'सीता देवी "=SUM(A1)"'],
    ['+919844444444', "'=cmd calc"],
  ], 'a name that looks like a formula is written as text');
  const raw = readFileSync(volunteers, 'utf8');
  assert.ok(raw.includes('\r\n'), 'CRLF line ends, as Excel writes');
});

void test('an export that cannot be written fails cleanly and leaves no file', async (t) => {
  const env = inboxEnv(t);
  const out = join('/nonexistent-dir-for-test', 'x.csv');
  await assert.rejects(exportCsv({ db: env.db, what: 'callers', out }));
  assert.equal(existsSync(`${out}.partial`), false);
});

void test('--since reads a date as local midnight, or a date and time with its offset; times are written in local time', () => {
  assert.equal(parseSince('2026-11-01', 'Asia/Kolkata'), Date.UTC(2026, 9, 31, 18, 30));
  assert.equal(parseSince('2026-11-01T09:00+05:30', 'Asia/Kolkata'), Date.UTC(2026, 10, 1, 3, 30));
  for (const bad of ['2026-13-01', '2026-02-30', 'yesterday', '2026-11-01T09:00', '']) assert.equal(parseSince(bad, 'Asia/Kolkata'), null, bad);
  const t = localTimeFormatter('Asia/Kolkata');
  assert.equal(t(Date.UTC(2026, 10, 1, 18, 29, 59)), '2026-11-01 23:59:59');
  assert.equal(t(Date.UTC(2026, 10, 1, 18, 30, 0)), '2026-11-02 00:00:00');
  assert.equal(t(null), null);
  // A zone with daylight saving: the offset is looked up per hour, so the change is followed.
  const ny = localTimeFormatter('America/New_York');
  assert.equal(ny(Date.UTC(2026, 2, 8, 6, 59, 0)), '2026-03-08 01:59:00');
  assert.equal(ny(Date.UTC(2026, 2, 8, 7, 0, 0)), '2026-03-08 03:00:00');
});
