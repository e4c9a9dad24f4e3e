/**
 * Line selection and waiting reasons of the SMS worker, with stub modems (no AT traffic) and a
 * real outbox on a real SQLite file. What goes over the wire is tested in test/integration/sms.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import type { AtResponse, SendOptions } from '../../../src/at/engine.js';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import type { Modem, ModemInfo } from '../../../src/modem/modem.js';
import { SmsOutbox } from '../../../src/sms/outbox.js';
import { encodeStatusReport } from '../../../src/sms/pdu/index.js';
import { ReplyPolicy } from '../../../src/sms/reply-policy.js';
import { parseQuietHours } from '../../../src/sms/schedule.js';
import type { SmsSettings } from '../../../src/sms/settings.js';
import { SmsPageProvider } from '../../../src/sms/web-provider.js';
import { SmsWorker, simKey, type SmsWorkerTimings } from '../../../src/sms/worker.js';
import type { CallRow } from '../../../src/store/calls.js';
import type { SmsRow } from '../../../src/store/outbox.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { OptOutStore } from '../../../src/store/optouts.js';
import { SyncLog } from '../../../src/store/sync-log.js';
import { UnknownCursorError } from '../../../src/web/providers.js';
import { tempDir } from '../../helpers/box.js';
import { waitFor } from '../../helpers/wait.js';

/** A modem that records AT+CMGS and answers each when the test says so. */
class StubModem extends EventEmitter {
  ringing = false;
  readonly cmgs: { resolve: (r: AtResponse) => void; body: string }[] = [];
  readonly info: ModemInfo;
  readonly engine = {
    isClosed: false,
    sendWithPrompt: (command: string, body: string, _o?: SendOptions): Promise<AtResponse> =>
      new Promise((resolve) => {
        this.cmgs.push({ body, resolve });
        this.emit('cmgs', command);
      }),
  };

  constructor(readonly label: string, iccid: string | null) {
    super();
    this.info = { label, state: 'ready', iccid, imsi: null } as ModemInfo;
  }

  /** Answer every AT+CMGS at once with `+CMGS: <n>`, counting up from 1 (`accept` is then never needed). */
  autoAccept(): void {
    let mr = 0;
    this.on('cmgs', () => queueMicrotask(() => this.accept(++mr)));
  }

  /** Answer the oldest open AT+CMGS with `+CMGS: <mr>`. */
  accept(mr: number): void {
    const c = this.cmgs.shift();
    assert.ok(c, `${this.label}: no AT+CMGS in flight`);
    c.resolve({ command: 'AT+CMGS', lines: [`+CMGS: ${mr}`], final: { kind: 'ok' }, writtenAt: 0, completedAt: 0 });
  }
}

function settings(over: Partial<SmsSettings> = {}): SmsSettings {
  return { dailyLimitPerSim: 0, window: { quietHours: null, blackouts: [], timeZone: 'Asia/Kolkata' }, ...over };
}

interface Fx {
  db: Db;
  outbox: SmsOutbox;
  optOuts: OptOutStore;
  clock: { now: number };
}

function fixture(t: TestContext): Fx {
  const { dir, remove } = tempDir('mcb-worker-');
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => {
    db.close();
    remove();
  });
  const syncLog = new SyncLog(db);
  const optOuts = new OptOutStore(db, syncLog);
  const clock = { now: Date.parse('2026-11-28T12:00:00+05:30') };
  return { db, optOuts, clock, outbox: new SmsOutbox({ db, syncLog, optOuts, country: 'IN', log: silentLogger(), clock: () => clock.now }) };
}

function worker(
  t: TestContext,
  f: Fx,
  lines: { modem: StubModem; role: 'calls' | 'sms' | 'both' }[],
  s = settings(),
  timings: Partial<SmsWorkerTimings> = {},
): SmsWorker {
  const w = new SmsWorker({
    outbox: f.outbox,
    optOuts: f.optOuts,
    lines: lines.map((l) => ({ modem: l.modem as unknown as Modem, role: l.role })),
    settings: s,
    log: silentLogger(),
    clock: () => f.clock.now,
    timings: { tickMs: 20, ...timings },
  });
  t.after(() => {
    // Let anything in flight finish so stop() does not wait.
    for (const l of lines) while (l.modem.cmgs.length > 0) l.modem.accept(0);
    return w.stop();
  });
  return w;
}

