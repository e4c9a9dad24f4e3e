import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { waitFor } from '../../helpers/wait.js';
import { cmgsCommands, ist, nextSms, smsBox, submitted } from './setup.js';

const HINDI = 'धन्यवाद! स्वयंसेवक बनने के लिए JOIN <नाम> <पिनकोड> लिखकर भेजें।';
/** 200 characters of Hindi: three UCS-2 parts. */
const HINDI_200 = `${'आपके कॉल के लिए धन्यवाद। हमारे अभियान से जुड़ने के लिए JOIN लिखकर अपना नाम और पिनकोड भेजें। '.repeat(3).slice(0, 199)}!`;

test('a call gets the configured Hindi reply: the modem receives a PDU that decodes to it within 2 s', async (t) => {
  const box = await smsBox(t, { lines: [{ campaign: 'rally' }], reply: { text: HINDI } });
  const line = box.lines[0];
  assert.ok(line);
  const got = nextSms(line, 1, 4000);
  const rang = performance.now();
  const outcome = await line.sim.ring('+919812345678', { rings: 3, intervalMs: 2000 });
  assert.equal(outcome.outcome, 'hung-up');
  const [sms] = await got;
  const elapsed = performance.now() - rang;
  assert.ok(sms);
  assert.ok(elapsed < 2000, `reply reached the modem ${Math.round(elapsed)} ms after the call`);
  const pdu = submitted(sms);
  assert.equal(pdu.to, '+919812345678');
  assert.equal(pdu.text, HINDI);
  assert.equal(pdu.encoding, 'ucs2');
  assert.equal(pdu.concat, null);
  assert.equal(pdu.statusReportRequested, true);
  assert.equal(pdu.validityMinutes, 24 * 60);

  const sent = await waitFor('the message marked sent', () => box.app.sms?.list({ limit: 5 }).find((m) => m.status === 'sent'));
  assert.equal(sent.to, '+919812345678');
  assert.equal(sent.parts, 1);
  assert.equal(sent.attempts, 1);
  assert.equal(sent.modem, 'line-1');
  assert.equal(sent.partDetails[0]?.reference, sms.messageReference);
  const call = box.app.calls.list({ limit: 1 })[0];
  assert.equal(sent.callId, call?.id, 'the reply belongs to the call');
  // HQ hears of the outcome through the sync log.
  const db = new Database(box.config.database, { readonly: true });
  t.after(() => db.close());
  const rec = db.prepare(`SELECT id, payload FROM sync_log WHERE type = 'sms'`).all() as { id: string; payload: string }[];
  assert.deepEqual(
    rec.map((r) => r.id),
    [`${sent.id}:sent`],
  );
});

