import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventLog } from '../../../src/events/event-log.js';
import { sampleCounters, watchModem } from '../../../src/events/watch.js';
import { silentLogger } from '../../../src/log.js';
import type { Modem, ModemCounters, ModemInfo, ModemState } from '../../../src/modem/modem.js';
import { openDatabase } from '../../../src/store/db.js';
import { EventStore } from '../../../src/store/events.js';
import { eventText, formatter } from '../../../src/web/i18n.js';
import { tempDir } from '../../helpers/box.js';

test('EventLog: a repeat from the same source folds into one line with a count; others do not', () => {
  let now = 1000;
  const log = new EventLog({ log: silentLogger(), now: () => now, foldWindowMs: 60_000 });
  log.add({ level: 'problem', source: 'line-1', kind: 'modem-gone', params: { port: '/dev/ttyUSB2', error: null } });
  now += 5000;
  const again = log.add({ level: 'problem', source: 'line-1', kind: 'modem-gone', params: { port: '/dev/ttyUSB2', error: null } });
  assert.equal(again.count, 2);
  assert.equal(again.lastAt, 6000);
  log.add({ level: 'problem', source: 'line-2', kind: 'modem-gone', params: { port: '/dev/ttyUSB3', error: null } });
  log.add({ level: 'problem', source: 'line-1', kind: 'modem-gone', params: { port: '/dev/ttyUSB2', error: 'other' } });
  now += 120_000;
  log.add({ level: 'problem', source: 'line-1', kind: 'modem-gone', params: { port: '/dev/ttyUSB2', error: 'other' } });
  assert.deepEqual(
    log.list().map((e) => [e.source, e.count]),
    [
      ['line-1', 1],
      ['line-1', 1],
      ['line-2', 1],
      ['line-1', 2],
    ],
  );
});

test('EventLog: bounded, newest first, filtered by level, paged by id', () => {
  const log = new EventLog({ log: silentLogger(), capacity: 5 });
  for (let i = 0; i < 8; i++) log.add({ level: i % 2 === 0 ? 'info' : 'warning', source: `s${i}`, kind: 'text', params: { text: `e${i}` } });
  const all = log.list();
  assert.deepEqual(
    all.map((e) => e.params.text),
    ['e7', 'e6', 'e5', 'e4', 'e3'],
  );
  assert.deepEqual(
    log.list({ minLevel: 'warning' }).map((e) => e.params.text),
    ['e7', 'e5', 'e3'],
  );
  assert.deepEqual(
    log.list({ limit: 2, before: all[1]?.id }).map((e) => e.params.text),
    ['e5', 'e4'],
  );
});

test('EventLog with a store: written in one batch, read back after a restart, folding updates the saved row', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const store = new EventStore(db, 3);
  let saves = 0;
  const counting = Object.assign(Object.create(store) as EventStore, {
    save: (w: Parameters<EventStore['save']>[0]) => {
      saves++;
      return store.save(w);
    },
  });
  const first = new EventLog({ log: silentLogger(), store: counting, flushMs: 60_000 });
  first.add({ level: 'info', source: 'box', kind: 'box-started', params: { version: '1' } });
  first.add({ level: 'problem', source: 'line-1', kind: 'modem-unresponsive' });
  first.add({ level: 'problem', source: 'line-1', kind: 'modem-unresponsive' });
  assert.equal(saves, 0, 'nothing written until the batch is due');
  first.flush();
  assert.equal(saves, 1, 'one transaction for the batch');
  first.add({ level: 'problem', source: 'line-1', kind: 'modem-unresponsive' });
  first.flush();
  const second = new EventLog({ log: silentLogger(), store });
  assert.deepEqual(
    second.list().map((e) => [e.kind, e.count]),
    [
      ['modem-unresponsive', 3],
      ['box-started', 1],
    ],
  );
  for (let i = 0; i < 5; i++) second.add({ level: 'info', source: `s${i}`, kind: 'text', params: { text: String(i) } });
  second.flush();
  assert.equal(store.recent(10).length, 3, 'pruned to the newest rows');
});

