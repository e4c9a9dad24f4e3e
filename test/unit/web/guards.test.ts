import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNext } from '../../../src/web/auth.js';
import { csvField, csvLine } from '../../../src/web/csv.js';
import { LoginGuard } from '../../../src/web/login-guard.js';
import { csrfMatches, SessionStore } from '../../../src/web/sessions.js';

test('LoginGuard: three free mistakes, then a wait that doubles, capped; a success clears it', () => {
  let now = 1_000_000;
  const guard = new LoginGuard({ now: () => now, firstDelayMs: 2000, maxDelayMs: 10_000 });
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: true });
  guard.failed('1.2.3.4');
  guard.failed('1.2.3.4');
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: true });
  guard.failed('1.2.3.4');
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: false, retryAfterSeconds: 2 });
  assert.deepEqual(guard.check('5.6.7.8'), { allowed: true }, 'other addresses are not affected');
  now += 2000;
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: true });
  guard.failed('1.2.3.4');
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: false, retryAfterSeconds: 4 });
  for (let i = 0; i < 5; i++) guard.failed('1.2.3.4');
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: false, retryAfterSeconds: 10 }, 'capped');
  now += 10_000;
  guard.succeeded('1.2.3.4');
  guard.failed('1.2.3.4');
  assert.deepEqual(guard.check('1.2.3.4'), { allowed: true }, 'a success starts the count again');
});

test('LoginGuard: forgets an address after a quiet period and holds a bounded number of them', () => {
  let now = 0;
  const guard = new LoginGuard({ now: () => now, forgetAfterMs: 60_000, maxEntries: 2 });
  for (let i = 0; i < 3; i++) guard.failed('a');
  assert.equal(guard.check('a').allowed, false);
  now += 61_000;
  assert.equal(guard.check('a').allowed, true);
  for (const ip of ['b', 'c', 'd']) for (let i = 0; i < 3; i++) guard.failed(ip);
  assert.equal(guard.check('b').allowed, true, 'the oldest entry was dropped');
  assert.equal(guard.check('d').allowed, false);
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
  for (const bad of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'modems', '/a\nb', 42, undefined, `/${'x'.repeat(600)}`]) {
    assert.equal(safeNext(bad), '/', String(bad));
  }
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
