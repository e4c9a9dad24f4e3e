import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../src/log.js';
import { encodeDeliver } from '../../../src/sms/pdu/index.js';
import { CallStore } from '../../../src/store/calls.js';
import { MessagesPageProvider, VolunteersPageProvider } from '../../../src/volunteers/web-provider.js';
import { PlaceTable } from '../../../src/volunteers/places.js';
import { buildWebApp, type StatusSnapshot } from '../../../src/web/app.js';
import { basic, testUsers } from '../../helpers/web.js';
import { inboxEnv, LINE, type InboxEnv } from '../inbox/fakes.js';

const snapshot: StatusSnapshot = { box: 'varanasi-01', name: null, version: '0.0.0-test', uptimeSeconds: 1, modems: [] };
const places = PlaceTable.load(fileURLToPath(new URL('../../fixtures/pincodes-sample.csv', import.meta.url)));

async function setup(t: import('node:test').TestContext) {
  const env = inboxEnv(t, { places });
  const calls = new CallStore(env.db);
  const app = await buildWebApp({
    log: silentLogger(),
    status: () => snapshot,
    calls,
    db: env.db,
    auth: { users: await testUsers() },
    inbound: { messages: env.messages, volunteers: env.volunteers },
    providers: { messages: new MessagesPageProvider(env.messages), volunteers: new VolunteersPageProvider(env.volunteers) },
  });
  t.after(() => app.close());
  return { app, env };
}

function sms(env: InboxEnv, text: string, from: string): void {
  env.clock.now += 1000;
  env.inbox.receive(encodeDeliver({ from, text, timestamp: new Date(env.clock.now) })[0] as string, { line: LINE, length: null });
}

void test('GET /api/volunteers: filters by interest, pincode prefix and search; paging; viewers see numbers masked', async (t) => {
  const { app, env } = await setup(t);
  sms(env, 'JOIN Asha Devi 221001', '+919811111111');
  sms(env, 'SOCIAL', '+919811111111');
  sms(env, 'JOIN राम <script>alert(1)</script> 226001', '+919822222222');
  sms(env, 'JOIN Ravi Lucknow East', '+919833333333');
  sms(env, 'SOCIAL', '+919844444444');

  const get = async (query: string, user: 'admin' | 'viewer' = 'admin') => {
    const res = await app.inject({ url: `/api/volunteers${query}`, headers: basic(user) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ volunteers: Record<string, unknown>[]; next: string | null }>();
  };
  const all = await get('');
  assert.deepEqual(all.volunteers.map((v) => v.number), ['+919833333333', '+919822222222', '+919811111111']);
  const asha = all.volunteers[2] ?? {};
  assert.deepEqual(
    [asha.name, asha.pincode, asha.district, asha.constituency, asha.interests, asha.registered, asha.optedOut, asha.line, asha.calls],
    ['Asha Devi', '221001', 'Varanasi', 'Varanasi Cantt.', ['SOCIAL'], true, false, 'line-1', 0],
  );
  assert.equal(typeof asha.joinedAt, 'string');
  assert.equal(all.volunteers[1]?.name, 'राम <script>alert(1)</script>', 'stored as typed; the page escapes it');
  assert.deepEqual((await get('?interest=social')).volunteers.map((v) => v.name), ['Asha Devi']);
  assert.deepEqual((await get('?pincode=226')).volunteers.map((v) => v.name), ['राम <script>alert(1)</script>']);
  assert.deepEqual((await get('?q=lucknow')).volunteers.map((v) => v.name), ['Ravi', 'राम <script>alert(1)</script>']);
  assert.equal((await get('?all=1')).volunteers.length, 4, 'with people who only named an interest');
  const page1 = await get('?limit=2');
  assert.equal(page1.volunteers.length, 2);
  const page2 = await get(`?limit=2&before=${page1.next ?? ''}`);
  assert.deepEqual(page2.volunteers.map((v) => v.name), ['Asha Devi']);
  assert.equal((await get('', 'viewer')).volunteers[0]?.number, '+91 98•••••333');

  for (const bad of ['?limit=0', '?limit=abc', '?pincode=22x', '?pincode=1234567', '?interest=a%20b%27', '?before=nope', '?all=maybe', '?limit=1&limit=2']) {
    const res = await app.inject({ url: `/api/volunteers${bad}`, headers: basic('admin') });
    assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
  }
  assert.equal((await app.inject({ url: '/api/volunteers' })).statusCode, 401);
});

void test('GET /api/messages: newest first, text as sent, keyword and outcome, undecodable ones with their error', async (t) => {
  const { app, env } = await setup(t);
  sms(env, 'JOIN Asha 221001', '+919811111111');
  env.inbox.receive('07911326', { line: LINE, length: null });
  sms(env, '<img src=x onerror=alert(1)> कब है रैली?', '+919822222222');
  const res = await app.inject({ url: '/api/messages?limit=10', headers: basic('admin') });
  assert.equal(res.statusCode, 200);
  const body = res.json<{ messages: Record<string, unknown>[]; next: string | null }>();
  assert.deepEqual(
    body.messages.map((m) => [m.number, m.text, m.keyword, m.outcome, m.error === null]),
    [
      ['+919822222222', '<img src=x onerror=alert(1)> कब है रैली?', null, 'free-text', true],
      [null, null, null, 'undecodable', false],
      ['+919811111111', 'JOIN Asha 221001', 'JOIN', 'joined', true],
    ],
  );
  assert.equal(body.messages[1]?.pdu, '07911326');
  assert.equal(body.next, null);
  const page = await app.inject({ url: '/api/messages?limit=1', headers: basic('viewer') });
  const p = page.json<{ messages: Record<string, unknown>[]; next: string }>();
  assert.equal(p.messages[0]?.number, '+91 98•••••222');
  const rest = await app.inject({ url: `/api/messages?limit=5&before=${p.next}`, headers: basic('admin') });
  assert.equal(rest.json<{ messages: unknown[] }>().messages.length, 2);
  assert.equal((await app.inject({ url: '/api/messages?before=00000000-0000-0000-0000-000000000000', headers: basic('admin') })).statusCode, 400);
});

void test('the page providers: messages and volunteers lists, count since midnight, and the export read a page at a time', (t) => {
  const env = inboxEnv(t, { places });
  for (let i = 0; i < 1203; i++) sms(env, `JOIN V${i} 221001`, `+9198${String(10000000 + i)}`);
  const provider = new VolunteersPageProvider(env.volunteers);
  assert.equal(provider.joinedSince(0), 1203);
  const exported = [...provider.exportAll({ pincode: '221' })];
  assert.equal(exported.length, 1203);
  assert.equal(exported[0]?.name, 'V0', 'oldest first');
  // While the export is being read, the database can still be written (no statement left open).
  const it = provider.exportAll({})[Symbol.iterator]();
  it.next();
  sms(env, 'JOIN Late 221001', '+919899999999');
  assert.equal(provider.list({ limit: 2 }).items[0]?.name, 'Late');
  const messages = new MessagesPageProvider(env.messages).list({ limit: 3 });
  assert.equal(messages.items.length, 3);
  assert.equal(messages.items[0]?.text, 'JOIN Late 221001');
});
