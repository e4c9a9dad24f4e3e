import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CallReport, localHourStart, median } from '../../../src/store/call-report.js';
import { CallStore, type NewCall } from '../../../src/store/calls.js';
import { openDatabase } from '../../../src/store/db.js';
import { formatter } from '../../../src/web/i18n.js';
import { healthReasons, signalBars } from '../../../src/web/status-model.js';
import { hourlyChart, niceCeiling } from '../../../src/web/views/chart.js';
import { tempDir } from '../../helpers/box.js';

const HOUR = 3_600_000;
const NOW = new Date(2026, 10, 28, 14, 20).getTime();

function modem(label: string, state: string, extra: Partial<{ signalDbm: number | null; lastError: string | null; stateSince: number }> = {}) {
  return { label, state, stateSince: NOW - 3600_000, signalDbm: -70, lastError: null, ...extra } as Parameters<typeof healthReasons>[0]['modems'][number];
}

const base = { now: NOW, sync: null, sms: null, disk: null, callsNotSaved: 0 };

test('healthReasons: all working when every line is ready and nothing else is wrong', () => {
  assert.deepEqual(healthReasons({ ...base, modems: [modem('line-1', 'ready'), modem('line-2', 'ready')] }), { verdict: 'ok', reasons: [] });
});

test('healthReasons: a line without SIM is a problem, weak signal a warning, problems listed first', () => {
  const r = healthReasons({ ...base, modems: [modem('line-1', 'ready', { signalDbm: -109 }), modem('line-2', 'no-sim', { lastError: 'no SIM card in the modem' })] });
  assert.equal(r.verdict, 'problem');
  const f = formatter('en');
  assert.deepEqual(
    r.reasons.map((x) => f.words.reasons[x.kind](x.params, f)),
    ['line-2: no SIM card', 'line-1: weak signal (-109 dBm); move the modem or its antenna'],
  );
  const pin = healthReasons({ ...base, modems: [modem('line-1', 'no-sim', { lastError: 'the SIM asks for a PIN' })] });
  assert.match(f.words.reasons['modem-state'](pin.reasons.find((x) => x.kind === 'modem-state')?.params ?? {}), /asks for a PIN/);
  assert.ok(pin.reasons.some((x) => x.kind === 'no-modem-ready'), 'no line can take calls');
});

test('healthReasons: a modem still starting is only mentioned after 30 s', () => {
  assert.equal(healthReasons({ ...base, modems: [modem('line-1', 'ready'), modem('line-2', 'initialising', { stateSince: NOW - 5000 })] }).verdict, 'ok');
  assert.equal(healthReasons({ ...base, modems: [modem('line-1', 'ready'), modem('line-2', 'initialising', { stateSince: NOW - 60_000 })] }).verdict, 'warning');
});

test('healthReasons: HQ unreachable for hours is said with the backlog; a day is a problem', () => {
  const f = formatter('en');
  const three = healthReasons({ ...base, modems: [modem('line-1', 'ready')], sync: { connected: false, backlog: 4210, lastAckAt: null, lastError: 'ECONNREFUSED', since: NOW - 3 * HOUR } });
  assert.equal(three.verdict, 'warning');
  assert.equal(f.words.reasons['sync-down'](three.reasons[0]?.params ?? {}, f), 'HQ unreachable for 3 h, 4,210 records waiting');
  const day = healthReasons({ ...base, modems: [modem('line-1', 'ready')], sync: { connected: false, backlog: 1, lastAckAt: null, lastError: null, since: NOW - 25 * HOUR } });
  assert.equal(day.verdict, 'problem');
  const brief = healthReasons({ ...base, modems: [modem('line-1', 'ready')], sync: { connected: false, backlog: 1, lastAckAt: null, lastError: null, since: NOW - 60_000 } });
  assert.equal(brief.verdict, 'ok', 'a minute offline is not news');
  const off = healthReasons({ ...base, modems: [modem('line-1', 'ready')], sync: { enabled: false, connected: false, backlog: 9, lastAckAt: null, lastError: null, since: NOW - 25 * HOUR } });
  assert.equal(off.verdict, 'ok', 'a box not set up to sync is not failing to');
  const behind = healthReasons({ ...base, modems: [modem('line-1', 'ready')], sync: { connected: true, backlog: 50, lastAckAt: NOW - 2 * HOUR, lastError: null } });
  assert.equal(behind.reasons[0]?.kind, 'sync-behind');
});

