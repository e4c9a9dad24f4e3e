import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CallHandler } from '../../../src/calls/call-handler.js';
import { silentLogger } from '../../../src/log.js';
import type { Modem, ModemCall } from '../../../src/modem/modem.js';
import { CallStore } from '../../../src/store/calls.js';
import { openDatabase } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/box.js';
import { nextEvent } from '../../helpers/wait.js';

/**
 * A stand-in for a ready modem: the policy only needs its `call` event, `hangUp` and `info`.
 * The hang-up is "handed to the port" at once, as on an idle engine, and confirmed later.
 */
class LineStub extends EventEmitter {
  readonly hangUps: number[] = [];
  constructor(
    readonly label: string,
    private readonly log: string[],
  ) {
    super();
  }
  get info(): Record<string, unknown> {
    return { port: `/dev/${this.label}`, label: this.label, campaign: null, imei: null, iccid: null };
  }
  hangUp(options: { onWritten?: (t: number) => void } = {}): Promise<boolean> {
    this.log.push(`hang-up ${this.label}`);
    options.onWritten?.(performance.now());
    return new Promise((resolve) => setTimeout(() => resolve(true), 5));
  }
  ring(number: string, cycle: number, callerGaveUp = false): void {
    const now = performance.now();
    const call: ModemCall = {
      type: 'incoming',
      cycle,
      number,
      numberType: 145,
      withheld: false,
      source: 'clip',
      rangAt: now,
      knownAt: now,
      callerGaveUp,
      modem: this as unknown as Modem, // the handler reads only what LineStub has
    };
    this.emit('call', call);
  }
}

function setUp(t: { after: (fn: () => void) => void }) {
  const { dir, remove } = tempDir();
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => {
    db.close();
    remove();
  });
  const calls = new CallStore(db);
  const handler = new CallHandler({ db, calls, country: 'IN', log: silentLogger() });
  const log: string[] = [];
  const lines = ['line-1', 'line-2', 'line-3'].map((label) => new LineStub(label, log));
  for (const line of lines) handler.attach(line as unknown as Modem);
  const recorded = (n: number): Promise<unknown> => {
    let seen = 0;
    return nextEvent(handler, 'recorded', () => ++seen === n, 2000);
  };
  return { db, handler, log, lines, recorded };
}

test('numbers arriving together on several lines: every caller is hung up on before any call is written', async (t) => {
  const { db, handler, log, lines, recorded } = setUp(t);
  handler.addRecordHook((row) => log.push(`record ${row.portLabel}`));
  const all = recorded(3);
  // One turn of the event loop, as when three modems' +CLIP lines are read in the same poll.
  lines.forEach((line, i) => line.ring(`+91981234567${i}`, i + 1));
  await all;
  assert.deepEqual(log, ['hang-up line-1', 'hang-up line-2', 'hang-up line-3', 'record line-1', 'record line-2', 'record line-3']);
  const rows = db.prepare(`SELECT port_label, number, hangup_latency_ms FROM calls ORDER BY seq`).all() as { port_label: string; number: string; hangup_latency_ms: number | null }[];
  assert.deepEqual(
    rows.map((r) => [r.port_label, r.number]),
    [
      ['line-1', '+919812345670'],
      ['line-2', '+919812345671'],
      ['line-3', '+919812345672'],
    ],
  );
  assert.ok(rows.every((r) => r.hangup_latency_ms !== null), 'each call keeps its own hang-up time');
  await handler.drain();
});

test('a call the database refuses does not take the other calls of its turn with it, and no hook runs twice', async (t) => {
  const { db, handler, lines, recorded } = setUp(t);
  // Hooks keep counters outside the database (the reply policy's "queued"), which a rollback
  // does not undo: each must run once per call.
  const runs = new Map<string, number>();
  handler.addRecordHook((row) => {
    runs.set(row.portLabel, (runs.get(row.portLabel) ?? 0) + 1);
    if (row.portLabel === 'line-2') throw Object.assign(new Error('constraint failed'), { code: 'SQLITE_CONSTRAINT' });
  });
  const two = recorded(2);
  lines.forEach((line, i) => line.ring(`+91981234567${i}`, i + 1));
  await two;
  const labels = (db.prepare(`SELECT port_label FROM calls ORDER BY seq`).all() as { port_label: string }[]).map((r) => r.port_label);
  assert.deepEqual(labels, ['line-1', 'line-3']);
  assert.equal(handler.stats.writeErrors, 1);
  assert.equal(handler.stats.recorded, 2);
  assert.deepEqual(Object.fromEntries(runs), { 'line-1': 1, 'line-2': 1, 'line-3': 1 });
  await handler.drain();
});

test('an error after which SQLite rolled the whole batch back (a full disk): each call is written once, none twice', async (t) => {
  const { db, handler, lines, recorded } = setUp(t);
  handler.addRecordHook((row) => {
    if (row.portLabel !== 'line-2') return;
    // What SQLite does on SQLITE_FULL or an I/O error: the transaction is gone.
    if (db.inTransaction) db.exec('ROLLBACK');
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  });
  const two = recorded(2);
  lines.forEach((line, i) => line.ring(`+91981234567${i}`, i + 1));
  await two;
  const labels = (db.prepare(`SELECT port_label FROM calls ORDER BY seq`).all() as { port_label: string }[]).map((r) => r.port_label);
  assert.deepEqual(labels.sort(), ['line-1', 'line-3']);
  assert.equal(handler.stats.writeErrors, 1);
  await handler.drain();
});

test('a call still being written when the box stops is on disk once drain() returns', async (t) => {
  const { db, handler, lines } = setUp(t);
  // A caller who gave up as the box stopped: nothing to hang up, only the record to write.
  lines[0]?.ring('+919812345670', 1, true);
  await handler.drain();
  const rows = db.prepare(`SELECT number, caller_gave_up FROM calls`).all();
  assert.deepEqual(rows, [{ number: '+919812345670', caller_gave_up: 1 }]);
});
