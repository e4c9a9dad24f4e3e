import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimHandler } from '../../../src/sim/sim-modem.js';
import { waitFor } from '../../helpers/wait.js';
import { cmgsCommands, nextSms, smsBox, submitted } from './setup.js';

/** Answer the first `times` AT+CMGS with `final` after the PDU, then fall through to the normal modem. */
function failCmgs(times: number, final: string): SimHandler & { count: () => number } {
  let n = 0;
  const handler: SimHandler = () => {
    if (n >= times) return undefined;
    n++;
    return { prompt: true, onBody: () => ({ final }) };
  };
  return Object.assign(handler, { count: () => n });
}

test('+CMS ERROR: 500 twice, then success: sent after retries with backoff, attempts recorded', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  assert.ok(line);
  const fail = failCmgs(2, '+CMS ERROR: 500');
  line.sim.onCommand(/^AT\+CMGS=/i, fail);
  const got = nextSms(line, 1, 8000);
  assert.equal((await line.sim.ring('+919811110001', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await got;
  const msg = await waitFor('sent', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.equal(fail.count(), 2);
  assert.equal(cmgsCommands(line).length, 3);
  assert.equal(msg.attempts, 3);
  assert.equal(msg.lastError, null, 'cleared once sent');
  assert.equal(msg.partDetails[0]?.attempts, 3);
});

test('a permanent +CMS ERROR fails the message at once: one attempt, a clear lastError, HQ told', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  assert.ok(line);
  line.sim.onCommand(/^AT\+CMGS=/i, failCmgs(5, '+CMS ERROR: 1'));
  assert.equal((await line.sim.ring('+919811110002', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const msg = await waitFor('failed', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'failed'));
  assert.equal(msg.attempts, 1);
  assert.equal(cmgsCommands(line).length, 1);
  assert.match(msg.lastError ?? '', /^permanent: \+CMS ERROR: 1 \(unassigned \(unallocated\) number\)/);
  assert.ok(msg.failedAt);
  const records = box.app.db.prepare(`SELECT id, payload FROM sync_log WHERE type = 'sms'`).all() as { id: string; payload: string }[];
  assert.deepEqual(
    records.map((r) => [r.id, (JSON.parse(r.payload) as { error: string }).error]),
    [[`${msg.id}:failed`, msg.lastError]],
  );
  // Not a SIM-level refusal: the line keeps sending.
  assert.equal(box.app.sms?.status().lines[0]?.state, 'idle');
});

test('a SIM the operator refuses (CMS 8) fails that message and rests; the other SIM sends the rest', async (t) => {
  const box = await smsBox(t, { lines: [{ role: 'sms' }, { role: 'both' }], reply: { text: 'Thanks' } });
  const [barred, other] = box.lines;
  assert.ok(barred && other);
  barred.sim.onCommand(/^AT\+CMGS=/i, failCmgs(100, '+CMS ERROR: 8'));
  assert.equal((await other.sim.ring('+919811110003', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const failed = await waitFor('the first reply failed on the barred SIM', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'failed'));
  assert.equal(failed.modem, 'line-1', 'the sms line was preferred');
  const line1 = box.app.sms?.status().lines[0];
  assert.equal(line1?.state, 'paused');
  assert.match(line1?.reason ?? '', /operator refused SMS .*CMS ERROR: 8/);
  // The next reply goes out from the other SIM.
  const got = nextSms(other);
  assert.equal((await other.sim.ring('+919811110004', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  assert.equal(submitted((await got)[0] ?? assert.fail()).to, '+919811110004');
  assert.equal(cmgsCommands(barred).length, 1);
});

test('garbage instead of the prompt: the attempt fails, the modem is not left in the prompt, the retry goes out', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' }, smsTimings: { cmgsTimeoutMs: 700 } });
  const line = box.lines[0];
  assert.ok(line);
  let garbage = 1;
  line.sim.onCommand(/^AT\+CMGS=/i, (_c, _m, sim) => {
    if (garbage-- <= 0) return undefined;
    sim.emitRaw('\r\n#@!~ garbage\r\n\x13\x37');
    return null; // no prompt, no final: the box must give up and write ESC
  });
  const got = nextSms(line, 1, 8000);
  assert.equal((await line.sim.ring('+919811110005', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await got;
  const msg = await waitFor('sent', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.equal(msg.attempts, 2);
  assert.equal(cmgsCommands(line).length, 2);
  // The modem still answers and still takes calls.
  assert.equal((await line.sim.ring('+919811110006', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  assert.equal(box.app.modems[0]?.info.state, 'ready');
});

test('garbage instead of +CMGS after the PDU: the attempt times out (ESC), is retried, and the modem answers again', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' }, smsTimings: { cmgsTimeoutMs: 700 } });
  const line = box.lines[0];
  assert.ok(line);
  let garbage = 1;
  line.sim.onCommand(/^AT\+CMGS=/i, (_c, _m, sim) => {
    if (garbage-- <= 0) return undefined;
    return {
      prompt: true,
      onBody: () => {
        sim.emitRaw('\r\n+CMGS\x00\xff: ??\r\nNOT OK\r\n');
        return null;
      },
    };
  });
  const got = nextSms(line, 1, 8000);
  assert.equal((await line.sim.ring('+919811110010', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await got;
  const msg = await waitFor('sent', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.equal(msg.attempts, 2);
  assert.equal(msg.partDetails[0]?.reference, line.sim.sent[0]?.messageReference);
  assert.equal((await line.sim.ring('+919811110011', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
});

test('ERROR instead of the prompt, and OK without +CMGS, are retried (never recorded as sent)', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  assert.ok(line);
  let n = 0;
  line.sim.onCommand(/^AT\+CMGS=/i, () => {
    n++;
    if (n === 1) return { final: 'ERROR' };
    if (n === 2) return { prompt: true, onBody: () => ({ final: 'OK' }) };
    return undefined;
  });
  const got = nextSms(line, 1, 8000);
  assert.equal((await line.sim.ring('+919811110007', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await got;
  const msg = await waitFor('sent', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.equal(msg.attempts, 3);
  assert.equal(msg.partDetails[0]?.reference, line.sim.sent[0]?.messageReference);
});

test('temporary errors up to the attempt limit: failed with the count and the last error', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' }, smsTimings: { maxAttempts: 3 } });
  const line = box.lines[0];
  assert.ok(line);
  line.sim.onCommand(/^AT\+CMGS=/i, failCmgs(100, '+CMS ERROR: 42'));
  assert.equal((await line.sim.ring('+919811110008', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  const msg = await waitFor('failed', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'failed'), 8000);
  assert.equal(msg.attempts, 3);
  assert.equal(cmgsCommands(line).length, 3);
  assert.match(msg.lastError ?? '', /^gave up after 3 attempts: \+CMS ERROR: 42 \(congestion\)/);
});

test('a modem that cannot tell its ICCID still sends; its SIM is counted under its IMSI', async (t) => {
  const box = await smsBox(t, { lines: [{ sim: { iccid: '12', imsi: '404451111111111' } }], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  assert.ok(line);
  assert.equal(box.app.modems[0]?.info.iccid, null);
  const got = nextSms(line);
  assert.equal((await line.sim.ring('+919811110009', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await got;
  const msg = await waitFor('sent', () => box.app.sms?.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.equal(msg.sim, 'imsi:404451111111111');
  assert.equal(box.app.sms?.status().lines[0]?.sentToday, 1);
});
