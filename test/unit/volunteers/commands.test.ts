import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { encodeDeliver } from '../../../src/sms/pdu/index.js';
import { CallStore } from '../../../src/store/calls.js';
import { PlaceTable } from '../../../src/volunteers/places.js';
import { inboxEnv, LINE, REPLIES, type InboxEnv } from '../inbox/fakes.js';

const FROM = '+919812345678';
const places = PlaceTable.load(fileURLToPath(new URL('../../fixtures/pincodes-sample.csv', import.meta.url)));

function sms(env: InboxEnv, text: string, from = FROM) {
  env.clock.now += 1000;
  const r = env.inbox.receive(encodeDeliver({ from, text, timestamp: new Date(env.clock.now) })[0] as string, { line: LINE, length: null });
  assert.ok(r.kind === 'stored');
  return r.message;
}

void test('JOIN with a pincode: one volunteer with district and constituency from the table, the join reply, a record for HQ', (t) => {
  const env = inboxEnv(t, { places });
  const m = sms(env, 'join Asha Devi 221002');
  assert.equal(m.keyword, 'JOIN');
  assert.equal(m.outcome, 'joined');
  const v = env.volunteers.get(FROM);
  assert.ok(v);
  assert.deepEqual(
    { name: v.name, pincode: v.pincode, district: v.district, constituency: v.constituency, state: v.state, modem: v.modem, sim: v.simIccid },
    { name: 'Asha Devi', pincode: '221002', district: 'Varanasi', constituency: 'Varanasi North', state: 'Uttar Pradesh', modem: 'line-1', sim: LINE.iccid },
  );
  assert.equal(v.joinedAt, env.clock.now);
  assert.deepEqual(env.queue.queued.map((q) => ({ to: q.to, text: q.text, kind: q.kind, messageId: q.messageId, preferModem: q.preferModem })), [
    { to: FROM, text: REPLIES.join, kind: 'keyword', messageId: m.id, preferModem: 'line-1' },
  ]);
  assert.equal(m.replyId, env.queue.queued[0]?.id);
  assert.deepEqual(env.syncTypes(), ['volunteer', 'message']);

  // A second JOIN updates the details; the first JOIN's time (the consent) stays.
  const joinedAt = v.joinedAt;
  const again = sms(env, 'JOIN Asha Devi Sharma 226001');
  assert.equal(again.outcome, 'updated');
  const v2 = env.volunteers.get(FROM);
  assert.equal(v2?.name, 'Asha Devi Sharma');
  assert.equal(v2?.district, 'Lucknow');
  assert.equal(v2?.joinedAt, joinedAt);
});

void test('JOIN with a constituency instead of a pincode; a pincode the table does not know still joins, without a district', (t) => {
  const env = inboxEnv(t, { places });
  sms(env, 'JOIN Ravi Lucknow East');
  assert.deepEqual([env.volunteers.get(FROM)?.constituency, env.volunteers.get(FROM)?.district, env.volunteers.get(FROM)?.pincode], ['Lucknow East', 'Lucknow', null]);
  sms(env, 'JOIN Meena 560001', '+919833333333');
  const v = env.volunteers.get('+919833333333');
  assert.equal(v?.pincode, '560001');
  assert.equal(v?.district, null);
});

void test('a JOIN with a missing or malformed pincode gets the helpful reply and makes no volunteer', (t) => {
  const env = inboxEnv(t, { places });
  for (const [text, outcome] of [
    ['JOIN Ravi', 'missing-pincode'],
    ['JOIN Ravi 2210', 'bad-pincode'],
    ['JOIN 221001', 'missing-name'],
  ] as const) {
    const m = sms(env, text);
    assert.equal(m.outcome, outcome, text);
  }
  assert.deepEqual(env.queue.to(FROM), [REPLIES.joinHelp, REPLIES.joinHelp, REPLIES.joinHelp]);
  assert.equal(env.volunteers.get(FROM), null);
});

void test('STOP: opted out with one confirmation (sent despite the opt-out); a second STOP, HELP and JOIN get nothing; START answers again', (t) => {
  const env = inboxEnv(t);
  const stop = sms(env, 'Stop');
  assert.equal(stop.outcome, 'opted-out');
  assert.equal(env.optOuts.isOptedOut(FROM), true);
  assert.deepEqual(env.optOuts.changes.map((c) => [c.number, c.optedOut, c.source]), [[FROM, true, 'sms:line-1']]);
  assert.deepEqual(env.queue.queued.map((q) => [q.text, q.ignoreOptOut]), [[REPLIES.stop, true]]);
  assert.equal(sms(env, 'रोकें').outcome, 'already-opted-out');
  sms(env, 'HELP');
  sms(env, 'JOIN Asha 221001');
  assert.equal(env.queue.queued.length, 1, 'exactly one confirmation, nothing else');
  assert.equal(env.queue.refused.length, 2, 'the outbox refused HELP and JOIN answers');
  assert.ok(env.queue.refused.every((r) => r.ignoreOptOut !== true));
  const start = sms(env, 'START');
  assert.equal(start.outcome, 'opted-in');
  assert.equal(env.optOuts.isOptedOut(FROM), false);
  sms(env, 'help');
  assert.deepEqual(env.queue.to(FROM), [REPLIES.stop, REPLIES.start, REPLIES.help]);
});

