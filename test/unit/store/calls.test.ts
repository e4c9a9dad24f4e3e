import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { CallReport } from '../../../src/store/call-report.js';
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

test('every status-page query on calls seeks an index (migration 7 adds calls(port_label, seq)); none walks the table', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const store = new CallStore(db);
  // Enough rows, on two lines, that a table walk and a seek differ; ANALYZE as a real box never runs it.
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) store.record({ ...call(`+9198${String(10_000_000 + i)}`, 1_718_000_000_000 + i * 1000), portLabel: i % 2 === 0 ? 'line-1' : 'line-2' });
  })();
  const report = new CallReport(db);
  const statements = Object.entries(report).filter((e): e is [string, Statement] => typeof (e[1] as { source?: unknown }).source === 'string');
  assert.ok(statements.length >= 6, statements.map(([k]) => k).join(', '));
  const plans = new Map<string, string[]>();
  for (const [name, statement] of statements) {
    const sql = statement.source;
    const args = sql.includes('@') ? [{ from: 0, to: 1 }] : Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 0);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    plans.set(name, plan);
    for (const step of plan.filter((d) => /\bcalls\b/.test(d))) {
      assert.match(step, /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/, `${name}: ${step}`);
    }
  }
  // The per-line questions, asked for every line every few seconds, seek the new index.
  for (const name of ['lastByLine', 'latenciesByLine']) {
    assert.ok(plans.get(name)?.some((d) => /^SEARCH calls USING INDEX calls_port_label \(port_label=\?\)/.test(d)), `${name}: ${plans.get(name)?.join(' | ')}`);
  }
  assert.ok(plans.get('totalsByLine')?.some((d) => /calls_port_label/.test(d)), plans.get('totalsByLine')?.join(' | '));
  assert.ok(plans.get('todayByLine')?.some((d) => /calls_rang_at/.test(d)), plans.get('todayByLine')?.join(' | '));
  assert.equal(db.pragma('user_version', { simple: true }), 7);
  // And the answers are right.
  const stats = report.lineStats(['line-1', 'line-2', 'line-3'], 1_718_000_000_000 + 1_990_000);
  assert.deepEqual([...stats].map(([l, s]) => [l, s.callsToday, s.lastCallAt]), [
    ['line-1', 5, 1_718_000_000_000 + 1998 * 1000],
    ['line-2', 5, 1_718_000_000_000 + 1999 * 1000],
    ['line-3', 0, null],
  ]);
});