test('a 200-character Hindi reply goes as 3 parts with one concatenation header, in order, from one SIM', async (t) => {
  const box = await smsBox(t, { lines: [{}, {}], reply: { text: HINDI_200, maxParts: 3 } });
  const [a, b] = box.lines;
  assert.ok(a && b);
  const received: { line: number; sms: ReturnType<typeof submitted> }[] = [];
  a.sim.on('sms', (s) => received.push({ line: 0, sms: submitted(s) }));
  b.sim.on('sms', (s) => received.push({ line: 1, sms: submitted(s) }));
  assert.equal((await a.sim.ring('+919811112222', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('three parts', () => received.length >= 3, 8000);
  assert.equal(received.length, 3);
  assert.equal(new Set(received.map((r) => r.line)).size, 1, 'every part from the same SIM');
  const refs = new Set(received.map((r) => r.sms.concat?.reference));
  assert.equal(refs.size, 1, 'one concatenation reference');
  assert.deepEqual(
    received.map((r) => [r.sms.concat?.sequence, r.sms.concat?.total, r.sms.concat?.referenceBits]),
    [
      [1, 3, 8],
      [2, 3, 8],
      [3, 3, 8],
    ],
  );
  assert.equal(received.map((r) => r.sms.text).join(''), HINDI_200);
  for (const r of received) assert.ok([...r.sms.text].length <= 67);
  const msg = await waitFor('sent', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.deepEqual(
    msg.partDetails.map((p) => p.status),
    ['sent', 'sent', 'sent'],
  );
});

test('a repeat caller inside the cool-down is counted but not answered; after it, answered again', async (t) => {
  // Three lines: the same number redialling one line within 3 s is that call still ringing
  // (the ring detector's guard), so each call goes to another line, as a volunteer might.
  const box = await smsBox(t, { lines: [{}, {}, {}], reply: { text: 'Thanks for calling {box}', cooldownHours: 24 }, startAt: ist('10:00') });
  const [l1, l2, l3] = box.lines;
  assert.ok(l1 && l2 && l3);
  const sent = (): number => box.lines.reduce((n, l) => n + cmgsCommands(l).length, 0);
  assert.equal((await l1.sim.ring('9822223333', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('the first reply', () => box.app.sms?.list({ limit: 5 }).find((m) => m.status === 'sent'));
  assert.equal((await l2.sim.ring('9822223333', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('two calls', () => box.app.calls.total() === 2);
  assert.equal(box.app.sms?.list({ limit: 10 }).length, 1, 'one reply for two calls');
  assert.equal(box.app.sms?.replies.stats.skipped.cooldown, 1);
  assert.equal(box.app.calls.list({ limit: 1 })[0]?.repeat, 1, 'the call itself is counted');
  assert.equal(sent(), 1);
  // 25 hours later the same caller is answered again.
  box.setTime(ist('11:00', '2026-11-29'));
  assert.equal((await l3.sim.ring('9822223333', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('the second reply', () => box.app.sms?.list({ limit: 5 }).filter((m) => m.status === 'sent').length === 2);
  assert.equal(sent(), 2);
  assert.equal(submitted(l1.sim.sent[0] ?? l2.sim.sent[0] ?? l3.sim.sent[0] ?? assert.fail('no SMS')).text, 'Thanks for calling sms-test');
});

test('withheld callers and opted-out numbers get no reply; the calls are still recorded', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  sms.optOuts.optOut('+919833334444', Date.now(), 'test');
  assert.equal((await line.sim.ring(null, { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  assert.equal((await line.sim.ring('+919833334444', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('two calls', () => box.app.calls.total() === 2);
  assert.deepEqual(sms.list({ limit: 5 }), []);
  assert.equal(sms.replies.stats.skipped.withheld, 1);
  assert.equal(sms.replies.stats.skipped['opted-out'], 1);
  assert.deepEqual(cmgsCommands(line), []);
});

test('status reports move a reply to delivered, or to failed', async (t) => {
  const box = await smsBox(t, { lines: [{ sim: { vendor: 'huawei' } }], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  assert.ok(line);
  const sms = box.app.sms;
  assert.ok(sms);
  line.sim.once('sms', (s) => setTimeout(() => line.sim.statusReport(s, 0x00), 50));
  assert.equal((await line.sim.ring('+919844445555', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const delivered = await waitFor('delivered', () => sms.list({ limit: 5 }).find((m) => m.status === 'delivered'), 5000);
  assert.ok(delivered.deliveredAt);
  assert.equal(delivered.partDetails[0]?.status, 'delivered');

  line.sim.once('sms', (s) => setTimeout(() => line.sim.statusReport(s, 0x41), 50));
  assert.equal((await line.sim.ring('+919855556666', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const failed = await waitFor('failed', () => sms.list({ limit: 5 }).find((m) => m.status === 'failed'), 5000);
  assert.match(failed.lastError ?? '', /status 0x41/);
  // A report for a message the box never sent is counted and ignored.
  line.sim.statusReport({ length: 0, pdu: line.sim.sent[0]?.pdu ?? '', messageReference: 0 }, 0, { reference: 250, recipient: '+919800000000' });
  await waitFor('unmatched report counted', () => (sms.status().reports.unmatched === 1 ? true : null), 3000);
  assert.equal(sms.status().reports.matched, 2);
});

test('a modem that only stores delivery reports (+CNMI ds=2, +CDSI): the reply still becomes delivered, and the report is removed from the modem', async (t) => {
  const box = await smsBox(t, { lines: [{ sim: { vendor: 'quectel', reportsStored: true } }], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  line.sim.once('sms', (s) => setTimeout(() => line.sim.statusReport(s, 0x00), 50));
  assert.equal((await line.sim.ring('+919844445555', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const delivered = await waitFor('delivered', () => sms.list({ limit: 5 }).find((m) => m.status === 'delivered'), 5000);
  assert.equal(delivered.partDetails[0]?.status, 'delivered');
  await waitFor('the report deleted from the modem', () => line.sim.reportStorage.used === 0 && line.sim.commands.includes('AT+CMGD=1'));
  assert.equal(box.app.inbound?.status().lines['line-1']?.reports, 1);
  assert.equal(box.app.inbound?.status().inbox.stored, 0, 'a delivery report is not a volunteer message');
});

test('replies go out from the sms line while the calls line takes calls', async (t) => {
  const box = await smsBox(t, { lines: [{ role: 'calls' }, { role: 'sms' }], reply: { text: 'Thanks from {label}' } });
  const [calls, sender] = box.lines;
  assert.ok(calls && sender);
  const got = nextSms(sender);
  assert.equal((await calls.sim.ring('+919866667777', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const [sms] = await got;
  assert.ok(sms);
  assert.equal(submitted(sms).text, 'Thanks from line-1', 'the text is that of the line that was called');
  assert.deepEqual(cmgsCommands(calls), [], 'the calls line never sends');
  const status = box.app.sms?.status();
  assert.deepEqual(
    status?.lines.map((l) => [l.label, l.role]),
    [
      ['line-1', 'calls'],
      ['line-2', 'sms'],
    ],
  );
});

test('a call ringing on the line that is sending a long reply is hung up between its parts', async (t) => {
  const box = await smsBox(t, {
    lines: [{ sim: { smsSendMs: 400 } }],
    reply: { text: HINDI_200, maxParts: 3 },
  });
  const line = box.lines[0];
  assert.ok(line);
  const three = nextSms(line, 3, 10_000);
  assert.equal((await line.sim.ring('+919877778888', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  // Ring again while part 1 is with the network.
  await waitFor('part 1 in flight', () => cmgsCommands(line).length === 1);
  const second = await line.sim.ring('+919888889999', { rings: 3, intervalMs: 3000 });
  assert.equal(second.outcome, 'hung-up');
  assert.ok(second.hungUpAt !== null && second.announcedAt !== null);
  // At worst the hang-up waits for the part in flight (400 ms here), never for the whole reply.
  assert.ok(second.hungUpAt - second.announcedAt < 1500, `hung up after ${Math.round(second.hungUpAt - second.announcedAt)} ms`);
  await three;
  const order = line.sim.commands.filter((c) => /^AT\+CMGS=|^ATH$|^AT\+CHUP$/.test(c));
  const firstParts = order.slice(0, order.indexOf('ATH', 1) + 1);
  assert.ok(firstParts.filter((c) => c.startsWith('AT+CMGS')).length < 3, `the hang-up came before the last part: ${order.join(' ')}`);
  // Both callers get their reply in the end.
  await waitFor('both replies sent', () => box.app.sms?.list({ limit: 5 }).filter((m) => m.status === 'sent').length === 2, 15_000);
});
