import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ackSchema, allBoxesTopic, checkRecords, parseTopic, sharedSubscription, topicFor } from '../../../src/sync/protocol.js';

test('topics: <prefix>/v1/<box>/<kind>, the shared subscription, and parsing back', () => {
  assert.equal(topicFor('missedcall', 'varanasi-01', 'batch'), 'missedcall/v1/varanasi-01/batch');
  assert.equal(topicFor('party/mc', 'a', 'state'), 'party/mc/v1/a/state');
  assert.equal(allBoxesTopic('missedcall', 'events'), 'missedcall/v1/+/events');
  assert.equal(sharedSubscription('collectors', 'missedcall'), '$share/collectors/missedcall/v1/+/batch');
  assert.deepEqual(parseTopic('missedcall', 'missedcall/v1/varanasi-01/ack'), { box: 'varanasi-01', kind: 'ack' });
  assert.deepEqual(parseTopic('party/mc', 'party/mc/v1/a/config'), { box: 'a', kind: 'config' });
  for (const bad of ['missedcall/v2/a/batch', 'missedcall/v1/A/batch', 'missedcall/v1/a/other', 'missedcall/v1/a/batch/x', 'other/v1/a/batch', 'missedcall/v1//batch']) {
    assert.equal(parseTopic('missedcall', bad), null, bad);
  }
});

const rec = (seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  seq,
  id: `id-${seq}`,
  type: 'call',
  at: 1,
  number: '+919812345678',
  withheld: false,
  modem: null,
  sim: null,
  port: 'line-1',
  ...extra,
});

test('checkRecords: good records pass; a call with a wrong field is rejected alone, by id', () => {
  const r = checkRecords({ seqFrom: 1, seqTo: 4, records: [rec(1), rec(2, { withheld: 'yes' }), rec(4, { type: 'optout', anything: [1] })] });
  assert.ok(r.ok);
  assert.deepEqual(r.valid.map((x) => x.seq), [1, 4], 'a type without a schema yet is stored as it is');
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0]?.record.id, 'id-2');
  assert.match(r.rejected[0]?.reason ?? '', /^call: withheld/);
});

test('checkRecords: anything that would make a partial or unrejectable batch fails it whole', () => {
  const cases: [string, Parameters<typeof checkRecords>[0]][] = [
    ['seqTo below seqFrom', { seqFrom: 5, seqTo: 4, records: [] }],
    ['out of order', { seqFrom: 1, seqTo: 3, records: [rec(2), rec(1)] }],
    ['below range', { seqFrom: 2, seqTo: 3, records: [rec(1)] }],
    ['above range', { seqFrom: 1, seqTo: 3, records: [rec(4)] }],
    ['same seq twice', { seqFrom: 1, seqTo: 3, records: [rec(1), rec(1)] }],
    ['same id twice', { seqFrom: 1, seqTo: 3, records: [rec(1), rec(2, { id: 'id-1' })] }],
    ['no id', { seqFrom: 1, seqTo: 3, records: [{ seq: 1, type: 'call' }] }],
    ['bad type', { seqFrom: 1, seqTo: 3, records: [rec(1, { type: 'Call!' })] }],
    ['not an object', { seqFrom: 1, seqTo: 3, records: ['x'] }],
    ['fractional seq', { seqFrom: 1, seqTo: 3, records: [rec(1.5)] }],
  ];
  for (const [name, input] of cases) assert.equal(checkRecords(input).ok, false, name);
});

test('ack schema: the fields of docs/PROTOCOL.md; unknown extra fields are allowed (additive v1 changes)', () => {
  assert.ok(ackSchema.safeParse({ batch: 'b', status: 'ok', inserted: 1, duplicates: 0, rejected: [], extra: true }).success);
  assert.ok(ackSchema.safeParse({ batch: 'b', status: 'retry', inserted: 0, duplicates: 0, rejected: [], retryAfterMs: 5000 }).success);
  assert.ok(!ackSchema.safeParse({ batch: 'b', status: 'maybe', inserted: 1, duplicates: 0, rejected: [] }).success);
  assert.ok(!ackSchema.safeParse({ batch: 'b', status: 'ok', inserted: -1, duplicates: 0, rejected: [] }).success);
  assert.ok(!ackSchema.safeParse({ status: 'ok', inserted: 1, duplicates: 0, rejected: [] }).success);
});
