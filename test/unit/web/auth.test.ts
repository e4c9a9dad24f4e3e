import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assets } from '../../../src/web/assets/index.js';
import { basic } from '../../helpers/web.js';
import { form, login, webFixture } from './fixture.js';

test('the API without an account answers 401 (with a basic-auth challenge); a wrong password too', async (t) => {
  const { app } = await webFixture(t);
  for (const url of ['/api/status', '/api/calls', '/api/overview', '/api/events', '/metrics']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 401, url);
    assert.match(res.headers['www-authenticate'] as string, /^Basic realm="missedcall"/, url);
    assert.equal(res.json<{ code: string }>().code, 'MCB_UNAUTHORISED');
  }
  const wrong = await app.inject({ url: '/api/status', headers: basic('viewer', 'not-the-password') });
  assert.equal(wrong.statusCode, 401);
  const garbage = await app.inject({ url: '/api/status', headers: { authorization: 'Basic %%%' } });
  assert.equal(garbage.statusCode, 401);
  // The page's own live stream must not make the browser pop up a password dialog.
  const live = await app.inject({ url: '/api/live?page=overview', headers: { accept: 'text/event-stream' } });
  assert.equal(live.statusCode, 401);
  assert.equal(live.headers['www-authenticate'], undefined);
  assert.equal((await app.inject({ url: '/api/status', headers: basic('viewer') })).statusCode, 200);
});

test('a page without a session leads to the login page; the style sheet and script are public and cached', async (t) => {
  const { app } = await webFixture(t);
  const res = await app.inject({ url: '/modems?x=1' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/login?next=%2Fmodems%3Fx%3D1');
  const loginPage = await app.inject({ url: '/login' });
  assert.equal(loginPage.statusCode, 200);
  assert.match(loginPage.body, /<form method="post" action="\/login">/);
  for (const a of Object.values(assets)) {
    const r = await app.inject({ url: a.url });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['cache-control'] as string, /immutable/);
    assert.equal(r.body, a.body);
  }
});

test('login: a wrong password is a 401 with the form again; the right one sets an httpOnly, SameSite=Strict session cookie', async (t) => {
  const { app, events } = await webFixture(t);
  const wrong = await app.inject({ method: 'POST', url: '/login', ...form({ user: 'viewer', password: 'nope', next: '/modems' }) });
  assert.equal(wrong.statusCode, 401);
  assert.match(wrong.body, /Wrong user name or password/);
  assert.match(wrong.body, /name="next" value="\/modems"/);
  assert.equal(wrong.headers['set-cookie'], undefined);
  assert.match(events.list()[0]?.kind ?? '', /login-failed/);
  const { cookie, res } = await login(app, 'viewer');
  const set = String(res.headers['set-cookie']);
  assert.match(set, /^mcb_session=[A-Za-z0-9_-]{40,};/);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  assert.match(set, /Path=\//);
  assert.doesNotMatch(set, /Secure/, 'plain HTTP on the LAN: a Secure cookie would never come back');
  const page = await app.inject({ url: '/', headers: { cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /viewer \(viewer\)/);
  // Unknown user: same answer as a wrong password.
  const unknown = await app.inject({ method: 'POST', url: '/login', ...form({ user: 'nobody', password: 'x' }) });
  assert.equal(unknown.statusCode, 401);
  // A next that leaves the box is ignored.
  const evil = await app.inject({ method: 'POST', url: '/login', ...form({ user: 'admin', password: 'admin-password-1', next: '//evil.example/' }) });
  assert.equal(evil.headers.location, '/');
});

test('behind a TLS proxy (http.trustProxy) the session cookie is marked Secure', async (t) => {
  const { app } = await webFixture(t, { trustProxy: true });
  const res = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' }, payload: 'user=admin&password=admin-password-1' });
  assert.equal(res.statusCode, 303);
  assert.match(String(res.headers['set-cookie']), /Secure/);
});

test('repeated wrong passwords: 401 each, then the address must wait (429 with Retry-After), even with the right password', async (t) => {
  const { app } = await webFixture(t);
  for (let i = 0; i < 3; i++) {
    const r = await app.inject({ method: 'POST', url: '/login', ...form({ user: 'admin', password: `guess-${i}` }) });
    assert.equal(r.statusCode, 401, `attempt ${i + 1}`);
  }
  const locked = await app.inject({ method: 'POST', url: '/login', ...form({ user: 'admin', password: 'admin-password-1' }) });
  assert.equal(locked.statusCode, 429);
  assert.ok(Number(locked.headers['retry-after']) >= 1);
  assert.match(locked.body, /Too many wrong passwords/);
  const basicLocked = await app.inject({ url: '/api/status', headers: basic('admin') });
  assert.equal(basicLocked.statusCode, 429, 'basic auth from the same address waits too');
  const other = await app.inject({ url: '/api/status', headers: basic('admin'), remoteAddress: '10.9.9.9' });
  assert.equal(other.statusCode, 200, 'another address is not held up');
});

test('the login form is rate-limited per address (20 a minute), apart from the wrong-password wait', async (t) => {
  const { app } = await webFixture(t);
  const first = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.0.7', ...form({ user: 'x', password: 'y' }) });
  assert.equal(first.headers['x-ratelimit-limit'], '20');
  let limited: Awaited<ReturnType<typeof app.inject>> | null = null;
  for (let i = 0; i < 25 && !limited; i++) {
    const r = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.0.7', ...form({ user: 'x', password: 'y' }) });
    if (r.headers['x-ratelimit-remaining'] === '0' && r.statusCode === 429) limited = r;
  }
  assert.ok(limited, 'a flood from one address is stopped by the rate limit');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  const elsewhere = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.0.8', ...form({ user: 'admin', password: 'admin-password-1' }) });
  assert.equal(elsewhere.statusCode, 303, 'other addresses can still log in');
});

test('a viewer cannot act: admin actions and exports answer 403 (JSON for the API, a page for a form)', async (t) => {
  const { app } = await webFixture(t, { restartModem: () => true });
  const api = await app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { ...basic('viewer'), 'content-type': 'application/json' }, payload: { modem: 'line-1' } });
  assert.equal(api.statusCode, 403);
  assert.equal(api.json<{ code: string }>().code, 'MCB_FORBIDDEN');
  const { cookie, csrf } = await login(app, 'viewer');
  const viaForm = await app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `modem=line-1&_csrf=${csrf}` });
  assert.equal(viaForm.statusCode, 403);
  assert.match(viaForm.body, /Only an admin can do this/);
  assert.equal((await app.inject({ url: '/export/calls.csv', headers: { cookie } })).statusCode, 403);
  const modems = await app.inject({ url: '/modems', headers: { cookie } });
  assert.doesNotMatch(modems.body, /restart-modem/, 'no action forms for a viewer');
});

