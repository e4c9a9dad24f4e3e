import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNext } from '../../../src/web/auth.js';
import { csvField, csvLine } from '../../../src/volunteers/csv.js';
import { LoginGuard, VerifySlots, type AttemptOutcome, type GuardVerdict } from '../../../src/web/login-guard.js';
import { csrfMatches, SessionStore } from '../../../src/web/sessions.js';

/** One whole try through the guard: counted at the start, settled with its outcome. */
async function tryOnce(guard: LoginGuard, ip: string, user: string | null, outcome: AttemptOutcome): Promise<GuardVerdict | number> {
  const attempt = await guard.begin(ip, user);
  if (!('settle' in attempt)) return attempt;
  return attempt.settle(outcome);
}

test('LoginGuard: three free mistakes per account and address, then a wait that doubles, capped; a success clears only its account', async () => {
  let now = 1_000_000;
  const guard = new LoginGuard({ now: () => now, firstDelayMs: 2000, maxDelayMs: 10_000, freeFailuresPerAddress: 100 });
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: true });
  await tryOnce(guard, '1.2.3.4', 'admin', 'failure');
  await tryOnce(guard, '1.2.3.4', 'admin', 'failure');
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: true });
  assert.equal(await tryOnce(guard, '1.2.3.4', 'admin', 'failure'), 3);
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: false, retryAfterSeconds: 2, reason: 'locked' });
  assert.deepEqual(await tryOnce(guard, '1.2.3.4', 'admin', 'success'), { allowed: false, retryAfterSeconds: 2, reason: 'locked' }, 'refused unchecked while waiting');
  assert.deepEqual(guard.check('5.6.7.8', 'admin'), { allowed: true }, 'other addresses are not affected');
  assert.deepEqual(guard.check('1.2.3.4', 'viewer'), { allowed: true }, 'nor other accounts from the address');
  // Another account logging in from the same address forgives nothing of the admin's count.
  assert.equal(await tryOnce(guard, '1.2.3.4', 'viewer', 'success'), 0);
  assert.equal(guard.check('1.2.3.4', 'admin').allowed, false);
  now += 2000;
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: true });
  await tryOnce(guard, '1.2.3.4', 'admin', 'failure');
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: false, retryAfterSeconds: 4, reason: 'locked' });
  for (let i = 0; i < 5; i++) {
    now += 10_000;
    await tryOnce(guard, '1.2.3.4', 'admin', 'failure');
  }
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: false, retryAfterSeconds: 10, reason: 'locked' }, 'capped');
  now += 10_000;
  await tryOnce(guard, '1.2.3.4', 'admin', 'success');
  await tryOnce(guard, '1.2.3.4', 'admin', 'failure');
  assert.deepEqual(guard.check('1.2.3.4', 'admin'), { allowed: true }, 'its own success starts the account\'s count again');
});

test('LoginGuard: an address gets a few more mistakes across accounts (names that are no account share one count), then waits for all of them', async () => {
  const now = 0;
  const guard = new LoginGuard({ now: () => now, freeFailuresPerAddress: 5 });
  await tryOnce(guard, 'a', 'admin', 'failure');
  await tryOnce(guard, 'a', 'admin', 'failure');
  await tryOnce(guard, 'a', null, 'failure');
  await tryOnce(guard, 'a', null, 'failure');
  assert.equal(guard.check('a', 'viewer').allowed, true);
  await tryOnce(guard, 'a', null, 'failure');
  assert.equal(guard.check('a', null).allowed, false, 'every unknown name counts as one account');
  assert.equal(guard.check('a', 'viewer').allowed, false, 'five from the address: the whole address waits');
  assert.equal(guard.check('b', 'viewer').allowed, true);
});

