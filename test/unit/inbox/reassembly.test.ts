import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDeliver, encodeStatusReport, encodeSubmit } from '../../../src/sms/pdu/index.js';
import { deliverPart, deliverWithHeader, splitAt } from './pdu-builder.js';
import { inboxEnv, LINE } from './fakes.js';

const FROM = '+919812345678';
const SOURCE = { line: LINE, length: null };
const AT = new Date(Date.UTC(2026, 10, 28, 6, 30, 0));

void test('a Hindi message in two UCS-2 parts, part 2 first: one message, text exactly as sent, parts kept for re-reads', (t) => {
  const env = inboxEnv(t);
  const text = 'नमस्ते! मेरा नाम राम कुमार है और मैं वाराणसी से हूँ। मैं पार्टी के लिए स्वयंसेवक बनना चाहता हूँ, कृपया संपर्क करें।';
  const parts = encodeDeliver({ from: FROM, text, timestamp: AT, concatReference: 77 });
  assert.equal(parts.length, 2);
  const [p1, p2] = parts as [string, string];
  const first = env.inbox.receive(p2, SOURCE);
  assert.deepEqual(first, { kind: 'part-waiting', have: 1, total: 2 });
  assert.equal(env.messages.total(), 0, 'nothing shown before the message is whole');
  const second = env.inbox.receive(p1, SOURCE);
  assert.equal(second.kind, 'stored');
  assert.ok(second.kind === 'stored');
  assert.equal(second.message.text, text);
  assert.equal(second.message.number, FROM);
  assert.equal(second.message.parts, 2);
  assert.equal(second.message.partial, false);
  assert.equal(env.messages.total(), 1);
  // Both parts re-read from the SIM (a crash before AT+CMGD): recognised, nothing new.
  assert.deepEqual(env.inbox.receive(p2, SOURCE), { kind: 'duplicate' });
  assert.deepEqual(env.inbox.receive(`${p1}FFFF`, { line: LINE, length: p1.length / 2 - 1 }), { kind: 'duplicate' });
  assert.equal(env.messages.total(), 1);
  assert.deepEqual(env.syncTypes(), ['message'], 'HQ hears of the message once');
});

void test('16-bit references, three parts in the order 3, 1, 2; and 8- and 16-bit ref 5 from one sender stay apart', (t) => {
  const env = inboxEnv(t);
  const text = 'A'.repeat(153 * 2 + 20);
  const parts16 = encodeDeliver({ from: FROM, text, timestamp: AT, concatReference: 0x1234, referenceBits: 16 });
  assert.equal(parts16.length, 3);
  const other8 = encodeDeliver({ from: FROM, text: 'B'.repeat(200), timestamp: AT, concatReference: 5 });
  const other16 = encodeDeliver({ from: FROM, text: 'C'.repeat(200), timestamp: AT, concatReference: 5, referenceBits: 16 });
  const order = [parts16[2], other8[0], other16[1], parts16[0], other16[0], parts16[1], other8[1]] as string[];
  const stored = order.map((p) => env.inbox.receive(p, SOURCE)).filter((r) => r.kind === 'stored');
  assert.equal(stored.length, 3);
  const texts = env.messages.list({ limit: 10 }).map((m) => m.text).sort();
  assert.deepEqual(texts, [text, 'B'.repeat(200), 'C'.repeat(200)].sort());
});

void test('two senders using the same reference at the same time get their own messages', (t) => {
  const env = inboxEnv(t);
  const a = encodeDeliver({ from: '+919811111111', text: 'a'.repeat(200), timestamp: AT, concatReference: 9 });
  const b = encodeDeliver({ from: '+919822222222', text: 'b'.repeat(200), timestamp: AT, concatReference: 9 });
  for (const p of [a[0], b[1], b[0], a[1]] as string[]) env.inbox.receive(p, SOURCE);
  const got = env.messages.list({ limit: 10 }).map((m) => [m.number, m.text]);
  assert.deepEqual(got.sort(), [
    ['+919811111111', 'a'.repeat(200)],
    ['+919822222222', 'b'.repeat(200)],
  ]);
});

