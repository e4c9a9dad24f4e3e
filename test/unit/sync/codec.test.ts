import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { callSyncPayload } from '../../../src/calls/sync-record.js';
import type { CallRow } from '../../../src/store/calls.js';
import { stableJson } from '../../../src/store/sync-log.js';
import { batchJson, DecodeError, decodePayload, encodeBatch, isGzip, isSpliceable, wireRecord } from '../../../src/sync/codec.js';
import { batchEnvelopeSchema, checkRecords } from '../../../src/sync/protocol.js';

const LIMITS = { maxMessageBytes: 1024 * 1024, maxInflatedBytes: 4 * 1024 * 1024 };

function call(i: number): CallRow {
  return {
    seq: i,
    id: randomUUID(),
    number: i % 17 === 0 ? null : `+91${6 + (i % 4)}${String((i * 104_729) % 1_000_000_000).padStart(9, '0')}`,
    numberRaw: null,
    numberValid: true,
    withheld: i % 17 === 0,
    numberSource: 'clip',
    modemImei: i % 2 ? '867162020000011' : '867162020000022',
    simIccid: i % 2 ? '8991000900111111111' : '8991000900222222222',
    port: '/dev/ttyUSB2',
    portLabel: i % 2 ? 'line-1' : 'line-2',
    campaign: i % 2 ? 'rally-posters' : null,
    rangAt: 1_718_000_000_000 + i * 1700 + ((i * 7) % 1000),
    hangupAt: null,
    hangupLatencyMs: null,
    callerGaveUp: false,
    repeat: 0,
    createdAt: 0,
  };
}

/** A batch of call records exactly as the worker builds it from `sync_log` payloads. */
function callBatch(n: number): { json: string; ids: string[] } {
  const rows = Array.from({ length: n }, (_, i) => call(i + 1));
  const records = rows.map((r, i) => wireRecord({ seq: i + 1, payload: stableJson({ ...callSyncPayload(r), id: r.id, type: 'call' }) }));
  return { json: batchJson({ box: 'varanasi-01', db: randomUUID(), batch: randomUUID(), seqFrom: 1, seqTo: n }, records), ids: rows.map((r) => r.id) };
}

test('a batch is valid JSON with seq first in each record, and passes the protocol checks', () => {
  const { json, ids } = callBatch(20);
  const parsed = batchEnvelopeSchema.parse(JSON.parse(json));
  assert.equal(parsed.v, 1);
  const check = checkRecords(parsed);
  assert.ok(check.ok);
  assert.equal(check.valid.length, 20);
  assert.deepEqual(check.valid.map((r) => r.id), ids);
  assert.ok(json.includes('"records":[{"seq":1,"at":'));
});

test('equal rows give equal bytes: the batch is rebuilt byte-identical, compressed or not', async () => {
  const records = ['{"a":1,"id":"x","type":"call"}', '{"b":2,"id":"y","type":"call"}'].map((payload, i) => wireRecord({ seq: i + 5, payload }));
  const header = { box: 'b', db: 'd', batch: 'k', seqFrom: 5, seqTo: 6 };
  assert.equal(batchJson(header, records), batchJson(header, [...records]));
  assert.deepEqual(await encodeBatch(batchJson(header, records), true), await encodeBatch(batchJson(header, records), true));
  assert.equal(batchJson(header, records), '{"v":1,"box":"b","db":"d","batch":"k","seqFrom":5,"seqTo":6,"records":[{"seq":5,"a":1,"id":"x","type":"call"},{"seq":6,"b":2,"id":"y","type":"call"}]}');
});

test('compressed call records cost at most 40 bytes each on the wire (the aim), uncompressed about 220', async () => {
  const { json } = callBatch(500);
  const gz = await encodeBatch(json, true);
  const plain = await encodeBatch(json, false);
  const per = gz.length / 500;
  assert.ok(per <= 40, `${per.toFixed(1)} bytes per record`);
  assert.ok(plain.length / 500 > 180 && plain.length / 500 < 260, `${plain.length / 500} bytes per record uncompressed`);
});

test('decodePayload tells gzip by its magic bytes and reads both forms', async () => {
  const json = '{"v":1,"x":"ü"}';
  const gz = await encodeBatch(json, true);
  assert.ok(isGzip(gz));
  assert.ok(!isGzip(Buffer.from(json)));
  assert.deepEqual(await decodePayload(gz, LIMITS), { value: { v: 1, x: 'ü' }, inflatedBytes: Buffer.byteLength(json), compressed: true });
  assert.deepEqual((await decodePayload(Buffer.from(json), LIMITS)).value, { v: 1, x: 'ü' });
});

async function reason(bytes: Buffer, limits = LIMITS): Promise<string> {
  try {
    await decodePayload(bytes, limits);
  } catch (err) {
    assert.ok(err instanceof DecodeError);
    return err.reason;
  }
  return 'decoded';
}

test('decodePayload refuses, with a dead-letter reason: too large, bad gzip, a gzip bomb, not JSON', async () => {
  assert.equal(await reason(Buffer.alloc(LIMITS.maxMessageBytes + 1, 0x20)), 'too-large');
  assert.equal(await reason(Buffer.from([0x1f, 0x8b, 1, 2, 3, 4])), 'bad-gzip');
  assert.equal(await reason(gzipSync('{"v":1,')), 'not-json');
  assert.equal(await reason(Buffer.from('\u0000\u0001')), 'not-json');
  // 100 MB of zeros is ~100 KB of gzip; inflation stops at the 4 MiB limit.
  const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < LIMITS.maxMessageBytes);
  const before = process.memoryUsage().arrayBuffers;
  assert.equal(await reason(bomb), 'gzip-too-large');
  assert.ok(process.memoryUsage().arrayBuffers - before < 50 * 1024 * 1024, 'the bomb was never inflated whole');
  // Right at the limit is fine.
  assert.equal(await reason(gzipSync(Buffer.from(`"${'a'.repeat(1000)}"`)), { maxMessageBytes: 10_000, maxInflatedBytes: 1002 }), 'decoded');
  assert.equal(await reason(gzipSync(Buffer.from(`"${'a'.repeat(1000)}"`)), { maxMessageBytes: 10_000, maxInflatedBytes: 1001 }), 'gzip-too-large');
});

test('isSpliceable accepts only a non-empty JSON object text', () => {
  assert.ok(isSpliceable('{"id":"x","type":"call"}'));
  for (const bad of ['{}', '[]', '"x"', '', '{"a":1', 'null']) assert.equal(isSpliceable(bad), false, bad);
});
