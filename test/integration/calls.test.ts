import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../src/app.js';
import type { Modem, ModemState, ModemTimings } from '../../src/modem/modem.js';
import type { SimVendor } from '../../src/sim/profiles.js';
import type { RingOptions } from '../../src/sim/sim-modem.js';
import { boxConfig, startBox, tempDir } from '../helpers/box.js';
import { ptyModem, type PtyModem } from '../helpers/pty-modem.js';
import { nextEvent, waitFor } from '../helpers/wait.js';

async function setup(t: import('node:test').TestContext, vendors: SimVendor[]) {
  const { dir, remove } = tempDir();
  t.after(remove);
  const modems: PtyModem[] = [];
  for (const [i, vendor] of vendors.entries()) {
    modems.push(await ptyModem(dir, `modem${i}`, { vendor, imei: `86716202000001${i}`, iccid: `899100090000000000${i}` }));
  }
  t.after(() => Promise.all(modems.map((m) => m.close())));
  const app = await startBox(
    boxConfig(
      dir,
      modems.map((m, i) => ({ port: m.path, label: `line-${i + 1}`, campaign: `campaign-${i + 1}` })),
    ),
    { http: false },
  );
  t.after(() => app.stop());
  await Promise.all(app.modems.map((m) => ready(m)));
  return { app, modems, dir };
}

/** Resolves when the modem is in `state` (at once if it already is). */
function inState(m: Modem, state: ModemState, timeoutMs = 15_000): Promise<unknown> {
  if (m.info.state === state) return Promise.resolve();
  return nextEvent(m, 'state', (s: unknown) => s === state, timeoutMs);
}

function ready(m: Modem, timeoutMs = 15_000): Promise<unknown> {
  return inState(m, 'ready', timeoutMs);
}

interface PlannedCall {
  written: string | null;
  expected: string | null;
  opts: RingOptions;
}