void test('a Devanagari part 2 that starts with a combining vowel sign is joined without adding or normalising anything', (t) => {
  const env = inboxEnv(t);
  // Split between क and ि: part 2 starts with U+093F, a combining mark.
  const text = 'JOIN रविकिशन २२१००१';
  const cut = text.indexOf('कि') + 1;
  const [one, two] = splitAt(text, cut);
  assert.equal(two?.codePointAt(0), 0x093f);
  env.inbox.receive(deliverPart({ from: FROM, text: two ?? '', ref: 200, total: 2, sequence: 2 }), SOURCE);
  const r = env.inbox.receive(deliverPart({ from: FROM, text: one ?? '', ref: 200, total: 2, sequence: 1 }), SOURCE);
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.text, text);
  assert.equal(r.message.keyword, 'JOIN');
  assert.equal(env.volunteers.get(FROM)?.name, 'रविकिशन');
  assert.equal(env.volunteers.get(FROM)?.pincode, '221001');
});

void test('parts still missing after the timeout (injected clock): stored as one partial message, flagged, with the missing part numbers', (t) => {
  const env = inboxEnv(t);
  const parts = encodeDeliver({ from: FROM, text: 'x'.repeat(153 * 3), timestamp: AT, concatReference: 42 });
  env.inbox.receive(parts[0] as string, SOURCE);
  env.clock.now += 3_600_000;
  env.inbox.receive(parts[2] as string, SOURCE);
  env.clock.now += 23 * 3_600_000 - 1;
  assert.equal(env.inbox.expire(), 0, 'not before 24 h since the first part');
  assert.equal(env.messages.total(), 0);
  env.clock.now += 1;
  assert.equal(env.inbox.expire(), 1);
  const [m] = env.messages.list({ limit: 5 });
  assert.ok(m);
  assert.equal(m.partial, true);
  assert.deepEqual(m.missingParts, [2]);
  assert.equal(m.parts, 3);
  assert.equal(m.partsReceived, 2);
  assert.equal(m.text, 'x'.repeat(153 * 2));
  assert.equal(m.receivedAt, env.clock.now);
  assert.equal(env.inbox.expire(), 0, 'stored once');
  // The late part, re-read or arriving after all, is recognised as already stored.
  assert.deepEqual(env.inbox.receive(parts[0] as string, SOURCE), { kind: 'duplicate' });
});

void test('a malformed PDU is stored raw with the decode error, and the next message is stored as usual', (t) => {
  const env = inboxEnv(t);
  for (const bad of ['0791', '07911326040000F0040B911', 'ZZ', '00'.repeat(3)]) {
    const r = env.inbox.receive(bad, SOURCE);
    assert.ok(r.kind === 'stored', `stored: ${bad}`);
    assert.equal(r.message.text, null);
    assert.equal(r.message.pdu, bad);
    assert.match(r.message.decodeError ?? '', /\S/);
    assert.equal(r.message.outcome, 'undecodable');
  }
  assert.equal(env.inbox.stats.undecodable, 4);
  const ok = env.inbox.receive(encodeDeliver({ from: FROM, text: 'hello', timestamp: AT })[0] as string, SOURCE);
  assert.ok(ok.kind === 'stored');
  assert.equal(ok.message.text, 'hello');
  assert.equal(ok.message.outcome, 'free-text');
  // An undecodable PDU read twice is still only stored once.
  assert.deepEqual(env.inbox.receive('0791', SOURCE), { kind: 'duplicate' });
});

void test('a message written with a national language table is kept raw with the reason, never read as Latin text nor acted on', (t) => {
  const env = inboxEnv(t);
  // Septets that spell STOP in the default alphabet; under the Hindi locking table they are Devanagari.
  const pdu = deliverWithHeader(FROM, 'STOP', Uint8Array.of(3, 0x25, 1, 6));
  const r = env.inbox.receive(pdu, SOURCE);
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.text, null);
  assert.equal(r.message.pdu, pdu);
  assert.equal(r.message.outcome, 'undecodable');
  assert.match(r.message.decodeError ?? '', /Hindi national language locking shift table/);
  assert.equal(env.inbox.stats.undecodable, 1);
});

