/**
 * Records PostgreSQL refuses. Its `jsonb` cannot hold U+0000 or an unpaired UTF-16 surrogate
 * (both reach HQ in SMS texts), and it refused them every time: the collector answered `retry`
 * and the box sent the same batch for ever, with everything behind it stuck. Now such text is
 * stored with U+FFFD (the exact record kept beside it), and a record the database still refuses
 * with a data exception is rejected alone, by id, instead of holding up its batch.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import pg from 'pg';

import { Collector } from '../../../src/hq/collector.js';
import { PgHqStore } from '../../../src/hq/pg-store.js';
import type { HqStore, IngestBatch } from '../../../src/hq/store.js';
import { SyncLog } from '../../../src/store/sync-log.js';
import { batchJson } from '../../../src/sync/codec.js';
import { topicFor, type AnyAckMessage } from '../../../src/sync/protocol.js';
import { tempDir } from '../../helpers/box.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, hqConfig, startCollector, testLog } from './harness.js';

/** The machine's PostgreSQL (trust auth, database `test`); PG_URL overrides. */
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function freshSchema(defer: (fn: () => unknown) => void): Promise<{ admin: pg.Client; schema: string }> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  defer(() => admin.end());
  const schema = `mcb_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  defer(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  return { admin, schema };
}

test('SMS text with U+0000 and unpaired surrogates reaches PostgreSQL: stored with U+FFFD, exact copy kept, the box not stuck re-sending', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const { admin, schema } = await freshSchema(defer);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hq = await startCollector(hqConfig(broker.url, { database: PG_URL, databaseSchema: schema }));
  defer(() => hq.stop());

  const { db, sync } = boxSync(boxConfig(dir, { url: broker.url, batchSize: 10 }));
  defer(() => db.close());
  const log = new SyncLog(db);
  const texts = ['a\u0000b', 'half a pair \ud83d', '\udc00 at the start', 'whole pair 😀 fine', 'plain'];
  const ids = texts.map((text) => {
    const id = randomUUID();
    log.append(id, 'message', { at: 1_718_000_000_000, text, number: '+919812345678' });
    return id;
  });
  sync.start();
  defer(() => sync.stop());
  await waitFor('every record synced', () => boxCounts(db).synced === texts.length, 20_000, 50);
  assert.deepEqual(boxCounts(db), { total: 5, synced: 5, rejected: 0, unsynced: 0 });
  assert.equal(hq.collector.stats.storeErrors, 0, 'never answered retry');

  const rows = await admin.query(`SELECT id, payload->>'text' AS text, payload_exact FROM "${schema}".records`);
  const byId = new Map(rows.rows.map((r: { id: string; text: string; payload_exact: string | null }) => [r.id, r]));
  assert.deepEqual(
    ids.map((id) => byId.get(id)?.text),
    ['a\uFFFDb', 'half a pair \uFFFD', '\uFFFD at the start', 'whole pair 😀 fine', 'plain'],
  );
  // The exact record is kept where anything was replaced, and only there.
  assert.deepEqual(
    ids.map((id, i) => {
      const exact = byId.get(id)?.payload_exact;
      return exact === null || exact === undefined ? null : (JSON.parse(exact) as { text: string }).text === texts[i];
    }),
    [true, true, true, null, null],
  );
});

test('a record PostgreSQL refuses with a data exception (SQLSTATE 22) is rejected alone; the rest of its batch is stored and acknowledged', async (t) => {
  const defer = cleanups(t);
  const { schema } = await freshSchema(defer);
  const real = new PgHqStore(PG_URL, schema);
  defer(() => real.close());
  // Stands in for any value jsonb refuses that the collector cannot foresee: the record `poison`
  // reaches PostgreSQL with a raw \u0000 escape, which it answers with 22P05 every time.
  const poison = (b: IngestBatch): IngestBatch => ({
    ...b,
    records: b.records.map((r) => (r.id === 'poison' ? { ...r, json: '{"text":"\\u0000"}', exact: null } : r)),
  });
  const store: HqStore = Object.assign(Object.create(real) as HqStore, {
    ingest: (b: IngestBatch) => real.ingest(poison(b)),
    probe: (b: IngestBatch) => real.probe(poison(b)),
  });
  const collector = new Collector({ config: hqConfig('mqtt://127.0.0.1:1'), store, log: testLog() });
  await store.init();
  const acks: AnyAckMessage[] = [];
  collector.link.publish = (_topic: string, payload: string | Buffer) => {
    acks.push(JSON.parse(payload.toString()) as AnyAckMessage);
    return Promise.resolve();
  };
  const ids = ['r1', 'r2', 'poison', 'r4', 'r5', 'r6', 'r7'];
  const records = ids.map((id, i) => `{"seq":${i + 1},"id":"${id}","type":"message","at":1718000000000,"text":"hello"}`);
  const message = gzipSync(batchJson({ box: 'box-a', db: 'db-1', batch: 'batch-1', seqFrom: 1, seqTo: ids.length }, records));
  const code = await collector.handle(topicFor('missedcall', 'box-a', 'batch'), message);
  assert.equal(code, 0, 'PUBACK success');
  assert.equal(acks.length, 1);
  const ack = acks[0];
  assert.ok(ack && ack.status === 'ok', JSON.stringify(ack));
  assert.equal(ack.inserted, 6);
  assert.deepEqual(ack.rejected.map((r) => r.id), ['poison']);
  assert.match(ack.rejected[0]?.reason ?? '', /HQ cannot store this record/);
  assert.equal(await real.countRecords(), 6);
  assert.equal(collector.stats.unstorable, 1);
  assert.equal(collector.stats.storeErrors, 0);
});