function queue(f: Fx, to: string, extra: { text?: string; preferModem?: string } = {}): string {
  const r = f.outbox.enqueue({ to, text: extra.text ?? 'hello', kind: 'manual', ...(extra.preferModem ? { preferModem: extra.preferModem } : {}) });
  assert.ok(r.queued);
  return r.id;
}

void describe('SmsWorker: which line sends', () => {
  void it('prefers sms lines, never uses calls lines, and skips a ringing line', async (t) => {
    const f = fixture(t);
    const calls = new StubModem('calls', '8991000000000000001');
    const both = new StubModem('both', '8991000000000000002');
    const sms = new StubModem('sms', '8991000000000000003');
    sms.ringing = true;
    const w = worker(t, f, [
      { modem: calls, role: 'calls' },
      { modem: both, role: 'both' },
      { modem: sms, role: 'sms' },
    ]);
    w.start();
    queue(f, '+919800000001');
    await waitFor('sent through the both line (the sms line is ringing)', () => both.cmgs.length === 1);
    sms.ringing = false;
    queue(f, '+919800000002');
    await waitFor('the sms line takes the next', () => sms.cmgs.length === 1);
    assert.equal(calls.cmgs.length, 0);
    assert.equal(w.status().lines.find((l) => l.label === 'calls')?.state, 'calls-only');
    both.accept(1);
    sms.accept(2);
    await waitFor('both sent', () => f.outbox.store.counts().sent === 2);
  });

  void it('spreads the load: the line that sent least today goes first; a preferred line is honoured', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000011');
    const b = new StubModem('b', '8991000000000000012');
    f.outbox.store.countSent(simKey(a), '2026-11-28');
    f.outbox.store.countSent(simKey(a), '2026-11-28');
    const w = worker(t, f, [
      { modem: a, role: 'both' },
      { modem: b, role: 'both' },
    ]);
    w.start();
    queue(f, '+919800000011');
    await waitFor('b (0 today) before a (2 today)', () => b.cmgs.length === 1);
    assert.equal(a.cmgs.length, 0);
    b.accept(1);
    await waitFor('sent', () => f.outbox.store.counts().sent === 1);
    queue(f, '+919800000012', { preferModem: 'a' });
    await waitFor('the preferred line', () => a.cmgs.length === 1);
    a.accept(2);
  });

  void it('sends the parts of a reply in order from one SIM, and the rest waits for that SIM', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000021');
    const b = new StubModem('b', '8991000000000000022');
    const w = worker(t, f, [
      { modem: a, role: 'both' },
      { modem: b, role: 'both' },
    ]);
    w.start();
    const id = queue(f, '+919800000021', { text: 'x'.repeat(300) });
    await waitFor('part 1 on a line', () => a.cmgs.length + b.cmgs.length === 1);
    const first = a.cmgs.length === 1 ? a : b;
    const other = first === a ? b : a;
    first.accept(10);
    await waitFor('part 2 on the same line', () => first.cmgs.length === 1);
    assert.equal(other.cmgs.length, 0);
    first.accept(11);
    await waitFor('sent', () => f.outbox.get(id)?.status === 'sent');
    assert.deepEqual(
      f.outbox.parts(id).map((p) => [p.modem, p.messageReference]),
      [
        [first.label, 10],
        [first.label, 11],
      ],
    );
  });

  void it('between parts it waits for a ringing call to be hung up; stopping meanwhile puts the rest back at once', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000061');
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    const id = queue(f, '+919800000061', { text: 'x'.repeat(300) });
    await waitFor('part 1 in flight', () => a.cmgs.length === 1);
    a.ringing = true;
    a.accept(1);
    await waitFor('part 1 recorded', () => f.outbox.parts(id)[0]?.status === 'sent');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(a.cmgs.length, 0, 'part 2 not started while the line rings');
    const started = Date.now();
    await w.stop();
    assert.ok(Date.now() - started < 1000, 'stop did not wait for the ring (ringWaitMs is 60 s)');
    assert.equal(f.outbox.get(id)?.status, 'queued');
    assert.equal(f.outbox.get(id)?.simIccid, '8991000000000000061');
    assert.deepEqual(
      f.outbox.parts(id).map((p) => p.status),
      ['sent', 'pending'],
    );
  });

  void it('a message whose number opted out while it waited is cancelled, not sent', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000031');
    const id = queue(f, '+919800000031');
    f.optOuts.optOut('+919800000031', f.clock.now, 'sms:STOP');
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    await waitFor('failed', () => f.outbox.get(id)?.status === 'failed');
    assert.match(f.outbox.get(id)?.lastError ?? '', /opted out/);
    assert.equal(a.cmgs.length, 0);
  });
});

