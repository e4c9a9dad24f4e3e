import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REPLIES } from '../../../src/volunteers/config.js';
import { nextEvent, waitFor } from '../../helpers/wait.js';
import { CALL_REPLY, inboundBox, incoming, missedCall } from './setup.js';

test('a Hindi JOIN in UCS-2, split in two parts delivered out of order → one volunteer with name, pincode and district from the table', async (t) => {
  const box = await inboundBox(t);
  const from = '+919876543210';
  // Long enough for two UCS-2 parts (over 70 characters); Devanagari digits in the pincode.
  const text = 'जॉइन रामप्रसाद विश्वकर्मा २२१००२ मैं अपने मोहल्ले में पार्टी का काम करना चाहता हूँ, कृपया बताइए कैसे';
  const parts = incoming(from, text, { ref: 0xa7 });
  assert.equal(parts.length, 2);
  const stored = nextEvent(box.app.inbound?.inbox ?? assert.fail('no inbox'), 'stored');
  box.line.sim.deliverSms(parts[1] as string);
  await waitFor('part 2 read and deleted', () => box.line.sim.storage.used === 0);
  assert.equal(box.app.inbound?.messages.total(), 0, 'half a message is not a message');
  box.line.sim.deliverSms(parts[0] as string);
  await stored;
  const inbound = box.app.inbound;
  assert.ok(inbound);
  const [m] = inbound.messages.list({ limit: 5 });
  assert.equal(m?.text, text);
  assert.equal(m?.parts, 2);
  assert.equal(m?.keyword, 'JOIN');
  const v = inbound.volunteers.get(from);
  assert.ok(v);
  assert.equal(v.name, 'रामप्रसाद विश्वकर्मा');
  assert.equal(v.pincode, '221002');
  assert.equal(v.district, 'Varanasi');
  assert.equal(v.constituency, 'Varanasi North');
  assert.equal(v.simIccid, '8991000900000003001');
  await waitFor('the JOIN answer sent', () => box.sent().some(([to, body]) => to === from && body === DEFAULT_REPLIES.join));
  await waitFor('both parts deleted from the SIM', () => box.line.sim.storage.used === 0);
});

test('STOP, then a missed call from that number → recorded, no SMS; START → answered again', async (t) => {
  const box = await inboundBox(t);
  const from = '+919812340000';
  const sim = box.line.sim;
  const app = box.app;
  const inbox = app.inbound?.inbox ?? assert.fail('no inbox');
  sim.deliverSms(incoming(from, 'stop')[0] as string);
  await waitFor('the one STOP confirmation', () => box.sent().some(([to, body]) => to === from && body === DEFAULT_REPLIES.stop));
  assert.equal(app.sms?.optOuts.isOptedOut(from), true);

  const sentBefore = box.sent().length;
  await missedCall(box, from);
  const call = await waitFor('the call recorded', () => app.calls.list({ limit: 1 })[0]);
  assert.equal(call.number, from);
  // HELP from the opted-out number: stored, not answered. The reply decisions for the call and
  // the message are made in the transactions that record them, so nothing is still on its way.
  const help = nextEvent(inbox, 'stored');
  sim.deliverSms(incoming(from, 'HELP')[0] as string);
  await help;
  const queuedTo = app.sms?.list({ limit: 50 }).filter((s) => s.to === from).map((s) => s.text) ?? [];
  assert.deepEqual(queuedTo, [DEFAULT_REPLIES.stop], 'nothing but the confirmation was even queued');
  assert.equal(box.sent().length, sentBefore, 'no SMS went out');

  sim.deliverSms(incoming(from, 'START')[0] as string);
  await waitFor('the START answer', () => box.sent().some(([to, body]) => to === from && body === DEFAULT_REPLIES.start));
  assert.equal(app.sms?.optOuts.isOptedOut(from), false);
  // The same number ringing right after a hang-up is taken for the old call still ringing
  // until AT+CLCC has confirmed that call is gone (src/modem/modem.ts, verifyHungUp).
  const modem = app.modems[0] ?? assert.fail('no modem');
  await waitFor('the first hang-up confirmed', () => modem.counters.hangupsConfirmed >= 1);
  await missedCall(box, from);
  await waitFor('the call answered again', () => box.sent().some(([to, body]) => to === from && body === CALL_REPLY));
  assert.equal(app.calls.total(), 2);
  // HQ hears of the opt-out and the opt-in, of each message and each call.
  const types = Object.fromEntries(
    (app.db.prepare(`SELECT type, COUNT(*) AS n FROM sync_log WHERE type IN ('optout', 'message', 'call') GROUP BY type`).all() as { type: string; n: number }[]).map((r) => [r.type, r.n]),
  );
  assert.deepEqual(types, { call: 2, message: 3, optout: 2 });
});

test('a malformed PDU is stored raw with its error and deleted from the SIM; the box goes on', async (t) => {
  const box = await inboundBox(t);
  const inbound = box.app.inbound;
  assert.ok(inbound);
  const sim = box.line.sim;
  const bad = nextEvent(inbound.inbox, 'stored');
  sim.deliverSms('0791198912345678040C9191');
  const [raw] = (await bad) as [{ text: string | null; pdu: string | null; decodeError: string | null }];
  assert.equal(raw.text, null);
  assert.equal(raw.pdu, '0791198912345678040C9191');
  assert.match(raw.decodeError ?? '', /TP-|PDU/);
  // Counted for the status page (`inbound` in /api/status).
  assert.equal(inbound.status().inbox.undecodable, 1);
  await waitFor('the bad one deleted', () => sim.storage.used === 0);
  const good = nextEvent(inbound.inbox, 'stored');
  sim.deliverSms(incoming('+919811122233', 'JOIN Meena 226010')[0] as string);
  await good;
  assert.equal(inbound.volunteers.get('+919811122233')?.district, 'Lucknow');
  assert.equal(box.app.modems[0]?.info.state, 'ready');
});