test('EventLog: a store that fails does not break logging', () => {
  const broken = { recent: () => [], save: () => { throw new Error('disk I/O error'); } } as unknown as EventStore;
  const log = new EventLog({ log: silentLogger(), store: broken });
  log.add({ level: 'info', source: 'box', kind: 'box-started', params: { version: '1' } });
  assert.doesNotThrow(() => log.flush());
  assert.equal(log.list().length, 1);
});

class FakeModem extends EventEmitter<{ state: [ModemState, ModemState] }> {
  info: ModemInfo = {
    port: '/dev/ttyUSB2', label: 'line-2', campaign: null, state: 'opening', stateSince: 0, vendor: null, manufacturer: null, model: null,
    revision: null, imei: null, imsi: null, iccid: null, operator: null, registered: false, registration: null, signalDbm: null, lastError: null,
  };
  label = 'line-2';
  to(state: ModemState, patch: Partial<ModemInfo> = {}): void {
    const prev = this.info.state;
    Object.assign(this.info, patch, { state });
    this.emit('state', state, prev);
  }
}

test('watchModem: states become sentences a technician understands; passing states are not logged', () => {
  const events = new EventLog({ log: silentLogger() });
  const modem = new FakeModem();
  const stop = watchModem(events, modem as unknown as Modem);
  modem.to('initialising');
  modem.to('ready', { operator: 'Jio 4G', signalDbm: -71 });
  modem.to('no-sim', { lastError: 'the SIM card was removed or is not ready' });
  modem.to('initialising');
  modem.to('no-sim', { lastError: 'no SIM card in the modem' });
  modem.to('ready');
  modem.to('unresponsive');
  modem.to('gone', { lastError: 'the port closed (modem unplugged or reset)' });
  modem.to('opening');
  modem.to('ready');
  modem.to('ready', {});
  stop();
  modem.to('gone');
  const f = formatter('en');
  assert.deepEqual(
    events.list().reverse().map((e) => `${e.source}: ${eventText(f, e.kind, e.params)}`),
    [
      'line-2: Ready on Jio 4G, signal -71 dBm',
      'line-2: The SIM card was removed or came loose',
      'line-2: No SIM card: insert one',
      'line-2: Working again',
      'line-2: Stopped answering; the box keeps retrying (unplug and replug the modem if this lasts)',
      'line-2: Unplugged, or its port /dev/ttyUSB2 cannot be opened; the box keeps trying',
      'line-2: Working again',
    ],
  );
});

function counters(over: Partial<ModemCounters> = {}): ModemCounters {
  return { commands: 0, timeouts: 0, urcs: 0, noise: 0, unknownLines: 0, overflows: 0, strayFinals: 0, unexpectedPrompts: 0, badClipLines: 0, hangupsConfirmed: 0, hangupsRepeated: 0, ...over };
}

test('sampleCounters: unsaved calls, unconfirmed hang-ups and unreadable modem lines are logged as they grow', () => {
  const events = new EventLog({ log: silentLogger() });
  let c = counters();
  let state: ModemState = 'ready';
  const stats = { writeErrors: 0, hangupFailures: 0 };
  const stop = sampleCounters({
    events,
    modems: [{ label: 'line-1', counters: () => c, state: () => state }],
    handlerStats: () => stats,
    intervalMs: 3_600_000,
    badInputPeriodMs: 0,
  });
  stats.writeErrors = 2;
  stats.hangupFailures = 1;
  c = counters({ unknownLines: 4, badClipLines: 1, timeouts: 2 });
  stop();
  const f = formatter('en');
  assert.deepEqual(
    events.list().reverse().map((e) => `${e.level} ${e.source}: ${eventText(f, e.kind, e.params)}`),
    [
      'problem box: 2 calls could not be saved: the SD card may be full or failing',
      'warning box: The modem did not confirm hanging up a call',
      'warning line-1: Printed 5 lines the box could not read',
      'warning line-1: 2 commands got no answer in time',
    ],
  );
  // Timeouts of a modem already known not to answer are not news.
  const quiet = new EventLog({ log: silentLogger() });
  state = 'unresponsive';
  c = counters();
  const stop2 = sampleCounters({ events: quiet, modems: [{ label: 'line-1', counters: () => c, state: () => state }], handlerStats: () => stats, intervalMs: 3_600_000, badInputPeriodMs: 0 });
  c = counters({ timeouts: 9 });
  stop2();
  assert.equal(quiet.list().length, 0);
});