/** 100 callers: distinct numbers written every way networks write them, repeats, withheld. */
function planCalls(): PlannedCall[] {
  const forms: RingOptions['clipForm'][] = ['number', 'type', 'full'];
  const calls: PlannedCall[] = [];
  const distinct: { national: string }[] = [];
  for (let i = 0; i < 70; i++) {
    const national = `9${String(812345600 + i * 7919).padStart(9, '0')}`;
    distinct.push({ national });
    const variant = i % 4;
    const written = [national, `0${national}`, `91${national}`, `+91${national}`][variant] ?? national;
    // 91… without a plus is printed with type 145 by some networks and 129 by others.
    const type = variant === 3 ? 145 : variant === 2 ? (i % 8 === 2 ? 145 : 129) : i % 5 === 0 ? 161 : 129;
    calls.push({ written, expected: `+91${national}`, opts: { clipForm: forms[i % 3], type } });
  }
  for (let i = 0; i < 20; i++) {
    const d = distinct[(i * 3) % 70];
    if (!d) throw new Error('plan');
    calls.push({ written: `+91${d.national}`, expected: `+91${d.national}`, opts: { clipForm: forms[(i + 1) % 3], type: 145 } });
  }
  for (let i = 0; i < 10; i++) calls.push({ written: null, expected: null, opts: { validity: i % 2 === 0 ? 1 : 2 } });
  // Interleave so repeats and withheld callers are spread over the run.
  return calls.map((c, i) => ({ c, k: (i * 37) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.c);
}

test('100 calls on three vendors over real ptys: every caller hung up, recorded once, numbers normalised', async (t) => {
  const { app, modems } = await setup(t, ['quectel', 'simcom', 'huawei']);
  const plan = planCalls();
  // A caller rings one line at a time; a number is not reused on the same line (a redial
  // before AT+CLCC has confirmed our hang-up is taken for the old call still ringing).
  const queues: PlannedCall[][] = modems.map(() => []);
  const usedOn = new Map<string, Set<number>>();
  plan.forEach((call, i) => {
    let line = i % modems.length;
    if (call.expected) {
      const used = usedOn.get(call.expected) ?? new Set<number>();
      while (used.has(line)) line = (line + 1) % modems.length;
      used.add(line);
      usedOn.set(call.expected, used);
    }
    queues[line]?.push(call);
  });
  const outcomes = await Promise.all(
    queues.map(async (queue, line) => {
      const results = [];
      for (const call of queue) {
        const sim = modems[line]?.sim;
        if (!sim) throw new Error('no sim');
        results.push(await sim.ring(call.written, { ...call.opts, rings: 3, intervalMs: 2000 }));
      }
      return results;
    }),
  );
  const flat = outcomes.flat();
  assert.equal(flat.length, 100);
  assert.deepEqual(
    flat.filter((o) => o.outcome !== 'hung-up'),
    [],
    'every caller was hung up on',
  );
  await waitFor('100 calls in the database', () => app.calls.total() === 100);
  const rows = app.calls.list({ limit: 500 });
  assert.equal(new Set(rows.map((r) => r.id)).size, 100, 'ids are unique');

  const expectedCounts = new Map<string, number>();
  for (const c of plan) if (c.expected) expectedCounts.set(c.expected, (expectedCounts.get(c.expected) ?? 0) + 1);
  const gotCounts = new Map<string, number>();
  for (const r of rows) if (r.number) gotCounts.set(r.number, (gotCounts.get(r.number) ?? 0) + 1);
  assert.deepEqual(gotCounts, expectedCounts, 'each number recorded as often as it called, in E.164');

  const withheld = rows.filter((r) => r.withheld);
  assert.equal(withheld.length, 10);
  assert.ok(withheld.every((r) => r.number === null));
  assert.ok(rows.every((r) => r.numberValid));
  assert.ok(rows.every((r) => r.hangupLatencyMs !== null && r.hangupAt !== null), 'hang-up time recorded');
  // `repeat` counts earlier calls from the same number: 0, 1, 2 … in call order.
  for (const [number, count] of expectedCounts) {
    const repeats = rows.filter((r) => r.number === number).map((r) => r.repeat).sort();
    assert.deepEqual(repeats, [...Array(count).keys()], `repeat counter of ${number}`);
  }
  // The raw form is kept next to the normalised one.
  assert.ok(rows.some((r) => r.numberRaw?.startsWith('0') && r.number?.startsWith('+91')));
  // Identity of line and SIM is on each row.
  assert.ok(rows.every((r) => r.modemImei?.startsWith('86716202000001') && r.simIccid?.startsWith('899100090000000000')));
  assert.deepEqual(new Set(rows.map((r) => r.portLabel)), new Set(['line-1', 'line-2', 'line-3']));
});

test('RING with no +CLIP: the box asks AT+CLCC, hangs up and records the number', async (t) => {
  const { app, modems } = await setup(t, ['generic']);
  const sim = modems[0]?.sim;
  assert.ok(sim);
  const outcome = await sim.ring('+919876543210', { noClip: true, rings: 3, intervalMs: 2000 });
  assert.equal(outcome.outcome, 'hung-up');
  assert.ok(sim.commands.includes('AT+CLCC'));
  const row = await waitFor('the call row', () => app.calls.list({ limit: 1 })[0]);
  assert.equal(row.number, '+919876543210');
  assert.equal(row.numberSource, 'clcc');
});

test('+CLIP before RING, and +CLIP without RING, each record one call', async (t) => {
  const { app, modems } = await setup(t, ['quectel']);
  const sim = modems[0]?.sim;
  assert.ok(sim);
  assert.equal((await sim.ring('9811111111', { clipBeforeRing: true, rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  assert.equal((await sim.ring('9822222222', { noRing: true, rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('two calls', () => app.calls.total() === 2);
  assert.deepEqual(
    app.calls
      .list({ limit: 5 })
      .map((r) => r.number)
      .sort(),
    ['+919811111111', '+919822222222'],
  );
});

test('a caller who gives up before the number is known is still recorded', async (t) => {
  const { app, modems } = await setup(t, ['quectel']);
  const sim = modems[0]?.sim;
  assert.ok(sim);
  // One ring, no caller id, and gone after 200 ms: before the box's 1 s wait for +CLIP ends.
  const outcome = await sim.ring('9833333333', { noClip: true, rings: 1, intervalMs: 200 });
  assert.equal(outcome.outcome, 'gave-up');
  const row = await waitFor('the call row', () => app.calls.list({ limit: 1 })[0]);
  assert.equal(row.callerGaveUp, true);
  assert.equal(row.withheld, true);
  assert.equal(row.hangupAt, null);
});

test('a hung modem is marked unresponsive, recovers by itself, and the other modem keeps taking calls', async (t) => {
  const { app, modems } = await setup(t, ['quectel', 'simcom']);
  const [a, b] = modems;
  const [ma, mb] = app.modems;
  assert.ok(a && b && ma && mb);
  a.sim.hang();
  await inState(ma, 'unresponsive');
  // The second modem is not held up by the first.
  assert.equal((await b.sim.ring('+919844444444', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('the call on line-2', () => app.calls.list({ limit: 5 }).find((r) => r.number === '+919844444444'));
  a.sim.resume();
  await ready(ma);
  // After recovery the first modem is set up again (caller id on) and takes calls.
  assert.equal((await a.sim.ring('+919855555555', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('the call on line-1', () => app.calls.list({ limit: 5 }).find((r) => r.number === '+919855555555'));
});

test('garbage, an unknown URC and an over-long line do not crash or desynchronise the box', async (t) => {
  const { app, modems } = await setup(t, ['huawei']);
  const m = modems[0];
  const modem = app.modems[0];
  assert.ok(m && modem);
  m.sim.emitRaw(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a, 0x13, 0x37]));
  m.sim.urc('+WEIRD: 1,2,3');
  m.sim.urc('^RSSI:17');
  m.sim.emitRaw(`\r\n${'X'.repeat(5000)}\r\n`);
  m.sim.emitRaw('\r\n+CLIP: "half a li');
  m.sim.emitRaw('\r\n');
  assert.equal((await m.sim.ring('+919866666666', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('the call row', () => app.calls.list({ limit: 5 }).find((r) => r.number === '+919866666666'));
  // Counted: lines that arrive while a command is in flight belong to its response and are
  // not "unknown", so with background polling at least one of the two is.
  const stats = modem.engine?.stats;
  assert.ok(stats && stats.unknownLines >= 1 && stats.overflows >= 1, JSON.stringify(stats));
  // Health polling still works: the modem stays ready and answers.
  assert.equal(modem.info.state, 'ready');
  assert.equal(modem.info.signalDbm !== null, true);
});

/**
 * A box on one modem that is unplugged (the pty and its path vanish) and plugged in again at
 * the same path; resolves once the modem is ready again (bounded).
 */
async function unplugAndReplug(t: import('node:test').TestContext, timings: Partial<ModemTimings> = {}) {
  const { dir, remove } = tempDir();
  t.after(remove);
  let m = await ptyModem(dir, 'usb0', { vendor: 'quectel' });
  t.after(() => m.close());
  const app: App = await startBox(boxConfig(dir, [{ port: m.path }]), { http: false, timings });
  t.after(() => app.stop());
  const modem = app.modems[0];
  assert.ok(modem);
  await ready(modem);
  const gone = nextEvent(modem, 'state', (s: unknown) => s === 'gone', 5000);
  await m.unplug();
  await gone;
  m = await ptyModem(dir, 'usb0', { vendor: 'quectel' });
  await ready(modem, 10_000);
  return { app, sim: m.sim };
}

test('an unplugged modem is marked gone and comes back by itself when plugged in again', async (t) => {
  const { app, sim } = await unplugAndReplug(t);
  assert.equal((await sim.ring('+919877777777', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('the call row', () => app.calls.list({ limit: 5 }).find((r) => r.number === '+919877777777'));
});

test('AT+CLCC listing an incoming call without its number after ATH: not taken as proof the call is gone', async (t) => {
  const { app, modems } = await setup(t, ['quectel']);
  const [m] = modems;
  const modem = app.modems[0];
  assert.ok(m && modem);
  // This firmware leaves the number out of +CLCC: the call listed may be ours, still ringing.
  m.sim.onCommand(/^AT\+CLCC$/, () => ({ lines: ['+CLCC: 1,1,4,0,0,"",128'], final: 'OK' }));
  const checked = nextEvent(m.sim, 'command', (c: unknown) => c === 'AT+CLCC', 5000);
  assert.equal((await m.sim.ring('+919855555555', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await checked;
  await waitFor('the call row', () => app.calls.total() === 1);
  // The same number at once is still the old call (the 3 s guard), not a second caller: it is
  // hung up with AT+CHUP as a call that survived ATH, not answered with ATH as a new one.
  const before = m.sim.commands.length;
  const again = await m.sim.ring('+919855555555', { rings: 3, intervalMs: 2000 });
  assert.equal(again.outcome, 'hung-up');
  assert.deepEqual(
    m.sim.commands.slice(before).filter((c) => c === 'ATH' || c === 'AT+CHUP'),
    ['AT+CHUP'],
  );
  assert.equal(modem.counters.hangupsConfirmed, 0);
  assert.equal(app.calls.total(), 1);
});

test('a modem plugged in again is reopened as soon as its device appears, not at the next reconnect attempt', async (t) => {
  // A reconnect backoff of 30-60 s: only noticing the device itself brings the modem back within the 10 s allowed.
  const { sim } = await unplugAndReplug(t, { reconnectMinMs: 60_000, reconnectMaxMs: 60_000 });
  assert.equal((await sim.ring('+919866666666', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
});

test('a Huawei stick whose ATH leaves the call ringing: the box checks with AT+CLCC, hangs up with AT+CHUP and records one call', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const m = await ptyModem(dir, 'e173', { vendor: 'huawei' });
  t.after(() => m.close());
  // This firmware accepts AT+CVHU=0 but ignores it, so ATH answers OK and drops nothing.
  m.sim.onCommand(/^AT\+CVHU=0$/i, () => ({ final: 'OK' }));
  // Forced to the generic profile, the box hangs up with ATH first.
  const app = await startBox(boxConfig(dir, [{ port: m.path, profile: 'generic' } as { port: string }]), { http: false });
  t.after(() => app.stop());
  const modem = app.modems[0];
  assert.ok(modem);
  await ready(modem);
  let callEvents = 0;
  modem.on('call', () => callEvents++);
  // Rings 4 s apart, longer than the same-call guard: only the check after ATH catches it.
  const outcome = await m.sim.ring('+919888888888', { rings: 4, intervalMs: 4000 });
  assert.equal(outcome.outcome, 'hung-up');
  assert.equal(outcome.rings, 1, 'dropped before the second ring');
  assert.deepEqual(
    m.sim.commands.filter((c) => c === 'ATH' || c === 'AT+CLCC' || c === 'AT+CHUP'),
    ['ATH', 'AT+CLCC', 'AT+CHUP'],
  );
  assert.equal(callEvents, 1, 'one call');
  await waitFor('the call row', () => app.calls.total() === 1);
  assert.equal(modem.counters.hangupsRepeated, 1);
});

test('a caller who redials a second after being hung up is a second call, once AT+CLCC confirmed the first is gone', async (t) => {
  const { app, modems } = await setup(t, ['quectel']);
  const [m] = modems;
  const modem = app.modems[0];
  assert.ok(m && modem);
  assert.equal((await m.sim.ring('+919877777777', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('the hang-up confirmed', () => modem.counters.hangupsConfirmed === 1);
  assert.equal((await m.sim.ring('+919877777777', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('two calls', () => app.calls.total() === 2);
  const rows = app.calls.list({ limit: 5 });
  assert.deepEqual(
    rows.map((r) => [r.number, r.repeat]),
    [
      ['+919877777777', 1],
      ['+919877777777', 0],
    ],
  );
  assert.deepEqual(m.sim.commands.filter((c) => c === 'AT+CHUP'), [], 'the redial was taken for a new call, not the old one still ringing');
});