void describe('SmsWorker: why messages wait', () => {
  void it('names quiet hours, the daily limit, and lines that cannot send', (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000041');
    const q = parseQuietHours('21:00-09:00');
    assert.ok(q.ok);
    const w = worker(t, f, [{ modem: a, role: 'both' }], settings({ dailyLimitPerSim: 1, window: { quietHours: q.value, blackouts: [], timeZone: 'Asia/Kolkata' } }));
    assert.equal(w.waiting(), null, 'nothing queued');
    queue(f, '+919800000041');
    f.clock.now = Date.parse('2026-11-28T22:00:00+05:30');
    assert.deepEqual(w.waiting(), { code: 'quiet-hours', reason: 'quiet hours (21:00-09:00) until 2026-11-29 09:00', until: Date.parse('2026-11-29T09:00:00+05:30') });
    f.clock.now = Date.parse('2026-11-29T10:00:00+05:30');
    f.outbox.store.countSent(simKey(a), '2026-11-29');
    assert.equal(w.waiting()?.code, 'daily-limit');
    assert.equal(w.waiting()?.until, Date.parse('2026-11-30T00:00:00+05:30'));
    f.clock.now = Date.parse('2026-11-30T10:00:00+05:30');
    a.info.state = 'not-registered';
    assert.deepEqual(w.waiting(), { code: 'no-modem', reason: 'no modem can send right now (a: not-registered)', until: null });
    assert.equal(w.status().lines[0]?.state, 'unavailable');
  });

  void it('follows new settings (an HQ push) without a restart', (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000051');
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    queue(f, '+919800000051');
    assert.equal(w.waiting(), null);
    w.configure(settings({ window: { quietHours: null, blackouts: [{ from: f.clock.now - 1000, to: f.clock.now + 3600_000, reason: 'poll silence' }], timeZone: 'Asia/Kolkata' } }));
    assert.equal(w.waiting()?.code, 'blackout');
    assert.match(w.waiting()?.reason ?? '', /^blackout \(poll silence\) until 13:00$/);
  });
});

void describe('ReplyPolicy', () => {
  const call = (over: Partial<CallRow> = {}): CallRow =>
    ({ id: 'c1', number: '+919800000061', withheld: false, portLabel: 'line-1', campaign: null, ...over }) as CallRow;

  void it('expands the line\'s text, and takes a pushed text and cool-down at once', (t) => {
    const f = fixture(t);
    const base = `box:\n  id: varanasi-01\nmodems:\n  - port: /dev/ttyUSB2\n    campaign: rally\n`;
    const { config } = parseConfig(`${base}reply:\n  text: "Thanks from {box} for calling {campaign}"\n  templateId: "1107"\n`, 'c.yaml', '/');
    const policy = new ReplyPolicy({ config, db: f.db, outbox: f.outbox, optOuts: f.optOuts, log: silentLogger(), clock: () => f.clock.now });
    assert.equal(policy.replyFor('line-1'), 'Thanks from varanasi-01 for calling rally');
    f.db.transaction(() => policy.onCall(call()))();
    const [row] = f.outbox.store.list({ limit: 5 });
    assert.equal(row?.text, 'Thanks from varanasi-01 for calling rally');
    assert.equal(row?.templateId, '1107');
    assert.equal(row?.callId, 'c1');
    f.db.transaction(() => policy.onCall(call({ id: 'c2' })))();
    assert.equal(policy.stats.skipped.cooldown, 1);

    const pushed = parseConfig(`${base}reply:\n  text: "New text"\n  cooldownHours: 0\n`, 'c.yaml', '/').config;
    policy.configure(pushed);
    f.db.transaction(() => policy.onCall(call({ id: 'c3' })))();
    assert.equal(f.outbox.store.list({ limit: 1 })[0]?.text, 'New text');
    assert.equal(policy.stats.queued, 2);

    policy.configure(parseConfig(base, 'c.yaml', '/').config);
    f.db.transaction(() => policy.onCall(call({ id: 'c4' })))();
    assert.equal(policy.stats.skipped['no-reply-configured'], 1, 'a push that removes the reply stops replies');
  });
});