void test('a long message in a national language table is one unreadable message, whichever part shows it, never acted on', (t) => {
  const env = inboxEnv(t);
  // Every part carries the Hindi single shift element; only part 2 has an escaped character,
  // so only part 2 cannot be read with the default tables.
  const hindiSingleShift = [0x24, 1, 6];
  const parts = ['JOIN Sunita 221008 I want to help with ', 'the campaign €'].map((text, i) =>
    deliverPart({ from: FROM, text, ref: 77, total: 2, sequence: i + 1, encoding: 'gsm7', moreElements: hindiSingleShift }),
  );
  assert.equal(env.inbox.receive(parts[0] as string, SOURCE).kind, 'part-waiting');
  const r = env.inbox.receive(parts[1] as string, SOURCE);
  assert.ok(r.kind === 'stored', r.kind);
  assert.equal(r.message.text, null);
  assert.equal(r.message.parts, 2);
  assert.equal(r.message.partsReceived, 2);
  assert.equal(r.message.partial, false);
  assert.equal(r.message.outcome, 'undecodable');
  assert.match(r.message.decodeError ?? '', /Hindi national language single shift table/);
  assert.equal(env.inbox.stats.undecodable, 1);
  env.clock.now += 25 * 3_600_000;
  assert.equal(env.inbox.expire(), 0, 'no part left waiting to turn up a day later as a partial message');
  assert.equal(env.messages.total(), 1);
  assert.equal(env.volunteers.get(FROM), null, 'the JOIN in it was not acted on');
});

void test('junk after the stated length is ignored; a 16-digit sender and a named sender are stored but never answered', (t) => {
  const env = inboxEnv(t);
  const pdu = encodeDeliver({ from: '+919812345678', text: 'STOP', timestamp: AT })[0] as string;
  const r = env.inbox.receive(`${pdu}00FF17`, { line: LINE, length: pdu.length / 2 - 1 });
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.text, 'STOP');
  const long = env.inbox.receive(encodeDeliver({ from: '1234567890123456', text: 'STOP', timestamp: AT })[0] as string, SOURCE);
  assert.ok(long.kind === 'stored');
  assert.equal(long.message.sender, '1234567890123456');
  assert.equal(long.message.number, null);
  assert.equal(long.message.outcome, 'not-a-number');
  const named = env.inbox.receive(encodeDeliver({ from: 'VM-BJPIND', text: 'JOIN us 221001', timestamp: AT })[0] as string, SOURCE);
  assert.ok(named.kind === 'stored');
  assert.equal(named.message.sender, 'VM-BJPIND');
  assert.equal(named.message.outcome, 'not-a-number');
  assert.equal(env.queue.queued.length, 1, 'only the real number got its STOP confirmation');
  assert.equal(env.queue.queued[0]?.to, '+919812345678');
});

void test('a delivery report or a sent copy in the message storage is not a message', (t) => {
  const env = inboxEnv(t);
  const report = encodeStatusReport({ messageReference: 7, recipient: FROM, submittedAt: AT, dischargedAt: AT, status: 0 });
  assert.equal(env.inbox.receive(report, SOURCE).kind, 'status-report');
  const submit = encodeSubmit({ to: FROM, text: 'hi' })[0]?.pdu ?? '';
  assert.deepEqual(env.inbox.receive(submit, SOURCE), { kind: 'not-inbound' });
  assert.equal(env.messages.total(), 0);
});

