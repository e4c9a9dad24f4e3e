import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { ConfigError } from '../../../src/config/load.js';
import { validateHqConfig } from '../../../src/hq/config.js';
import { formatReport, parseUtcOffset } from '../../../src/hq/report.js';
import { SqliteHqStore } from '../../../src/hq/sqlite-store.js';
import type { IngestBatch, StoredRecord } from '../../../src/hq/store.js';
import { tempDir } from '../../helpers/box.js';

function problems(data: unknown): string {
  try {
    validateHqConfig(data, 'hq.yaml', '/srv/hq');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('hq.yaml: defaults, relative SQLite paths from the file\'s folder, postgres addresses kept', () => {
  const c = validateHqConfig({ broker: { url: 'mqtt://broker:1883' } }, 'hq.yaml', '/srv/hq');
  assert.deepEqual([c.topicPrefix, c.group, c.database, c.databaseSchema, c.limits.maxRecords, c.log.level], ['missedcall', 'collectors', '/srv/hq/hq.db', 'public', 10_000, 'info']);
  assert.equal(validateHqConfig({ broker: { url: 'mqtts://b:8883' }, database: 'postgres://hq@db/hq' }, 'hq.yaml', '/srv').database, 'postgres://hq@db/hq');
});

test('hq.yaml mistakes read like the box\'s, and secrets (passwords, a postgres URL with a password) are never shown', () => {
  assert.match(problems({}), /^hq\.yaml: broker: missing; expected a "broker:" section/);
  assert.match(problems({ broker: { url: 'http://x' } }), /broker\.url: expected a broker address starting with mqtt:\/\/ or mqtts:\/\/.*, got "http:\/\/x"/);
  assert.match(problems({ broker: { url: 'mqtt://x' }, topicPrefix: 'a/+/b' }), /topicPrefix: expected topic levels/);
  assert.match(problems({ broker: { url: 'mqtt://x' }, group: 'a b' }), /group: expected a group name/);
  assert.match(problems({ broker: { url: 'mqtt://x' }, brokr: 1 }), /brokr: unknown key/);
  const secret = problems({ broker: { url: 'mqtt://x', password: 1234567890123 }, database: 42, databaseSchema: 'Bad-Name' });
  assert.doesNotMatch(secret, /1234567890123/);
  const pgSecret = problems({ broker: { url: 'mqtt://x' }, database: 'postgres://hq:hunter2@db/hq', databaseSchema: 'Bad' });
  assert.doesNotMatch(pgSecret, /hunter2/);
});

const rec = (seq: number, id = `id-${seq}`, at: number | null = Date.parse('2026-03-01T20:00:00Z') + seq * 3_600_000): StoredRecord => ({ seq, id, type: 'call', at, json: JSON.stringify({ seq, id, type: 'call', at }) });

function batch(box: string, db: string, records: StoredRecord[], rejected: (StoredRecord & { reason: string })[] = [], id = `${box}-${records[0]?.seq ?? 0}`): IngestBatch {
  const seqs = [...records, ...rejected].map((r) => r.seq);
  return { box, db, batch: id, seqFrom: Math.min(...seqs), seqTo: Math.max(...seqs), bytes: 100, compressed: true, receivedAt: Date.parse('2026-03-02T00:00:00Z'), records, rejected };
}

test('SQLite store: a batch stored twice adds nothing; the report gives totals, days in the HQ\'s offset, gaps and dead letters', async (t) => {
  const { dir, remove } = tempDir('mcb-hq-');
  const store = new SqliteHqStore(join(dir, 'hq.db'));
  t.after(async () => {
    await store.close();
    remove();
  });
  await store.init();
  await store.init(); // idempotent
  const first = batch('a', 'db1', [rec(1), rec(2), rec(3)]);
  assert.deepEqual(await store.ingest(first), { inserted: 3, duplicates: 0 });
  assert.deepEqual(await store.ingest(first), { inserted: 0, duplicates: 3 });
  // seq 4 rejected (counts as present), 5..6 missing, 7..8 stored; box b misses its seq 1.
  assert.deepEqual(await store.ingest(batch('a', 'db1', [rec(7), rec(8)], [{ ...rec(4), reason: 'call: bad' }])), { inserted: 2, duplicates: 0 });
  await store.ingest(batch('b', 'db9', [rec(2, 'b-2', null)]));
  // A replaced SD card: box a starts again at seq 1 with a new database id; no gap across them.
  await store.ingest(batch('a', 'db2', [rec(1, 'a2-1')]));
  await store.deadLetter({ receivedAt: 5, topic: 't', box: 'a', reason: 'not-json', detail: 'x', bytes: 3, sample: '00' });
  await store.deadLetter({ receivedAt: 6, topic: 't', box: null, reason: 'not-json', detail: 'x', bytes: 3, sample: '00' });
  assert.equal(await store.countRecords(), 7);

  const r = await store.report({ utcOffsetMinutes: 330 });
  assert.deepEqual(r.boxes.map((b) => [b.box, b.records, b.calls, b.databases]), [
    ['a', 6, 6, 2],
    ['b', 1, 1, 1],
  ]);
  assert.deepEqual(r.gaps, [
    { box: 'a', db: 'db1', from: 5, to: 6 },
    { box: 'b', db: 'db9', from: 1, to: 1 },
  ]);
  assert.deepEqual(r.rejected, [{ box: 'a', records: 1 }]);
  assert.deepEqual(r.deadLetters, [{ reason: 'not-json', count: 2, lastAt: 6 }]);
  // Calls at 21:00Z–23:00Z on 1 March and 03:00Z–04:00Z on 2 March: all on 2 March in India (UTC+05:30).
  const days = Object.fromEntries(r.days.filter((d) => d.box === 'a').map((d) => [d.day, d.records]));
  assert.deepEqual(days, { '2026-03-02': 6 });
  const utc = await store.report({ utcOffsetMinutes: 0 });
  assert.deepEqual(Object.fromEntries(utc.days.filter((d) => d.box === 'a').map((d) => [d.day, d.records])), { '2026-03-01': 4, '2026-03-02': 2 });

  const text = formatReport(r, { utcOffset: '+05:30', sinceDays: null });
  assert.match(text, /Totals per box\n {2}box +records +calls/);
  assert.match(text, /a +db1 +5\.\.6 +2/);
  assert.match(text, /not-json +2/);
});

test('UTC offsets as people write them', () => {
  assert.equal(parseUtcOffset('+05:30'), 330);
  assert.equal(parseUtcOffset('-0300'), -180);
  assert.equal(parseUtcOffset('+00:00'), 0);
  for (const bad of ['5:30', '+25:00', '+05:75', 'IST', '']) assert.equal(parseUtcOffset(bad), null, bad);
});