void describe('SmsPageProvider', () => {
  void it('counts, pages with a cursor, and queues a test SMS through a chosen line', async (t) => {
    const f = fixture(t);
    const ids = [queue(f, '+919800000071'), queue(f, '+919800000072'), queue(f, '+919800000073')];
    f.outbox.claim(ids[0] ?? '', 'a', 'S');
    f.outbox.partSent(ids[0] ?? '', 1, 1, 'a', 'S', '2026-11-28');
    const service = {
      outbox: f.outbox,
      status: () => ({ dailyLimitPerSim: 100, lines: [{ label: 'a', sentToday: 1 }] }),
    };
    const p = new SmsPageProvider(service as never, () => 'varanasi-01');
    const counts = p.counts(f.clock.now - 3600_000);
    assert.deepEqual(counts, { sentToday: 1, queued: 2, failedToday: 0, byStatus: { queued: 2, sending: 0, sent: 1, delivered: 0, failed: 0 } });
    assert.deepEqual([...p.usageByModem(0)], [['a', { sentToday: 1, dailyLimit: 100 }]]);
    const page1 = p.list({ limit: 2 });
    assert.deepEqual(
      page1.items.map((i) => i.id),
      [ids[2], ids[1]],
    );
    assert.equal(page1.next, ids[1]);
    const page2 = p.list({ limit: 2, before: page1.next ?? '' });
    assert.deepEqual(
      page2.items.map((i) => i.id),
      [ids[0]],
    );
    assert.equal(page2.next, null);
    assert.deepEqual(
      p.list({ limit: 5, status: 'sent' }).items.map((i) => i.status),
      ['sent'],
    );
    assert.throws(() => p.list({ limit: 5, before: 'nope' }), UnknownCursorError);
    const test = await p.sendTest('+919800000079', { modem: 'a', requestedBy: 'admin' });
    const row = f.outbox.get(test.id);
    assert.equal(row?.kind, 'test');
    assert.equal(row?.preferModem, 'a');
    assert.equal(row?.text, 'Test SMS from missedcall box varanasi-01 via a, sent by admin.');
    await assert.rejects(p.sendTest('12', { requestedBy: 'admin' }), /not queued: invalid-number/);
  });
});

/** What better-sqlite3 throws when the disk is full. */
function sqliteFull(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
}

/** Make `obj[name]` throw `times` times, then behave again. */
function failing<T extends object, K extends keyof T>(obj: T, name: K, times: number, error: () => Error = sqliteFull): void {
  const real = obj[name];
  if (typeof real !== 'function') throw new Error(`${String(name)} is not a method`);
  let left = times;
  const patched = (...args: unknown[]): unknown => {
    if (left-- > 0) throw error();
    return (real as (...a: unknown[]) => unknown).apply(obj, args);
  };
  Object.assign(obj, { [name]: patched });
}