test('CSRF: a session POST needs the token; other sites are refused; basic auth must send JSON', async (t) => {
  let restarts = 0;
  const { app } = await webFixture(t, { restartModem: () => (restarts++, true) });
  const { cookie, csrf } = await login(app, 'admin');
  assert.ok(csrf.length > 20);
  const post = (headers: Record<string, string>, payload: string) => app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });
  assert.equal((await post({}, 'modem=line-1')).statusCode, 403, 'no token');
  assert.equal((await post({}, 'modem=line-1&_csrf=wrong')).statusCode, 403, 'wrong token');
  assert.equal((await post({ origin: 'http://evil.example' }, `modem=line-1&_csrf=${csrf}`)).statusCode, 403, 'another origin');
  assert.equal((await post({ origin: 'null' }, `modem=line-1&_csrf=${csrf}`)).statusCode, 403, 'an opaque origin');
  assert.equal((await post({ 'sec-fetch-site': 'cross-site' }, `modem=line-1&_csrf=${csrf}`)).statusCode, 403, 'cross-site');
  assert.equal(restarts, 0);
  const ok = await post({ origin: 'http://localhost:80' }, `modem=line-1&_csrf=${csrf}`);
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/modems?notice=restart');
  const viaHeader = await app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: { modem: 'line-1' } });
  assert.deepEqual(viaHeader.json(), { ok: true, modem: 'line-1' });
  const basicForm = await app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { ...basic('admin'), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'modem=line-1' });
  assert.equal(basicForm.statusCode, 403);
  const basicJson = await app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { ...basic('admin'), 'content-type': 'application/json' }, payload: { modem: 'line-1' } });
  assert.equal(basicJson.statusCode, 200);
  assert.equal(restarts, 3);
});