test('healthReasons: SMS failures, a full disk and calls that could not be saved', () => {
  const r = healthReasons({
    ...base,
    modems: [modem('line-1', 'ready')],
    sms: { sentToday: 10, queued: 150, failedToday: 2, byStatus: {} },
    disk: { free: 100 * 1024 * 1024, total: 16 * 1024 ** 3 },
    callsNotSaved: 3,
  });
  assert.equal(r.verdict, 'problem');
  assert.deepEqual(
    r.reasons.map((x) => x.kind),
    ['calls-not-saved', 'disk-low', 'sms-failed', 'sms-queue'],
  );
});

test('signalBars follows the usual GSM thresholds', () => {
  assert.deepEqual([-60, -73, -80, -90, -100, -110, null].map(signalBars), [4, 4, 3, 2, 1, 0, 0]);
});

test('niceCeiling and the chart: 24 bars, a round top, the total in the label, nothing from outside unescaped', () => {
  assert.deepEqual([0, 1, 3, 7, 11, 23, 140, 999].map(niceCeiling), [1, 1, 5, 10, 20, 25, 200, 1000]);
  const hours = Array.from({ length: 24 }, (_, i) => ({ hourStart: NOW - (23 - i) * HOUR, calls: i === 23 ? 7 : i % 3 }));
  const svg = hourlyChart(formatter('en'), hours).value;
  assert.equal((svg.match(/<rect /g) ?? []).length, 24);
  assert.match(svg, />10<\/text>/, 'top of the axis');
  assert.match(svg, /aria-label="Calls per hour over the last 24 hours: 29 in all"/);
  assert.match(svg, /<title>14:00: 7 calls<\/title>/);
  assert.match(hourlyChart(formatter('hi'), hours).value, /कुल 29/);
});

function call(i: number, label: string, rangAt: number, latency: number | null, number: string | null = `+9198100000${String(i).padStart(2, '0')}`): NewCall {
  return {
    number,
    numberRaw: number,
    numberValid: true,
    withheld: number === null,
    numberSource: 'clip',
    modemImei: '867162020000011',
    simIccid: '8991000900111111111',
    port: `/dev/${label}`,
    portLabel: label,
    campaign: null,
    rangAt,
    hangupAt: rangAt + 1,
    hangupLatencyMs: latency,
    callerGaveUp: false,
  };
}

test('CallReport: calls per local hour, per-line stats with the median latency, totals, and the export reads rows as CallStore does', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const store = new CallStore(db);
  const report = new CallReport(db);
  const hour = localHourStart(NOW);
  store.record(call(1, 'line-1', hour - 30 * HOUR, 5)); // outside the 24 hours
  store.record(call(2, 'line-1', hour - 23 * HOUR + 1, 3));
  store.record(call(3, 'line-1', hour + 60_000, 9));
  store.record(call(4, 'line-2', hour + 120_000, null, null));
  store.record(call(5, 'line-1', hour + 180_000, 4));
  const perHour = report.callsPerHour(NOW);
  assert.equal(perHour.length, 24);
  assert.equal(perHour[0]?.hourStart, hour - 23 * HOUR);
  assert.deepEqual(
    perHour.map((h) => h.calls),
    [1, ...Array.from({ length: 22 }, () => 0), 3],
  );
  const stats = report.lineStats(['line-1', 'line-2', 'line-3'], hour);
  assert.deepEqual(stats.get('line-1'), { callsToday: 2, lastCallAt: hour + 180_000, medianLatencyMs: 4.5 });
  assert.deepEqual(stats.get('line-2'), { callsToday: 1, lastCallAt: hour + 120_000, medianLatencyMs: null });
  assert.deepEqual(stats.get('line-3'), { callsToday: 0, lastCallAt: null, medianLatencyMs: null });
  assert.deepEqual(report.totalsByLabel(), new Map([['line-1', 4], ['line-2', 1]]));
  const exported = [...report.allCalls(2)].flat();
  assert.deepEqual(exported, store.list({ limit: 10 }).reverse(), 'same rows, same mapping, oldest first');
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([]), null);
});