void describe('SmsWorker: database errors never crash it, and a part the modem accepted is never sent again', () => {
  for (const text of ['hello', 'x'.repeat(300)]) {
    const parts = text.length > 160 ? 2 : 1;
    void it(`recording +CMGS fails (SQLITE_FULL) for a ${parts}-part message: the record is retried, the part is not re-sent`, async (t) => {
      const f = fixture(t);
      const a = new StubModem('a', '8991000000000000081');
      a.autoAccept();
      failing(f.outbox, 'partSent', 2);
      const w = worker(t, f, [{ modem: a, role: 'both' }], settings(), { commitRetryBaseMs: 10, retryBaseMs: 10 });
      w.start();
      const id = queue(f, '+919800000081', { text });
      await waitFor('sent', () => f.outbox.get(id)?.status === 'sent');
      assert.equal(a.cmgs.length, 0);
      assert.equal(
        f.outbox.parts(id).every((p) => p.status === 'sent' && p.messageReference !== null),
        true,
      );
      assert.equal(f.outbox.parts(id).reduce((n, p) => n + p.attempts, 0), parts, 'each part went to the modem exactly once');
      assert.equal(f.outbox.store.sentOn(simKey(a), '2026-11-28'), parts, 'each part counted once');
      assert.equal(w.status().errors.commits, 2);
    });
  }

  void it('claiming fails inside the timer: counted and logged, the next tick sends it', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000082');
    a.autoAccept();
    failing(f.outbox, 'claim', 2, () => new Error(`message x is queued with no part left to send`));
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    const id = queue(f, '+919800000082');
    await waitFor('sent', () => f.outbox.get(id)?.status === 'sent');
    assert.equal(w.status().errors.schedule, 2);
  });

  void it('an error that even queueing the message again cannot record: nothing unhandled, the message goes out later', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000083');
    a.autoAccept();
    failing(f.outbox, 'parts', 1, () => new Error('SQLITE_IOERR: disk I/O error'));
    failing(f.outbox, 'retry', 1);
    const w = worker(t, f, [{ modem: a, role: 'both' }], settings(), { retryBaseMs: 10 });
    w.start();
    const id = queue(f, '+919800000083');
    await waitFor('sent', () => f.outbox.get(id)?.status === 'sent');
    assert.equal(w.status().errors.sends, 1);
    assert.equal(f.outbox.parts(id)[0]?.attempts, 2, 'the part was marked sending twice, and went to the modem once');
  });

  void it('a status report that cannot be recorded is counted, not thrown into the modem', (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000084');
    failing(f.outbox, 'applyStatusReport', 1);
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    const now = new Date(f.clock.now);
    const hex = encodeStatusReport({ messageReference: 3, recipient: '+919800000084', submittedAt: now, dischargedAt: now, status: 0 });
    assert.doesNotThrow(() => a.emit('urc', { name: 'cds', line: '+CDS: 25', body: [hex], receivedAt: 0 }));
    assert.equal(w.status().errors.reports, 1);
  });
});

void describe('SmsWorker: STOP ends a half-sent reply', () => {
  void it('the number opts out while a call rings between the parts: the rest is not sent, the message fails', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000091');
    const w = worker(t, f, [{ modem: a, role: 'both' }], settings(), { ringWaitMs: 5000 });
    w.start();
    const id = queue(f, '+919800000091', { text: 'x'.repeat(300) });
    await waitFor('part 1 in flight', () => a.cmgs.length === 1);
    a.ringing = true;
    a.accept(1);
    await waitFor('part 1 recorded', () => f.outbox.parts(id)[0]?.status === 'sent');
    f.optOuts.optOut('+919800000091', f.clock.now, 'sms:STOP');
    a.ringing = false;
    a.emit('call-ended');
    await waitFor('failed', () => f.outbox.get(id)?.status === 'failed');
    assert.match(f.outbox.get(id)?.lastError ?? '', /^cancelled: opted out/);
    assert.deepEqual(
      f.outbox.parts(id).map((p) => p.status),
      ['sent', 'failed'],
    );
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(a.cmgs.length, 0, 'part 2 never went to the modem');
  });

  void it('a half-sent message waiting in the queue for its SIM is cancelled when the number opted out', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000092');
    const id = queue(f, '+919800000092', { text: 'x'.repeat(300) });
    f.outbox.claim(id, 'a', simKey(a));
    f.outbox.partSent(id, 1, 1, 'a', simKey(a), '2026-11-28');
    f.outbox.retry(id, 2, 'a kept ringing', f.clock.now, true);
    assert.equal(f.outbox.get(id)?.simIccid, simKey(a));
    f.optOuts.optOut('+919800000092', f.clock.now, 'sms:STOP');
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    await waitFor('failed', () => f.outbox.get(id)?.status === 'failed');
    assert.match(f.outbox.get(id)?.lastError ?? '', /^cancelled: opted out/);
    assert.equal(a.cmgs.length, 0);
  });

  void it('the one STOP confirmation (ignoreOptOut) still goes out in full', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000093');
    a.autoAccept();
    f.optOuts.optOut('+919800000093', f.clock.now, 'sms:STOP');
    const r = f.outbox.enqueue({ to: '+919800000093', text: 'y'.repeat(300), kind: 'keyword', ignoreOptOut: true });
    assert.ok(r.queued);
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    await waitFor('sent', () => f.outbox.get(r.id)?.status === 'sent');
  });
});