test('logout ends the session; an expired session leads back to the login page', async (t) => {
  const { app, now } = await webFixture(t);
  const { cookie, csrf } = await login(app, 'viewer');
  const out = await app.inject({ method: 'POST', url: '/logout', ...form({ _csrf: csrf }), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(out.statusCode, 303);
  assert.match(String(out.headers['set-cookie']), /mcb_session=;/);
  assert.equal((await app.inject({ url: '/', headers: { cookie } })).statusCode, 303);
  const second = await login(app, 'viewer');
  now.value += 12 * 3_600_000 + 1;
  assert.equal((await app.inject({ url: '/', headers: { cookie: second.cookie } })).statusCode, 303, 'expired after http.sessionHours');
});

test('first run: with no account every page explains how to make one, the API answers 401, and the log says so', async (t) => {
  const { app, logged } = await webFixture(t, { users: [], captureLog: true });
  for (const url of ['/', '/modems', '/login', '/events']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 503, url);
    assert.match(res.body, /This box has no password yet/);
    assert.match(res.body, /missedcall passwd --config \/etc\/missedcall\/config.yaml --user admin --role admin/);
    assert.doesNotMatch(res.body, /Jio 4G|line-1/, 'nothing about the box is shown');
  }
  const api = await app.inject({ url: '/api/status' });
  assert.equal(api.statusCode, 401);
  assert.equal(api.json<{ code: string }>().code, 'MCB_NO_ACCOUNTS');
  assert.equal((await app.inject({ url: '/api/status', headers: basic('admin') })).statusCode, 401);
  assert.ok(logged.some((l) => /no accounts in http.users/.test(l) && /"level":40/.test(l)), logged.join('\n'));
});

test('security headers: a strict CSP, no inline script or style, no event-handler attributes on any page', async (t) => {
  const { app } = await webFixture(t);
  const { cookie } = await login(app, 'admin');
  for (const url of ['/', '/modems', '/calls', '/sms', '/messages', '/volunteers', '/events', '/login', '/no-such-page']) {
    const res = await app.inject({ url, headers: url === '/login' ? {} : { cookie } });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/, url);
    assert.match(csp, /script-src 'self'(;|$)/, url);
    assert.match(csp, /style-src 'self'(;|$)/, url);
    assert.match(csp, /frame-ancestors 'none'/, url);
    assert.doesNotMatch(csp, /unsafe-inline|upgrade-insecure-requests/, url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(res.body, /<script(?![^>]*\ssrc=)[^>]*>/, `${url}: inline script`);
    assert.doesNotMatch(res.body, /\sstyle=|<style/, `${url}: inline style`);
    assert.doesNotMatch(res.body, /\son[a-z]+=/i, `${url}: event handler attribute`);
    if (url !== '/login' && url !== '/no-such-page') assert.equal(res.headers['cache-control'], 'no-store', url);
  }
});

test('language: the switch sets a cookie and comes back; the choice is remembered; a bad "next" goes home', async (t) => {
  const { app } = await webFixture(t);
  const { cookie } = await login(app, 'viewer');
  const sw = await app.inject({ url: '/lang/hi?next=%2Fmodems' });
  assert.equal(sw.statusCode, 303);
  assert.equal(sw.headers.location, '/modems');
  const lang = String(sw.headers['set-cookie']).split(';')[0] ?? '';
  assert.equal(lang, 'mcb_lang=hi');
  const page = await app.inject({ url: '/modems', headers: { cookie: `${cookie}; ${lang}` } });
  assert.match(page.body, /<html lang="hi"/);
  assert.match(page.body, /सारांश/);
  assert.match(page.body, /सिम कार्ड नहीं/);
  assert.equal((await app.inject({ url: '/lang/hi?next=https://evil.example' })).headers.location, '/');
  assert.equal(String((await app.inject({ url: '/lang/xx' })).headers['set-cookie']).split(';')[0], 'mcb_lang=en');
});

test('wrong passwords sent in parallel from one address are checked one at a time and counted first: three get an answer, the rest wait', async (t) => {
  const { app } = await webFixture(t);
  const tries = await Promise.all(
    Array.from({ length: 15 }, (_, i) => app.inject({ method: 'POST', url: '/login', remoteAddress: '10.1.1.1', ...form({ user: 'admin', password: `guess-${i}` }) })),
  );
  const codes = tries.map((r) => r.statusCode);
  assert.equal(codes.filter((c) => c === 401).length, 3, `only the free mistakes were checked: ${codes.join(' ')}`);
  assert.equal(codes.filter((c) => c === 429).length, 12);
  const right = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.1.1.1', ...form({ user: 'admin', password: 'admin-password-1' }) });
  assert.equal(right.statusCode, 429, 'the right password must wait too');
  // The same through basic auth, which has no form rate limit.
  const viaBasic = await Promise.all(Array.from({ length: 15 }, (_, i) => app.inject({ url: '/api/status', remoteAddress: '10.1.1.2', headers: basic('admin', `guess-${i}`) })));
  assert.equal(viaBasic.filter((r) => r.statusCode === 401).length, 3, viaBasic.map((r) => r.statusCode).join(' '));
});

test('another account logging in from the same address does not lift the wait on the account being guessed', async (t) => {
  const { app } = await webFixture(t);
  for (let i = 0; i < 3; i++) {
    const r = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.2.2.2', ...form({ user: 'admin', password: `guess-${i}` }) });
    assert.equal(r.statusCode, 401);
  }
  const viewer = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.2.2.2', ...form({ user: 'viewer', password: 'viewer-password-1' }) });
  assert.equal(viewer.statusCode, 303, 'the viewer\'s own account is not held up');
  assert.equal((await app.inject({ url: '/api/status', remoteAddress: '10.2.2.2', headers: basic('viewer') })).statusCode, 200);
  const admin = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.2.2.2', ...form({ user: 'admin', password: 'admin-password-1' }) });
  assert.equal(admin.statusCode, 429);
  assert.equal((await app.inject({ url: '/api/status', remoteAddress: '10.2.2.2', headers: basic('admin') })).statusCode, 429);
});

test('password checks from many addresses at once are capped: beyond the queue a check is refused (429), not run', async (t) => {
  const { app } = await webFixture(t);
  // Unknown names cost a full-price scrypt (the decoy hash), so the checks overlap.
  const tries = await Promise.all(
    Array.from({ length: 60 }, (_, i) => app.inject({ url: '/api/status', remoteAddress: `10.3.0.${i + 1}`, headers: { authorization: `Basic ${Buffer.from(`nobody${i}:x`).toString('base64')}` } })),
  );
  const busy = tries.filter((r) => r.statusCode === 429);
  assert.ok(busy.length > 0, tries.map((r) => r.statusCode).join(' '));
  assert.match(busy[0]?.json<{ error: string }>().error ?? '', /too many password checks at once/);
  assert.ok(tries.filter((r) => r.statusCode === 401).length <= 34, 'two running and 32 waiting at most');
  // Refused unchecked, so not counted: each of those addresses may try again at once.
  const refused = tries.findIndex((r) => r.statusCode === 429);
  const again = await app.inject({ url: '/api/status', remoteAddress: `10.3.0.${refused + 1}`, headers: basic('viewer') });
  assert.equal(again.statusCode, 200);
});

test('a name typed at login that is not an account is never shown (events page, log): it may be a password typed in the wrong box', async (t) => {
  const { app, events, logged } = await webFixture(t, { captureLog: true });
  const typed = 'Sunflower#2024-secret';
  const r = await app.inject({ method: 'POST', url: '/login', ...form({ user: typed, password: 'x' }) });
  assert.equal(r.statusCode, 401);
  const viaBasic = await app.inject({ url: '/api/status', remoteAddress: '10.4.4.4', headers: { authorization: `Basic ${Buffer.from(`${typed}:y`).toString('base64')}` } });
  assert.equal(viaBasic.statusCode, 401);
  await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.4.4.5', ...form({ user: 'viewer', password: 'wrong' }) });
  const failed = events.list().filter((e) => e.kind === 'login-failed');
  assert.equal(failed.length, 3);
  assert.ok(!JSON.stringify(failed).includes('Sunflower'), JSON.stringify(failed));
  assert.ok(!logged.join('\n').includes('Sunflower'), 'nor in the log');
  const { cookie } = await login(app, 'admin');
  const page = await app.inject({ url: '/events', headers: { cookie } });
  assert.ok(!page.body.includes('Sunflower'));
  assert.match(page.body, /Wrong password for an unknown user from/);
  assert.match(page.body, /Wrong password for &quot;viewer&quot; from 10\.4\.4\.5|Wrong password for "viewer" from 10\.4\.4\.5/, 'a real account is named');
});
