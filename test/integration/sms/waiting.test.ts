import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { hashPassword } from '../../../src/auth/password.js';
import { waitFor } from '../../helpers/wait.js';
import { cmgsCommands, ist, smsBox, submitted, type SmsBox } from './setup.js';

const TZ = 'Asia/Kolkata';

/** Long enough for the sender to have looked at the queue several times (its tick is 100 ms here). */
async function sawNothingSent(box: SmsBox): Promise<void> {
  await sleep(400);
  assert.deepEqual(
    box.lines.flatMap((l) => cmgsCommands(l)),
    [],
    'nothing was sent',
  );
}

async function api<T>(box: SmsBox, path: string, auth: string): Promise<T> {
  const res = await fetch(`${box.app.address() ?? ''}${path}`, { headers: { authorization: auth } });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}

interface ApiSms {
  messages: { id: string; to: string; status: string; waiting: string | null; attempts: number; modem: string | null; queuedAt: string; sentAt: string | null }[];
}
interface ApiStatus {
  sms: { counts: Record<string, number>; waiting: { code: string; reason: string; until: string | null } | null; lines: { label: string; sentToday: number; limitReached: boolean }[] };
}

test('a call during quiet hours: the reply waits, the API says why, and it goes out when they end, oldest first', async (t) => {
  const box = await smsBox(t, {
    lines: [{}],
    reply: { text: 'Thanks' },
    sms: { quietHours: '21:00-09:00', timezone: TZ },
    startAt: ist('22:30'),
  });
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  const callers = ['+919800000001', '+919800000002', '+919800000003'];
  for (const n of callers) assert.equal((await line.sim.ring(n, { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('three replies queued', () => sms.list({ limit: 5 }).length === 3);
  await sawNothingSent(box);
  const queued = sms.list({ limit: 5 });
  assert.ok(queued.every((m) => m.status === 'queued'));
  assert.equal(queued[0]?.waiting, 'quiet hours (21:00-09:00) until 2026-11-29 09:00');
  const status = sms.status();
  assert.equal(status.waiting?.code, 'quiet-hours');
  assert.equal(status.waiting?.until, new Date(ist('09:00', '2026-11-29')).toISOString());
  assert.equal(status.counts.queued, 3);

  // Still quiet at 08:59; at 09:00 they go, oldest first.
  box.setTime(ist('08:59', '2026-11-29'));
  await sawNothingSent(box);
  box.setTime(ist('09:00', '2026-11-29'));
  await waitFor('three sent', () => line.sim.sent.length === 3, 5000);
  assert.deepEqual(
    line.sim.sent.map((s) => submitted(s).to),
    callers,
  );
  await waitFor('all sent', () => sms.list({ limit: 5 }).every((m) => m.status === 'sent'));
  assert.equal(sms.status().waiting, null);
});

test('a call during a blackout: the reply waits with the reason and goes out when the blackout ends', async (t) => {
  const box = await smsBox(t, {
    lines: [{}],
    reply: { text: 'Thanks' },
    sms: { blackout: [{ from: '2027-02-10T18:00+05:30', to: '2027-02-12T18:00+05:30', reason: 'poll silence' }], timezone: TZ },
    startAt: Date.parse('2027-02-11T12:00+05:30'),
  });
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  assert.equal((await line.sim.ring('+919800000004', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('queued', () => sms.list({ limit: 1 })[0]);
  await sawNothingSent(box);
  assert.equal(sms.list({ limit: 1 })[0]?.waiting, 'blackout (poll silence) until 2027-02-12 18:00');
  assert.equal(sms.status().waiting?.code, 'blackout');
  box.setTime(Date.parse('2027-02-12T18:00:01+05:30'));
  await waitFor('sent after the blackout', () => sms.list({ limit: 1 }).find((m) => m.status === 'sent'), 5000);
  assert.equal(line.sim.sent.length, 1);
});

test('daily cap reached: the next reply stays queued, /api/sms and /api/status say why; it goes the next day', async (t) => {
  const password = 'correct horse battery';
  const box = await smsBox(t, {
    lines: [{}],
    reply: { text: 'Thanks' },
    sms: { dailyLimitPerSim: 2, timezone: TZ },
    http: {
      users: [
        { name: 'admin', role: 'admin', passwordHash: await hashPassword(password, { N: 1024, r: 8, p: 1 }) },
        { name: 'viewer', role: 'viewer', passwordHash: await hashPassword(password, { N: 1024, r: 8, p: 1 }) },
      ],
    },
    web: true,
    startAt: ist('10:00'),
  });
  const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  for (const n of ['+919800000011', '+919800000012']) {
    assert.equal((await line.sim.ring(n, { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  }
  await waitFor('two sent', () => sms.list({ limit: 5 }).filter((m) => m.status === 'sent').length === 2);
  assert.equal((await line.sim.ring('+919800000013', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('third queued', () => sms.list({ limit: 5 }).length === 3);
  await sleep(400);
  assert.equal(cmgsCommands(line).length, 2, 'the SIM stopped at its limit');

  const queued = await api<ApiSms>(box, '/api/sms?status=queued', auth);
  assert.equal(queued.messages.length, 1);
  assert.equal(queued.messages[0]?.to, '+919800000013');
  assert.match(queued.messages[0]?.waiting ?? '', /every SIM has sent its 2 SMS for today \(sms\.dailyLimitPerSim\); sending resumes at 2026-11-29 00:00/);
  const all = await api<ApiSms>(box, '/api/sms?limit=10', auth);
  assert.deepEqual(
    all.messages.map((m) => m.status),
    ['queued', 'sent', 'sent'],
    'newest first',
  );
  const viewer = await api<ApiSms>(box, '/api/sms?status=queued', `Basic ${Buffer.from(`viewer:${password}`).toString('base64')}`);
  assert.equal(viewer.messages[0]?.to, '+91 98•••••013', 'viewers see numbers masked, as in /api/calls');
  const status = await api<ApiStatus>(box, '/api/status', auth);
  assert.equal(status.sms.waiting?.code, 'daily-limit');
  assert.deepEqual(status.sms.counts, { queued: 1, sending: 0, sent: 2, delivered: 0, failed: 0 });
  assert.deepEqual(
    status.sms.lines.map((l) => [l.label, l.sentToday, l.limitReached]),
    [['line-1', 2, true]],
  );
  const bad = await fetch(`${box.app.address() ?? ''}/api/sms?status=lost`, { headers: { authorization: auth } });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /status must be one of queued, sending, sent, delivered, failed/);

  box.setTime(ist('00:00', '2026-11-29'));
  await waitFor('sent the next day', () => sms.list({ limit: 5 }).every((m) => m.status === 'sent'), 5000);
  assert.equal(cmgsCommands(line).length, 3);
});

test('a long reply is not started on a SIM without room for all its parts', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'x'.repeat(300), maxParts: 2 }, sms: { dailyLimitPerSim: 3, timezone: TZ }, startAt: ist('10:00') });
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  assert.equal((await line.sim.ring('+919800000021', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('first sent (2 parts)', () => sms.list({ limit: 5 }).find((m) => m.status === 'sent'));
  assert.equal((await line.sim.ring('+919800000022', { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
  await waitFor('second queued', () => sms.list({ limit: 5 }).length === 2);
  await sleep(400);
  assert.equal(cmgsCommands(line).length, 2, 'one SMS left today, the reply needs two: not started');
  assert.match(sms.list({ limit: 1 })[0]?.waiting ?? '', /no SIM has 2 SMS left of today's limit \(3\)/);
});