void test('if acting on a message fails, the message is still stored (outcome error) and nothing half-done remains', (t) => {
  const env = inboxEnv(t, {
    handler: {
      handle: () => {
        throw new Error('boom');
      },
    },
  });
  const r = env.inbox.receive(encodeDeliver({ from: FROM, text: 'JOIN Asha 221001', timestamp: AT })[0] as string, SOURCE);
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.outcome, 'error');
  assert.equal(env.inbox.stats.handlerErrors, 1);
  assert.equal(env.messages.total(), 1);
  assert.deepEqual(env.syncTypes(), ['message']);
});

void test('a reused reference: the old message (a part lost) is stored partial, the new one whole; no text is dropped', (t) => {
  const env = inboxEnv(t);
  const old = deliverPart({ from: FROM, text: 'A'.repeat(60), ref: 5, total: 2, sequence: 1, timestamp: new Date(env.clock.now - 3_600_000) });
  env.inbox.receive(old, SOURCE); // its part 2 never comes
  env.clock.now += 3_600_000;
  const join1 = deliverPart({ from: FROM, text: 'JOIN Asha ', ref: 5, total: 2, sequence: 1 });
  const join2 = deliverPart({ from: FROM, text: 'Devi 221001', ref: 5, total: 2, sequence: 2 });
  assert.deepEqual(env.inbox.receive(join1, SOURCE), { kind: 'part-waiting', have: 1, total: 2 });
  const r = env.inbox.receive(join2, SOURCE);
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.text, 'JOIN Asha Devi 221001');
  assert.equal(r.message.partial, false);
  assert.equal(r.message.keyword, 'JOIN');
  assert.equal(env.volunteers.get(FROM)?.name, 'Asha Devi');
  const partial = env.messages.list({ limit: 5 }).find((m) => m.partial);
  assert.equal(partial?.text, 'A'.repeat(60));
  assert.deepEqual(partial?.missingParts, [2]);
  assert.equal(env.messages.total(), 2);
  assert.equal(env.messages.waitingPartCount(), 0);
  assert.equal(env.inbox.stats.reusedReferences, 1);
  env.clock.now += 25 * 3_600_000;
  assert.equal(env.inbox.expire(), 0, 'nothing left behind');
});

void test('a reused reference whose new message comes part 2 first: told apart by the service-centre time, never joined to the old part 1', (t) => {
  const env = inboxEnv(t);
  const sent = (minutesAgo: number): Date => new Date(env.clock.now - minutesAgo * 60_000);
  // An old message whose part 2 never came, then a new one with the same reference, its part 2 first.
  env.inbox.receive(deliverPart({ from: FROM, text: 'A'.repeat(60), ref: 7, total: 2, sequence: 1, timestamp: sent(120) }), SOURCE);
  const r2 = env.inbox.receive(deliverPart({ from: FROM, text: 'Devi 221001', ref: 7, total: 2, sequence: 2, timestamp: sent(1) }), SOURCE);
  assert.deepEqual(r2, { kind: 'part-waiting', have: 1, total: 2 }, 'not joined to the old part 1');
  const r1 = env.inbox.receive(deliverPart({ from: FROM, text: 'JOIN Asha ', ref: 7, total: 2, sequence: 1, timestamp: sent(1) }), SOURCE);
  assert.ok(r1.kind === 'stored');
  assert.equal(r1.message.text, 'JOIN Asha Devi 221001');
  assert.equal(r1.message.partial, false);
  const texts = env.messages.list({ limit: 5 }).map((m) => [m.text, m.missingParts]);
  assert.deepEqual(texts.sort(), [
    ['A'.repeat(60), [2]],
    ['JOIN Asha Devi 221001', null],
  ]);
  assert.equal(env.inbox.stats.reusedReferences, 1);
  assert.equal(env.messages.waitingPartCount(), 0);
});

