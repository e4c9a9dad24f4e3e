import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import type { StoredMessage } from '../../../src/inbox/inbox.js';
import { listEntries, StorageReader } from '../../../src/inbox/storage-reader.js';
import { silentLogger } from '../../../src/log.js';
import { Modem } from '../../../src/modem/modem.js';
import { duplexPair } from '../../../src/sim/duplex-pair.js';
import type { SimSmsStorageOptions } from '../../../src/sim/sms-storage.js';
import { SimModem } from '../../../src/sim/sim-modem.js';
import { encodeDeliver, encodeStatusReport } from '../../../src/sms/pdu/index.js';
import { testTimings } from '../../helpers/box.js';
import { nextEvent, waitFor } from '../../helpers/wait.js';
import { inboxEnv, type InboxEnv } from './fakes.js';

const AT = new Date(Date.UTC(2026, 10, 28, 6, 30, 0));

function pdu(text: string, from = '+919812345678', ref = 0): string[] {
  return encodeDeliver({ from, text, timestamp: AT, concatReference: ref });
}

interface Rig {
  env: InboxEnv;
  sim: SimModem;
  modem: Modem;
  reader: StorageReader;
  /** Resolves with the first scan's outcome. */
  firstScan: Promise<[{ listed: number; deleted: number }]>;
}

/** The real Modem and StorageReader against the simulated modem over an in-process byte pipe. */
async function rig(t: import('node:test').TestContext, storage: SimSmsStorageOptions = {}, prefill: string[] = [], reportsStored = false): Promise<Rig> {
  const env = inboxEnv(t);
  let sim: SimModem | null = null;
  const modem = new Modem({
    port: '/sim/line-1',
    label: 'line-1',
    campaign: null,
    baudRate: 115200,
    profile: 'auto',
    openPort: () => {
      const [boxEnd, simEnd]: [Duplex, Duplex] = duplexPair();
      sim = new SimModem(simEnd, { smsStorage: storage, iccid: '8991000900111111111', reportsStored });
      for (const p of prefill) sim.storage.put(p);
      return Promise.resolve(boxEnd);
    },
    log: silentLogger(),
    ring: { clipWaitMs: 500, cycleGapMs: 3000, sameCallGuardMs: 3000 },
    timings: testTimings,
  });
  const reader = new StorageReader({ modem, inbox: env.inbox, log: silentLogger(), checkIntervalMs: 3_600_000 });
  const firstScan = nextEvent<[{ listed: number; deleted: number }]>(reader, 'scanned', () => true, 8000);
  reader.start();
  modem.start();
  t.after(async () => {
    await reader.stop();
    await modem.stop();
  });
  await firstScan;
  if (!sim) throw new Error('the modem never opened its port');
  return { env, sim, modem, reader, firstScan };
}

void test('messages already on the SIM at start-up are read, stored, then deleted (+CMGR: ,,27 form and junk after the PDU)', async (t) => {
  const prefill = [...pdu('JOIN Asha 221001'), ...pdu('hello'), ...pdu('x'.repeat(200), '+919822222222', 3)];
  const { env, sim, firstScan } = await rig(t, { emptyStat: true, junkAfterPdu: '00FF' }, prefill);
  assert.deepEqual((await firstScan)[0], { listed: 4, deleted: 4 });
  assert.equal(sim.storage.used, 0);
  assert.deepEqual(
    env.messages.list({ limit: 10 }).map((m) => m.text).sort(),
    ['JOIN Asha 221001', 'hello', 'x'.repeat(200)].sort(),
  );
  assert.ok(sim.commands.includes('AT+CMGL=4'));
});

void test('+CMTI → AT+CMGR → stored → only then AT+CMGD', async (t) => {
  const { env, sim } = await rig(t);
  const deletedWhileStored: number[] = [];
  sim.storage.on('deleted', () => deletedWhileStored.push(env.messages.total()));
  const stored = nextEvent(env.inbox, 'stored');
  sim.deliverSms(pdu('STOP')[0] as string);
  await stored;
  await waitFor('the SIM emptied', () => sim.storage.used === 0);
  assert.deepEqual(deletedWhileStored, [1], 'the message was in the database when the SIM copy was deleted');
  const cmds = sim.commands.filter((c) => /CMGR|CMGD/.test(c));
  assert.deepEqual(cmds, ['AT+CMGR=1', 'AT+CMGD=1']);
  assert.equal(env.optOuts.isOptedOut('+919812345678'), true);
});

