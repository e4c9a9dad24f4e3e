import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log.js';
import { CallStore, type NewCall } from '../../../src/store/calls.js';
import { openDatabase } from '../../../src/store/db.js';
import { buildWebApp, type StatusSnapshot } from '../../../src/web/app.js';
import { tempDir } from '../../helpers/box.js';
import { basic, testUsers } from '../../helpers/web.js';

const snapshot: StatusSnapshot = {
  box: 'varanasi-01',
  name: null,
  version: '0.0.0-test',
  uptimeSeconds: 12,
  modems: [],
};

async function setup(t: import('node:test').TestContext) {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const calls = new CallStore(db);
  const app = await buildWebApp({ log: silentLogger(), status: () => snapshot, calls, db, auth: { users: await testUsers() } });
  t.after(() => app.close());
  return { app, calls };
}

function call(i: number, number: string | null): NewCall {
  return {
    number,
    numberRaw: number,
    numberValid: true,
    withheld: number === null,
    numberSource: 'clip',
    modemImei: '867162020000011',
    simIccid: '8991000900111111111',
    port: '/dev/ttyUSB2',
    portLabel: 'line-1',
    campaign: 'rally-posters',
    rangAt: Date.UTC(2026, 10, 28, 10, 0, i),
    hangupAt: Date.UTC(2026, 10, 28, 10, 0, i) + 1,
    hangupLatencyMs: 0.42,
    callerGaveUp: false,
  };
}

test('GET /api/calls: newest first, E.164 numbers, withheld as null, repeat counts, paging with before', async (t) => {
  const { app, calls } = await setup(t);
  calls.record(call(0, '+919811111111'));
  calls.record(call(1, null));
  calls.record(call(2, '+919811111111'));
  const res = await app.inject({ url: '/api/calls?limit=2', headers: authHeaders() });
  assert.equal(res.statusCode, 200);
  const body = res.json<{ calls: Record<string, unknown>[]; next: string | null }>();
  assert.equal(body.calls.length, 2);
  assert.deepEqual(
    body.calls.map((c) => [c.number, c.withheld, c.repeat]),
    [
      ['+919811111111', false, 1],
      [null, true, 0],
    ],
  );
  assert.equal(body.calls[0]?.modem, '867162020000011');
  assert.equal(body.calls[0]?.at, '2026-11-28T10:00:02.000Z');
  assert.equal(body.calls[0]?.hangupLatencyMs, 0.42);
  const page2 = await app.inject({ url: `/api/calls?limit=2&before=${body.next ?? ''}`, headers: authHeaders() });
  assert.deepEqual(
    page2.json<{ calls: { number: string }[] }>().calls.map((c) => c.number),
    ['+919811111111'],
  );
});

test('GET /api/calls with bad parameters: 400 with a message naming the value, never a 500', async (t) => {
  const { app } = await setup(t);
  for (const [query, mention] of [
    ['limit=0', /limit/],
    ['limit=abc', /abc/],
    ['limit=100000', /500/],
    ['before=not-an-id', /not-an-id/],
    ['before=00000000-0000-0000-0000-000000000000', /no call/],
    ['limit=1&limit=2', /more than once/],
  ] as const) {
    const res = await app.inject({ url: `/api/calls?${query}`, headers: authHeaders() });
    assert.equal(res.statusCode, 400, query);
    assert.match(res.json<{ error: string }>().error, mention, query);
  }
});

test('GET /api/status: box, version, uptime and modems', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject({ url: '/api/status', headers: authHeaders() });
  assert.equal(res.statusCode, 200);
  const body = res.json<{ box: string; version: string; uptimeSeconds: number; modems: unknown[] }>();
  assert.equal(body.box, 'varanasi-01');
  assert.equal(body.version, '0.0.0-test');
  assert.equal(body.uptimeSeconds, 12);
  assert.deepEqual(body.modems, []);
});

/** The API needs an account (test/unit/web/auth.test.ts covers the refusals); an admin sees whole numbers. */
function authHeaders(): Record<string, string> {
  return basic('admin');
}