void test('a long message sent again later (same reference, same text): one whole message, nothing mixed or lost', (t) => {
  const env = inboxEnv(t);
  const sent = (minutesAgo: number): Date => new Date(env.clock.now - minutesAgo * 60_000);
  env.inbox.receive(deliverPart({ from: FROM, text: 'JOIN Asha ', ref: 8, total: 2, sequence: 1, timestamp: sent(60) }), SOURCE);
  env.inbox.receive(deliverPart({ from: FROM, text: 'JOIN Asha ', ref: 8, total: 2, sequence: 1, timestamp: sent(1) }), SOURCE);
  const r = env.inbox.receive(deliverPart({ from: FROM, text: 'Devi 221001', ref: 8, total: 2, sequence: 2, timestamp: sent(1) }), SOURCE);
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.text, 'JOIN Asha Devi 221001');
  assert.equal(r.message.partial, false);
  assert.equal(env.messages.total(), 1);
  assert.equal(env.messages.waitingPartCount(), 0);
});

void test('a second copy of a part with the same text does not split the message', (t) => {
  const env = inboxEnv(t);
  const p1 = deliverPart({ from: FROM, text: 'JOIN Asha ', ref: 6, total: 2, sequence: 1 });
  // The same part again with another timestamp (so another PDU): the same text.
  const p1again = deliverPart({ from: FROM, text: 'JOIN Asha ', ref: 6, total: 2, sequence: 1, timestamp: new Date(Date.UTC(2026, 10, 28, 6, 31, 0)) });
  env.inbox.receive(p1, SOURCE);
  assert.equal(env.inbox.receive(p1again, SOURCE).kind, 'part-waiting');
  const r = env.inbox.receive(deliverPart({ from: FROM, text: 'Devi 221001', ref: 6, total: 2, sequence: 2 }), SOURCE);
  assert.ok(r.kind === 'stored');
  assert.equal(r.message.text, 'JOIN Asha Devi 221001');
  assert.equal(r.message.partial, false);
  assert.equal(env.messages.waitingPartCount(), 0);
  assert.equal(env.inbox.stats.reusedReferences, 0);
});

void test('a part is marked as part of a message only when its text is in it (two texts for one part number already waiting)', (t) => {
  const env = inboxEnv(t);
  // Two different part-1 texts waiting side by side, as a database written before reused
  // references were recognised may hold.
  const base = { simKey: LINE.iccid ?? '', sender: FROM, ref: 9, refBits: 8 as const, total: 2, encoding: 'ucs2', sentAt: AT.getTime(), pdu: '00', line: LINE };
  env.messages.addPart({ ...base, fingerprint: 'f-old', sequence: 1, text: 'old text', receivedAt: env.clock.now });
  env.messages.addPart({ ...base, fingerprint: 'f-new', sequence: 1, text: 'JOIN Asha 221001', receivedAt: env.clock.now + 1 });
  env.clock.now += 24 * 3_600_000 + 10;
  assert.equal(env.inbox.expire(), 1);
  assert.equal(env.messages.waitingPartCount(), 1, 'the part whose text was not used still waits');
  assert.equal(env.inbox.expire(), 1, 'and is stored by the next sweep');
  assert.deepEqual(env.messages.list({ limit: 5 }).map((m) => m.text).sort(), ['JOIN Asha 221001', 'old text']);
  assert.equal(env.messages.waitingPartCount(), 0);
});

void test('a part that comes after its message was stored partial is kept, never dropped or merged into the stored one', (t) => {
  const env = inboxEnv(t);
  const p1 = deliverPart({ from: FROM, text: 'first half ', ref: 11, total: 2, sequence: 1 });
  const p2 = deliverPart({ from: FROM, text: 'second half', ref: 11, total: 2, sequence: 2 });
  env.inbox.receive(p1, SOURCE);
  env.clock.now += 24 * 3_600_000;
  assert.equal(env.inbox.expire(), 1);
  assert.deepEqual(env.inbox.receive(p2, SOURCE), { kind: 'part-waiting', have: 1, total: 2 });
  env.clock.now += 24 * 3_600_000;
  assert.equal(env.inbox.expire(), 1);
  const texts = env.messages.list({ limit: 5 }).map((m) => [m.text, m.missingParts]);
  assert.deepEqual(texts.sort(), [
    ['first half ', [2]],
    ['second half', [1]],
  ]);
});