void test('+CMTI: "ME",0 (index 0 exists) is read from the modem memory', async (t) => {
  const { env, sim } = await rig(t, { name: 'ME', firstIndex: 0 });
  const stored = nextEvent(env.inbox, 'stored');
  assert.equal(sim.deliverSms(pdu('HELP')[0] as string), 0);
  await stored;
  await waitFor('deleted', () => sim.commands.includes('AT+CMGD=0'));
  assert.ok(sim.commands.includes('AT+CMGR=0'));
});

void test('a modem that keeps delivery reports (+CDSI: "SR"): each is read from SR, handed on as +CDS, deleted, and messages are read from SM again', async (t) => {
  const report = encodeStatusReport({ messageReference: 9, recipient: '+919812345678', submittedAt: AT, dischargedAt: AT, status: 0 });
  const { env, sim, modem, reader } = await rig(t, {}, [], true);
  // The modem refused ds=1 and the box settled for ds=2 (reports stored, announced with +CDSI).
  assert.ok(sim.commands.some((c) => /^AT\+CNMI=2,1,0,2,0$/.test(c)), sim.commands.join(' '));
  const handed = nextEvent(modem, 'urc', (u: { name: string; body: string[] }) => u.name === 'cds');
  assert.equal(sim.reportStorage.deliver(report), 1); // prints +CDSI: "SR",1
  const [cds] = await handed;
  assert.deepEqual(cds.body, [report]);
  await waitFor('the report deleted', () => sim.reportStorage.used === 0);
  assert.equal(env.messages.total(), 0, 'a delivery report is not a message');
  assert.equal(reader.stats.reports, 1);
  // The storage check that follows looks at the SIM's messages again, not at the report store.
  const checked = nextEvent<[{ storage: string | null }[]]>(reader, 'checked');
  reader.checkNow();
  assert.equal((await checked)[0][0]?.storage, 'SM');
  // A message after it is read from the SIM's message storage, not looked for among the reports.
  const stored = nextEvent(env.inbox, 'stored');
  sim.deliverSms(pdu('hi')[0] as string);
  await stored;
  await waitFor('the SIM emptied', () => sim.storage.used === 0);
  const cmds = sim.commands.filter((c) => /CPMS="|CMGR|CMGD/.test(c));
  assert.deepEqual(cmds, ['AT+CPMS="SR"', 'AT+CMGR=1', 'AT+CMGD=1', 'AT+CPMS="SM"', 'AT+CMGR=1', 'AT+CMGD=1']);
  assert.equal(reader.stats.fullFound, 0);
});

void test('AT+CPMS="SR" unanswered (the modem may have switched anyway): the message storage is selected again before the next read', async (t) => {
  const report = encodeStatusReport({ messageReference: 5, recipient: '+919812345678', submittedAt: AT, dischargedAt: AT, status: 0 });
  const { env, sim } = await rig(t, {}, [], true);
  // The first switch to the report storage gets no answer at all.
  const restore = sim.onCommand(/^AT\+CPMS="SR"$/, () => null);
  const timedOut = nextEvent(sim, 'command', (c: unknown) => c === 'AT+CPMS="SR"');
  sim.reportStorage.deliver(report);
  await timedOut;
  restore();
  const stored = nextEvent(env.inbox, 'stored', () => true, 8000);
  sim.deliverSms(pdu('after the timeout')[0] as string);
  await stored;
  const after = sim.commands.slice(sim.commands.indexOf('AT+CPMS="SR"') + 1);
  const select = after.indexOf('AT+CPMS="SM"');
  assert.ok(select >= 0 && select < after.indexOf('AT+CMGR=1'), `AT+CPMS="SM" before the read: ${after.join(' ')}`);
});

void test('+CMTI: "SR",6 (a report announced as a message) is read as a report, never stored as a message', async (t) => {
  const report = encodeStatusReport({ messageReference: 7, recipient: '+919812345678', submittedAt: AT, dischargedAt: AT, status: 0 });
  const { env, sim, modem } = await rig(t, {}, [], true);
  const handed = nextEvent(modem, 'urc', (u: { name: string }) => u.name === 'cds');
  const index = sim.reportStorage.put(report);
  sim.urc(`+CMTI: "SR",${index}`);
  await handed;
  await waitFor('the report deleted', () => sim.reportStorage.used === 0);
  assert.equal(env.messages.total(), 0);
});

void test('a delivery report found in the message storage is handed on as +CDS and removed', async (t) => {
  const report = encodeStatusReport({ messageReference: 9, recipient: '+919812345678', submittedAt: AT, dischargedAt: AT, status: 0 });
  const seen: string[] = [];
  const { env, sim, modem } = await rig(t, {}, []);
  modem.on('urc', (u) => {
    if (u.name === 'cds') seen.push(u.body[0] ?? '');
  });
  sim.storage.put(report);
  const scanned = nextEvent(modem, 'urc', (u: { name: string }) => u.name === 'cds');
  sim.urc('+CMTI: "SM",1');
  await scanned;
  await waitFor('deleted', () => sim.storage.used === 0);
  assert.deepEqual(seen, [report]);
  assert.equal(env.messages.total(), 0);
});

void test('+CMT: the PDU delivered directly is stored, with no storage command', async (t) => {
  const { env, sim } = await rig(t);
  const before = sim.commands.length;
  const stored = nextEvent(env.inbox, 'stored');
  sim.deliverSms(pdu('JOIN Ravi २२१००२')[0] as string, { direct: true });
  const [m] = (await stored) as [{ text: string; keyword: string }];
  assert.equal(m.text, 'JOIN Ravi २२१००२');
  assert.equal(env.volunteers.get('+919812345678')?.pincode, '221002');
  assert.ok(!sim.commands.slice(before).some((c) => /CMG[RD]/.test(c)));
});

void test('a full SIM that stopped announcing: the storage check finds it, empties it, and the network delivers what it held', async (t) => {
  const { env, sim, reader } = await rig(t, { capacity: 3 });
  // Three messages land without +CMTI (lost indications), then the SIM is full: the next two are held.
  for (const text of ['one', 'two', 'three']) sim.storage.put(pdu(text)[0] as string);
  assert.equal(sim.deliverSms(pdu('four')[0] as string), null);
  assert.equal(sim.deliverSms(pdu('five')[0] as string), null);
  assert.equal(sim.storage.held.length, 2);
  reader.checkNow();
  await waitFor('five messages stored', () => env.messages.total() === 5);
  await waitFor('the SIM emptied', () => sim.storage.used === 0 && sim.storage.held.length === 0);
  assert.equal(reader.stats.fullFound, 1);
  assert.deepEqual(env.messages.list({ limit: 10 }).map((m) => m.text).sort(), ['five', 'four', 'one', 'three', 'two']);
});

void test('when storing fails the message stays on the SIM, and is stored and deleted on the next read', async (t) => {
  const { env, sim, reader } = await rig(t);
  const real = env.inbox.receive.bind(env.inbox);
  let failures = 1;
  env.inbox.receive = (hex, source) => {
    if (failures-- > 0) throw new Error('disk I/O error');
    return real(hex, source);
  };
  sim.deliverSms(pdu('JOIN Asha 221001')[0] as string);
  await waitFor('the failed read', () => reader.stats.errors === 1);
  assert.equal(sim.storage.used, 1, 'not deleted');
  assert.ok(!sim.commands.includes('AT+CMGD=1'));
  reader.checkNow();
  await waitFor('stored', () => env.messages.total() === 1);
  await waitFor('deleted', () => sim.storage.used === 0);
});

void test('a modem that refuses AT+CPMS? is still read: the check lists the storage instead', async (t) => {
  const { env, sim, reader } = await rig(t);
  sim.onCommand(/^AT\+CPMS/i, () => ({ final: 'ERROR' }));
  sim.storage.put(pdu('unannounced')[0] as string);
  reader.checkNow();
  await waitFor('stored', () => env.messages.total() === 1);
  await waitFor('deleted', () => sim.storage.used === 0);
});

void test('listEntries takes the first hex line of each header as its PDU, skipping stray modem lines; none before the next header → null', () => {
  const [p1, p2] = [pdu('STOP')[0] as string, pdu('JOIN Asha 221001')[0] as string];
  assert.deepEqual(listEntries(['+CMGL: 1,0,,22', '^SMMEMFULL: "SM"', p1, '+CMGL: 2,0,,30', '+CMGL: 3,0,,30', '+CPIN: READY', ` ${p2} `, '+CMGL: 4,0,,22']), [
    { index: 1, stat: 0, length: 22, pdu: p1 },
    { index: 2, stat: 0, length: 30, pdu: null },
    { index: 3, stat: 0, length: 30, pdu: p2 },
    { index: 4, stat: 0, length: 22, pdu: null },
  ]);
});

void test('AT+CMGR with a stray line between header and PDU reads the PDU; with no PDU at all nothing is stored and nothing deleted', async (t) => {
  const { env, sim, reader } = await rig(t);
  const stop = pdu('STOP')[0] as string;
  // Huawei prints ^SMMEMFULL between the header and the PDU (seen in the reviewer's transcript).
  const undo = sim.onCommand(/^AT\+CMGR=1$/i, () => ({ lines: ['+CMGR: 0,,22', '^SMMEMFULL: "SM"', stop], final: 'OK' }));
  const stored = nextEvent<[StoredMessage]>(env.inbox, 'stored');
  sim.deliverSms(stop);
  assert.equal((await stored)[0].text, 'STOP');
  await waitFor('deleted', () => sim.storage.used === 0);
  undo();

  // Only the header and a stray line: the message must stay on the SIM, nothing junk stored.
  const hello = pdu('hello')[0] as string;
  sim.onCommand(/^AT\+CMGR=1$/i, () => ({ lines: ['+CMGR: 0,,22', '+CPIN: READY'], final: 'OK' }));
  sim.deliverSms(hello);
  await waitFor('the read without a PDU', () => reader.stats.noPdu === 1);
  assert.equal(sim.storage.used, 1, 'not deleted');
  assert.equal(sim.commands.filter((c) => c === 'AT+CMGD=1').length, 1, 'only the first message was deleted');
  assert.equal(env.messages.total(), 1, 'no "undecodable" junk stored');
  assert.equal(env.inbox.stats.undecodable, 0);
});

void test('AT+CMGL with stray lines: every message read by its own PDU; a header without one stays on the SIM for the next scan', async (t) => {
  const texts = ['one', 'two', 'three'];
  const pdus = texts.map((x) => pdu(x)[0] as string);
  const { env, sim, reader } = await rig(t);
  for (const p of pdus) sim.storage.put(p);
  const list = sim.onCommand(/^AT\+CMGL=4$/i, () => ({
    lines: ['+CMGL: 1,0,,20', '^SMMEMFULL: "SM"', pdus[0] as string, '+CMGL: 2,0,,20', '+CMGL: 3,0,,22', '+CPIN: READY', pdus[2] as string],
    final: 'OK',
  }));
  const scanned = nextEvent<[{ listed: number; deleted: number }]>(reader, 'scanned');
  reader.checkNow();
  assert.deepEqual((await scanned)[0], { listed: 3, deleted: 2 });
  assert.deepEqual(env.messages.list({ limit: 10 }).map((m) => m.text).sort(), ['one', 'three']);
  assert.deepEqual(sim.storage.indexes(), [2], 'the message listed without its PDU is still on the SIM');
  assert.equal(reader.stats.noPdu, 1);
  // The storage check sees one message more than it left on purpose, so the next scan reads it.
  list();
  reader.checkNow();
  await waitFor('read on the next scan', () => env.messages.total() === 3);
  await waitFor('the SIM emptied', () => sim.storage.used === 0);
});