void test('interest words are added to the volunteer (once each); free text is stored and not answered', (t) => {
  const env = inboxEnv(t);
  sms(env, 'JOIN Asha 221001');
  const m = sms(env, 'social सोशल');
  assert.equal(m.keyword, 'INTEREST');
  assert.deepEqual(env.volunteers.get(FROM)?.interests, ['SOCIAL']);
  const free = sms(env, 'When is the next rally? <b>bold</b> \'; DROP TABLE volunteers; --');
  assert.equal(free.keyword, null);
  assert.equal(free.outcome, 'free-text');
  assert.equal(free.text, 'When is the next rally? <b>bold</b> \'; DROP TABLE volunteers; --');
  assert.deepEqual(env.queue.to(FROM), [REPLIES.join, REPLIES.interest]);
  // Someone who names an interest without joining is kept, but not listed as a volunteer.
  sms(env, 'SOCIAL', '+919844444444');
  assert.equal(env.volunteers.get('+919844444444')?.joinedAt, null);
  assert.deepEqual(env.volunteers.list({ limit: 10 }).map((v) => v.number), [FROM]);
  assert.equal(env.volunteers.list({ limit: 10, includeUnregistered: true }).length, 2);
});

void test('the volunteers view: calls from callers, opt-out from optouts, filters by interest, pincode prefix and search, values bound', (t) => {
  const env = inboxEnv(t, { places });
  const calls = new CallStore(env.db);
  const call = (number: string, at: number) =>
    calls.record({
      number,
      numberRaw: number,
      numberValid: true,
      withheld: false,
      numberSource: 'clip',
      modemImei: LINE.imei,
      simIccid: LINE.iccid,
      port: '/dev/ttyUSB2',
      portLabel: 'line-1',
      campaign: null,
      rangAt: at,
      hangupAt: at,
      hangupLatencyMs: 1,
      callerGaveUp: false,
    });
  call(FROM, 1000);
  call(FROM, 5000);
  sms(env, 'JOIN Asha 221001');
  sms(env, 'SOCIAL');
  sms(env, 'JOIN Ravi_100% 226010', '+919855555555');
  env.db.prepare(`INSERT INTO optouts (number, opted_out, changed_at, source) VALUES (?, 1, 777, 'sms')`).run('+919855555555');
  const asha = env.volunteers.get(FROM);
  assert.deepEqual([asha?.firstCallAt, asha?.lastCallAt, asha?.calls, asha?.optedOut], [1000, 5000, 2, false]);
  const ravi = env.volunteers.get('+919855555555');
  assert.deepEqual([ravi?.calls, ravi?.firstCallAt, ravi?.optedOut, ravi?.optedOutAt], [0, null, true, 777]);
  const names = (q: Parameters<typeof env.volunteers.list>[0]): (string | null)[] => env.volunteers.list(q).map((v) => v.name);
  assert.deepEqual(names({ limit: 10, interest: 'social' }), ['Asha']);
  assert.deepEqual(names({ limit: 10, pincode: '226' }), ['Ravi_100%']);
  assert.deepEqual(names({ limit: 10, pincode: '2' }), ['Ravi_100%', 'Asha']);
  assert.deepEqual(names({ limit: 10, q: '_100%' }), ['Ravi_100%'], '% and _ are letters, not wildcards');
  assert.deepEqual(names({ limit: 10, q: '%' }), ['Ravi_100%']);
  assert.deepEqual(names({ limit: 10, q: 'varanasi' }), ['Asha'], 'search covers the district');
  assert.deepEqual(names({ limit: 10, q: '55555' }), ['Ravi_100%'], 'and digits of the number');
  assert.deepEqual(names({ limit: 10, q: "' OR 1=1 --" }), []);
  assert.deepEqual(names({ limit: 1 }), ['Ravi_100%']);
  const first = env.volunteers.list({ limit: 1 })[0];
  assert.deepEqual(names({ limit: 10, beforeSeq: first?.seq ?? 0 }), ['Asha']);
  assert.equal(env.volunteers.joinedSince(0), 2);
});
