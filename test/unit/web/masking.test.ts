/**
 * A viewer sees numbers masked (`+91 98•••••111`). Two ways around that are closed: a search by
 * digits (`/api/volunteers?q=9811`), which told a viewer a digit at a time which number a
 * volunteer has, and the raw PDU of an undecodable message (`/api/messages`), whose originating
 * address is the sender's whole number.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';

import { silentLogger } from '../../../src/log.js';
import { encodeDeliver } from '../../../src/sms/pdu/index.js';
import { CallStore } from '../../../src/store/calls.js';
import { PlaceTable } from '../../../src/volunteers/places.js';
import { buildWebApp } from '../../../src/web/app.js';
import { basic, testUsers } from '../../helpers/web.js';
import { inboxEnv, LINE, type InboxEnv } from '../inbox/fakes.js';

const places = PlaceTable.load(fileURLToPath(new URL('../../fixtures/pincodes-sample.csv', import.meta.url)));

async function setup(t: TestContext): Promise<{ get: (url: string, user: 'admin' | 'viewer') => Promise<Record<string, unknown>>; env: InboxEnv }> {
  const env = inboxEnv(t, { places });
  const app = await buildWebApp({
    log: silentLogger(),
    status: () => ({ box: 'b', name: null, version: 'test', uptimeSeconds: 1, modems: [] }),
    calls: new CallStore(env.db),
    db: env.db,
    auth: { users: await testUsers() },
    inbound: { messages: env.messages, volunteers: env.volunteers },
  });
  t.after(() => app.close());
  const get = async (url: string, user: 'admin' | 'viewer'): Promise<Record<string, unknown>> => {
    const res = await app.inject({ url, headers: basic(user) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Record<string, unknown>>();
  };
  return { get, env };
}

function sms(env: InboxEnv, text: string, from: string): void {
  env.clock.now += 1000;
  env.inbox.receive(encodeDeliver({ from, text, timestamp: new Date(env.clock.now) })[0] as string, { line: LINE, length: null });
}

test('/api/volunteers?q=: digits find numbers for an admin only; a viewer cannot learn a masked number by searching', async (t) => {
  const { get, env } = await setup(t);
  sms(env, 'JOIN Asha Devi 221001', '+919811111111');
  sms(env, 'JOIN Ravi Kumar 226001', '+919822222222');
  const names = (body: Record<string, unknown>): unknown[] => (body.volunteers as { name: string }[]).map((v) => v.name);
  assert.deepEqual(names(await get('/api/volunteers?q=98111', 'admin')), ['Asha Devi']);
  assert.deepEqual(names(await get('/api/volunteers?q=98111', 'viewer')), []);
  assert.deepEqual(names(await get('/api/volunteers?q=%2B91%2098222', 'viewer')), []);
  // Searching by name still works for a viewer, with the number masked.
  const ravi = (await get('/api/volunteers?q=ravi', 'viewer')).volunteers as { name: string; number: string }[];
  assert.deepEqual(ravi.map((v) => [v.name, v.number]), [['Ravi Kumar', '+91 98•••••222']]);
});

test('/api/messages: the raw PDU of an undecodable message (it holds the whole sender number) is for an admin only', async (t) => {
  const { get, env } = await setup(t);
  // A deliver PDU cut short: its header (with the sender's number) is there, its text is not.
  const whole = encodeDeliver({ from: '+919833333333', text: 'hello', timestamp: new Date(env.clock.now) })[0] as string;
  const broken = whole.slice(0, whole.length - 6);
  env.inbox.receive(broken, { line: LINE, length: null });
  const admin = (await get('/api/messages', 'admin')).messages as { pdu: string | null; error: string | null }[];
  assert.ok(admin[0]?.error !== null, JSON.stringify(admin));
  assert.equal(admin[0]?.pdu, broken);
  const viewer = (await get('/api/messages', 'viewer')).messages as { pdu: string | null; error: string | null; number: string | null }[];
  assert.equal(viewer[0]?.pdu, null);
  assert.ok(viewer[0]?.error !== null, 'the viewer still sees that it could not be read');
  // The number in the PDU's semi-octets (digits swapped in pairs): there for an admin, not for a viewer.
  assert.ok(broken.includes('198933333333'));
  assert.ok(!JSON.stringify(viewer).includes('198933333333'), JSON.stringify(viewer));
});