void describe('SmsWorker: the daily limit never blocks the queue', () => {
  void it('a message longer than the daily limit fails with a clear error; the replies behind it go out', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000101');
    a.autoAccept();
    const long: string[] = [];
    for (let i = 0; i < 40; i++) long.push(queue(f, '+919800000101', { text: 'y'.repeat(400) }));
    const short = queue(f, '+919800000102', { text: 'short' });
    const w = worker(t, f, [{ modem: a, role: 'both' }], settings({ dailyLimitPerSim: 2 }));
    w.start();
    await waitFor('the short one sent', () => f.outbox.get(short)?.status === 'sent');
    await waitFor('every long one failed', () => long.every((id) => f.outbox.get(id)?.status === 'failed'));
    assert.match(f.outbox.get(long[0] ?? '')?.lastError ?? '', /^cannot be sent: it takes 3 SMS and sms\.dailyLimitPerSim is 2/);
    assert.equal(f.outbox.store.sentOn(simKey(a), '2026-11-28'), 1);
  });

  void it('messages that do not fit what is left of today wait, without hiding a shorter one behind them', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000111');
    a.autoAccept();
    for (let i = 0; i < 3; i++) f.outbox.store.countSent(simKey(a), '2026-11-28');
    const long: string[] = [];
    for (let i = 0; i < 40; i++) long.push(queue(f, '+919800000111', { text: 'y'.repeat(400) }));
    const short = queue(f, '+919800000112', { text: 'short' });
    const w = worker(t, f, [{ modem: a, role: 'both' }], settings({ dailyLimitPerSim: 5 }));
    w.start();
    await waitFor('the short one sent', () => f.outbox.get(short)?.status === 'sent');
    assert.ok(long.every((id) => f.outbox.get(id)?.status === 'queued'), 'the long ones wait for tomorrow');
    assert.match(w.explain(f.outbox.get(long[0] ?? '') as SmsRow) ?? '', /no SIM has 3 SMS left of today's limit \(5\)/);
  });

  void it('half-sent messages waiting for a SIM that is away do not hide a new message behind them', async (t) => {
    const f = fixture(t);
    const a = new StubModem('a', '8991000000000000121');
    a.autoAccept();
    for (let i = 0; i < 40; i++) {
      const id = queue(f, '+919800000121', { text: 'x'.repeat(300) });
      f.outbox.claim(id, 'gone', 'SIM-AWAY');
      f.outbox.partSent(id, 1, i, 'gone', 'SIM-AWAY', '2026-11-28');
      f.outbox.retry(id, 2, 'the line went away', f.clock.now, true);
    }
    const fresh = queue(f, '+919800000122');
    const w = worker(t, f, [{ modem: a, role: 'both' }]);
    w.start();
    await waitFor('the new one sent', () => f.outbox.get(fresh)?.status === 'sent');
    assert.equal(f.outbox.store.counts().queued, 40);
  });
});
