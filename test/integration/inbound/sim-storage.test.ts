import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Modem } from '../../../src/modem/modem.js';
import { replug } from '../../helpers/pty-modem.js';
import { nextEvent, waitFor } from '../../helpers/wait.js';
import { inboundBox, incoming, ready } from './setup.js';

test('a full SIM (50 messages) at start-up: all read, stored, deleted, none twice; new-message indications work again', async (t) => {
  const singles = Array.from({ length: 48 }, (_, i) => incoming(`+9198100${String(10000 + i)}`, i % 2 === 0 ? `JOIN Volunteer${i} 221001` : `सवाल ${i}: रैली कब है?`)[0] as string);
  const hindiJoin = 'जॉइन सुनीता देवी २२१०१० मैं महिला मोर्चा के कार्यक्रमों में मदद करना चाहती हूँ, कृपया संपर्क करें';
  const [part1, part2] = incoming('+919800000001', hindiJoin, { ref: 0x3c1, bits: 16 }) as [string, string];
  // Part 2 sits before part 1 on the SIM, with messages between them.
  const prefill = [...singles.slice(0, 10), part2, ...singles.slice(10, 40), part1, ...singles.slice(40)];
  assert.equal(prefill.length, 50);
  // One more arrives while the SIM is full: the network holds it without a word.
  const held = incoming('+919800000002', 'HELP')[0] as string;
  const box = await inboundBox(t, { sim: { smsStorage: { capacity: 50 } }, prefill, deliverBeforeStart: [held] });
  const sim = box.line.sim;
  const inbound = box.app.inbound;
  assert.ok(inbound);

  await waitFor('every message stored', () => inbound.messages.total() === 50, 15_000);
  await waitFor('the SIM emptied', () => sim.storage.used === 0 && sim.storage.held.length === 0);
  const rows = inbound.messages.list({ limit: 100 });
  const texts = rows.map((m) => m.text);
  assert.equal(new Set(texts).size, 50, 'none stored twice');
  assert.ok(texts.includes(hindiJoin), 'the two parts joined');
  assert.ok(texts.includes('HELP'), 'the message the network held came once there was room');
  assert.equal(inbound.volunteers.get('+919800000001')?.district, 'Varanasi');
  assert.equal(inbound.volunteers.get('+919800000001')?.name, 'सुनीता देवी');
  assert.equal(inbound.volunteers.list({ limit: 100 }).length, 25);
  const deletes = sim.commands.filter((c) => c.startsWith('AT+CMGD='));
  const listedIndexes = deletes.slice(0, 50).map((c) => Number(c.slice('AT+CMGD='.length)));
  assert.deepEqual([...listedIndexes].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1), 'each stored message deleted once');

  // New-message indications work again.
  const stored = nextEvent(inbound.inbox, 'stored');
  sim.deliverSms(incoming('+919800000003', 'JOIN Kamla 226001')[0] as string);
  await stored;
  assert.equal(inbound.volunteers.get('+919800000003')?.district, 'Lucknow');
  await waitFor('deleted', () => sim.storage.used === 0);
});

test('messages that arrived while the modem was unplugged are read when it comes back (AT+CMGL=4 after every reconnect)', async (t) => {
  const box = await inboundBox(t);
  const inbound = box.app.inbound;
  assert.ok(inbound);
  const modem = box.app.modems[0] as Modem;
  const gone = nextEvent(modem, 'state', (s: unknown) => s === 'gone');
  // Pulled out: the simulated modem drops its end and socat (both ptys) goes away. Not
  // `unplug()`, whose awaited SerialPort.close() was seen never to call back under load.
  box.line.sim.unplug();
  await box.line.pty.close();
  await gone;
  const back = await replug(box.dir, 'modem0', { vendor: 'quectel', imei: '867162020000031', iccid: '8991000900000003001' });
  t.after(async () => {
    back.sim.unplug();
    await back.pty.close();
  });
  // Two messages waited on the SIM while the box could not see it, one of them a long one's part.
  const [p1, p2] = incoming('+919811100000', 'x'.repeat(200), { ref: 7 }) as [string, string];
  back.sim.storage.put(incoming('+919811100001', 'JOIN Gita 110001')[0] as string);
  back.sim.storage.put(p2);
  const initialised = nextEvent(modem, 'initialised', () => true, 10_000);
  await ready(modem, 10_000);
  await initialised;
  await waitFor('the JOIN stored', () => inbound.volunteers.get('+919811100001')?.district === 'New Delhi');
  await waitFor('the SIM emptied', () => back.sim.storage.used === 0);
  // The other part arrives later, announced: the long message is whole.
  const stored = nextEvent(inbound.inbox, 'stored');
  back.sim.deliverSms(p1);
  await stored;
  assert.ok(inbound.messages.list({ limit: 5 }).some((m) => m.text === 'x'.repeat(200) && m.parts === 2));
  assert.ok(back.sim.commands.includes('AT+CMGL=4'));
});