test('LoginGuard: a try is counted before it is checked; one check at a time per address; an unchecked try counts nothing', async () => {
  const guard = new LoginGuard({ now: () => 0, maxWaiting: 2 });
  const first = await guard.begin('a', 'admin');
  assert.ok('settle' in first);
  // While the first is being checked it already counts, and others from the address wait their turn.
  const second = guard.begin('a', 'admin');
  const third = guard.begin('a', 'viewer');
  assert.deepEqual(await guard.begin('a', 'admin'), { allowed: false, retryAfterSeconds: 1, reason: 'busy' }, 'beyond maxWaiting: refused at once');
  const other = await guard.begin('b', 'admin');
  assert.ok('settle' in other, 'another address is not held up');
  other.settle('unchecked');
  let secondStarted = false;
  void second.then(() => (secondStarted = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(secondStarted, false, 'the second waits until the first is settled');
  first.settle('failure');
  const s = await second;
  assert.ok('settle' in s);
  assert.equal(s.settle('failure'), 2);
  const t = await third;
  assert.ok('settle' in t);
  t.settle('unchecked');
  const fourth = await guard.begin('a', 'admin');
  assert.ok('settle' in fourth);
  assert.equal(fourth.settle('failure'), 3, 'the unchecked try of another account changed nothing');
  assert.equal(guard.check('a', 'admin').allowed, false);
  const b = await guard.begin('b', 'admin');
  assert.ok('settle' in b);
  assert.equal(b.settle('failure'), 1, 'the unchecked try on b counted nothing');
});

test('LoginGuard: forgets after a quiet period and holds a bounded number of entries', async () => {
  let now = 0;
  const guard = new LoginGuard({ now: () => now, forgetAfterMs: 60_000, maxEntries: 2 });
  for (let i = 0; i < 3; i++) await tryOnce(guard, 'a', 'admin', 'failure');
  assert.equal(guard.check('a', 'admin').allowed, false);
  now += 61_000;
  assert.equal(guard.check('a', 'admin').allowed, true);
  for (const ip of ['b', 'c', 'd']) for (let i = 0; i < 3; i++) await tryOnce(guard, ip, 'admin', 'failure');
  assert.equal(guard.check('b', 'admin').allowed, true, 'the oldest entry was dropped');
  assert.equal(guard.check('d', 'admin').allowed, false);
});

test('VerifySlots: at most `max` checks at once, a bounded queue, then refused without running', async () => {
  const slots = new VerifySlots(2, 1);
  const gates: (() => void)[] = [];
  let ran = 0;
  const check = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      ran++;
      gates.push(() => resolve(true));
    });
  const a = slots.run(check);
  const b = slots.run(check);
  const c = slots.run(check);
  assert.equal(await slots.run(check), null, 'the queue is full');
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, 2);
  assert.equal(slots.active, 2);
  gates.shift()?.();
  assert.equal(await a, true);
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, 3, 'the queued one took the freed slot');
  for (const g of gates.splice(0)) g();
  assert.deepEqual(await Promise.all([b, c]), [true, true]);
  assert.equal(slots.active, 0);
});

test('SessionStore: tokens find their session until it expires; the store keeps only hashes and a bounded number', () => {
  let now = 0;
  const store = new SessionStore({ ttlMs: 1000, max: 2, now: () => now });
  const a = store.create('ravi', 'admin');
  assert.equal(store.get(a.token)?.user, 'ravi');
  assert.equal(store.get(`${a.token}x`), null);
  assert.equal(store.get(undefined), null);
  assert.ok(!JSON.stringify([...(store as unknown as { sessions: Map<string, unknown> }).sessions.keys()]).includes(a.token));
  const b = store.create('asha', 'viewer');
  store.create('third', 'viewer');
  assert.equal(store.get(a.token), null, 'the oldest session was dropped');
  assert.equal(store.get(b.token)?.role, 'viewer');
  now = 1000;
  assert.equal(store.get(b.token), null, 'expired');
  store.destroy(b.token);
  assert.ok(csrfMatches(a.session, a.session.csrf));
  assert.ok(!csrfMatches(a.session, `${a.session.csrf.slice(0, -1)}x`));
  assert.ok(!csrfMatches(a.session, undefined));
  assert.ok(!csrfMatches(a.session, ''));
});

test('safeNext: only a local path is followed after login', () => {
  assert.equal(safeNext('/modems?x=1'), '/modems?x=1');
  for (const bad of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'modems', '/a\nb', '/a\x7fb', '/\udc00', 42, undefined, `/${'x'.repeat(600)}`]) {
    assert.equal(safeNext(bad), '/', String(bad));
  }
  // A Location header carries only ASCII: other characters are percent-encoded, as a browser would.
  assert.equal(safeNext('/\u0100'), '/%C4%80');
  assert.equal(safeNext('/नमस्ते?q=a b'), `/${encodeURIComponent('नमस्ते')}?q=a%20b`);
  assert.equal(safeNext('/calls?before=%41'), '/calls?before=%41', 'what is already encoded stays as it is');
});

test('csv: quotes what needs quoting and defuses formulas, but leaves phone numbers alone', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('-2+3'), "'-2+3");
  assert.equal(csvField('+919812345678'), '+919812345678');
  assert.equal(csvField(-12.5), '-12.5');
  assert.equal(csvField(null), '');
  assert.equal(csvField(true), 'true');
  assert.equal(csvLine(['a', 1, null, 'राम']), 'a,1,,राम\r\n');
});
