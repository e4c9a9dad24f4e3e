import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CallStore, type NewCall } from '../../../src/store/calls.js';
import { openDatabase } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/box.js';

function call(number: string | null, rangAt: number): NewCall {
  return {
    number,
    numberRaw: number,
    numberValid: true,
    withheld: number === null,
    numberSource: number === null ? 'none' : 'clip',
    modemImei: '867162020000011',
    simIccid: '8991000900111111111',
    port: '/dev/ttyUSB2',
    portLabel: 'line-1',
    campaign: null,
    rangAt,
    hangupAt: rangAt + 1,
    hangupLatencyMs: 0.5,
    callerGaveUp: false,
  };
}

test('repeat counts earlier calls from the same number; withheld callers are never repeats', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const store = new CallStore(db);
  const a1 = store.record(call('+919811111111', 1000));
  const w1 = store.record(call(null, 1100));
  const a2 = store.record(call('+919811111111', 1200));
  const w2 = store.record(call(null, 1300));
  const a3 = store.record(call('+919811111111', 1400));
  assert.deepEqual([a1.repeat, a2.repeat, a3.repeat], [0, 1, 2]);
  assert.deepEqual([w1.repeat, w2.repeat], [0, 0]);
  assert.deepEqual(store.countSinceTime(0), { calls: 5, uniqueCallers: 1 });
});

test('list pages newest first with a seq cursor', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const store = new CallStore(db);
  for (let i = 0; i < 7; i++) store.record(call(`+91981111111${i}`, 1000 + i));
  const first = store.list({ limit: 3 });
  assert.deepEqual(
    first.map((r) => r.number),
    ['+919811111116', '+919811111115', '+919811111114'],
  );
  const last = first[first.length - 1];
  assert.ok(last);
  const second = store.list({ limit: 3, beforeSeq: last.seq });
  assert.deepEqual(
    second.map((r) => r.number),
    ['+919811111113', '+919811111112', '+919811111111'],
  );
});

test('text a caller or modem produced is stored as given (bound, never spliced into SQL)', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const store = new CallStore(db);
  const evil = `'); DROP TABLE calls; --`;
  const row = store.record({ ...call(null, 1), numberRaw: evil, numberValid: false, withheld: false });
  assert.equal(store.get(row.id)?.numberRaw, evil);
  assert.equal(store.total(), 1);
});
