import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownCursorError, type MessageItem, type Providers, type SmsItem, type VolunteerItem } from '../../../src/web/providers.js';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.js';
import { basic } from '../../helpers/web.js';
import { login, newCall, webFixture } from './fixture.js';

const HOSTILE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';

function stubProviders(record: { tests: unknown[]; syncs: number; listed: unknown[] }): Providers {
  const made = Date.now();
  const messages: MessageItem[] = [
    { id: 'm2', from: '+919812345678', text: HOSTILE, receivedAt: Date.now() - 5000, modem: 'line-1', keyword: null },
    { id: 'm1', from: '+919812345679', text: 'JOIN Ravi 221001', receivedAt: Date.now() - 9000, modem: 'line-1', keyword: 'JOIN' },
  ];
  const sms: SmsItem[] = [{ id: 's1', to: '+919812345678', text: `Thanks ${HOSTILE}`, status: 'failed', modem: 'line-1', createdAt: Date.now(), sentAt: null, attempts: 3, error: '+CMS ERROR: 38' }];
  const volunteers: VolunteerItem[] = [{ id: 'v1', number: '+919812345678', name: '=HYPERLINK("x")<b>', pincode: '221001', interests: ['booth'], joinedAt: Date.now(), optedOut: false }];
  return {
    sms: {
      counts: () => ({ sentToday: 12, queued: 3, failedToday: 1, byStatus: { sent: 12, queued: 3, failed: 1 } }),
      usageByModem: () => new Map([['line-1', { sentToday: 12, dailyLimit: 100 }]]),
      list: (q) => {
        record.listed.push(q);
        if (q.before === 'zzz') throw new UnknownCursorError('zzz');
        return { items: q.status && q.status !== 'failed' ? [] : sms, next: null };
      },
      statuses: () => ['queued', 'sent', 'failed'],
      sendTest: async (to, options) => {
        record.tests.push({ to, ...options });
        if (to === '+919000000000') throw new Error('daily limit reached');
        return { id: 'sms-1' };
      },
    },
    messages: { list: () => ({ items: messages, next: 'm1' }) },
    volunteers: {
      joinedSince: () => 4,
      list: (q) => {
        record.listed.push(q);
        return { items: volunteers, next: null };
      },
      exportAll: () => volunteers,
    },
    sync: {
      // Made a few seconds before the fixture's clock starts: "3 h" however slow the machine is.
      status: () => ({ connected: false, backlog: 4210, lastAckAt: made - 3 * 3_600_000, lastError: 'connect ECONNREFUSED', since: made - 3 * 3_600_000 - 5000 }),
      syncNow: () => {
        record.syncs++;
      },
    },
  };
}

test('without the SMS, message, volunteer and sync parts, the page says "not available on this box yet" and the actions answer 501', async (t) => {
  const { app } = await webFixture(t, { restartModem: () => true });
  const { cookie, csrf } = await login(app, 'admin');
  const overview = await app.inject({ url: '/', headers: { cookie } });
  assert.equal((overview.body.match(/Not available on this box yet/g) ?? []).length >= 3, true, 'SMS, HQ sync and sync-now');
  assert.match(overview.body, /New volunteers: not available yet/);
  for (const url of ['/sms', '/messages', '/volunteers']) {
    assert.match((await app.inject({ url, headers: { cookie } })).body, /Not available on this box yet/, url);
  }
  assert.match((await app.inject({ url: '/modems', headers: { cookie } })).body, /Send a test SMS<\/summary><p class="na">Not available/);
  const sms = await app.inject({ method: 'POST', url: '/api/actions/test-sms', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: { to: '9812345678' } });
  assert.equal(sms.statusCode, 501);
  assert.match(sms.json<{ error: string }>().error, /not available on this box yet/);
  const sync = await app.inject({ method: 'POST', url: '/api/actions/sync-now', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: {} });
  assert.equal(sync.statusCode, 501);
  assert.equal((await app.inject({ url: '/export/volunteers.csv', headers: { cookie } })).statusCode, 501);
  const metrics = parsePrometheus((await app.inject({ url: '/metrics', headers: basic('viewer') })).body);
  assert.equal(metrics.has('missedcall_sync_backlog'), false, 'no made-up zero for a part that is not there');
  assert.deepEqual(metrics.get('missedcall_sms')?.samples ?? [], []);
});

test('text from volunteers and modems is shown as text: messages, SMS, names, operator, raw caller ids', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const { app, calls, snapshot } = await webFixture(t, { providers: stubProviders(record) });
  const first = snapshot.modems[0];
  if (first) first.operator = HOSTILE;
  calls.record(newCall(null, { numberRaw: HOSTILE, numberValid: false, withheld: false }));
  const { cookie } = await login(app, 'admin');
  const escaped = /&lt;script&gt;window.__xss=1&lt;\/script&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;/;
  for (const [url, shown] of [
    ['/', escaped],
    ['/modems', escaped],
    ['/calls', escaped],
    ['/sms', escaped],
    ['/messages', escaped],
    ['/volunteers', /=HYPERLINK\(&quot;x&quot;\)&lt;b&gt;/],
    ['/api/live?page=overview&once=1', /\\u003c|&lt;script&gt;/],
    ['/api/live?page=modems&once=1', /&lt;script&gt;/],
  ] as const) {
    const body = (await app.inject({ url, headers: { cookie } })).body;
    assert.doesNotMatch(body, /<script>window|<img src=x|\)<b>/, url);
    assert.match(body, shown, url);
  }
});

test('a viewer sees numbers masked everywhere (pages, lists, JSON); an admin sees them whole', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const { app, calls } = await webFixture(t, { providers: stubProviders(record) });
  calls.record(newCall('+919876543210'));
  const viewer = await login(app, 'viewer');
  const admin = await login(app, 'admin');
  for (const url of ['/', '/calls', '/sms', '/messages', '/volunteers', '/api/calls', '/api/overview', '/api/live?page=calls&once=1']) {
    const v = (await app.inject({ url, headers: { cookie: viewer.cookie } })).body;
    const a = (await app.inject({ url, headers: { cookie: admin.cookie } })).body;
    assert.doesNotMatch(v, /9876543210|9812345678/, `viewer ${url}`);
    assert.match(v, /\+91 98•••••(210|678)/, `viewer ${url}`);
    assert.match(a, /\+919876543210|\+919812345678/, `admin ${url}`);
  }
});

test('overview with every part present: numbers, SMS, HQ sync with the reason, per-line SMS use, chart', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const { app, calls } = await webFixture(t, { providers: stubProviders(record), disk: () => ({ free: 2 * 1024 ** 3, total: 16 * 1024 ** 3 }) });
  calls.record(newCall('+919876543210'));
  calls.record(newCall('+919876543210'));
  const { cookie } = await login(app, 'viewer');
  const body = (await app.inject({ url: '/', headers: { cookie } })).body;
  assert.match(body, /class="verdict v-problem"/);
  assert.match(body, /line-2: no SIM card/);
  assert.match(body, /HQ unreachable for 3 h, 4,210 records waiting/);
  assert.match(body, /An SMS reply failed today/);
  assert.match(body, /data-testid="calls-today">2</);
  assert.match(body, /<b>1<\/b><span>Different callers/);
  assert.match(body, /<b>4<\/b><span>New volunteers/);
  assert.match(body, /2 GB \/ 16 GB/);
  assert.match(body, /<svg class="chart"/);
  const modems = (await app.inject({ url: '/modems', headers: { cookie } })).body;
  assert.match(modems, /12 of 100/);
  assert.match(modems, /1.3 ms/, 'median hang-up time');
  const json = (await app.inject({ url: '/api/overview', headers: { cookie } })).json<{ verdict: string; reasons: { text: string }[]; sync: { backlog: number } }>();
  assert.equal(json.verdict, 'problem');
  assert.equal(json.sync.backlog, 4210);
  assert.ok(json.reasons.some((r) => r.text === 'line-2: no SIM card'));
});

test('lists: filters reach the provider, bad parameters are a 400 with a message (a page, or JSON for the API), never a 500', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const { app } = await webFixture(t, { providers: stubProviders(record) });
  const { cookie } = await login(app, 'viewer');
  const v = await app.inject({ url: '/volunteers?pincode=2210&interest=booth', headers: { cookie } });
  assert.equal(v.statusCode, 200);
  assert.deepEqual(record.listed.at(-1), { limit: 50, pincode: '2210', interest: 'booth' });
  assert.match(v.body, /value="2210"/);
  assert.match((await app.inject({ url: '/sms?status=failed', headers: { cookie } })).body, /<option value="failed" selected>/);
  assert.match((await app.inject({ url: '/messages', headers: { cookie } })).body, /href="\/messages\?before=m1"/);
  for (const [url, mention] of [
    ['/volunteers?pincode=22100x', /pincode must be up to six digits/],
    ['/volunteers?interest=%3Cscript%3E', /interest must be/],
    ['/sms?status=DROP%20TABLE', /status must be/],
    ['/sms?before=zzz', /before: no record has the id zzz/],
    ['/calls?before=not-a-call', /before must be the id of a call/],
    ['/events?level=loud', /level must be one of info, warning, problem/],
    ['/events?before=x', /before must be an event id/],
    ['/volunteers?pincode=1&pincode=2', /more than once/],
  ] as const) {
    const res = await app.inject({ url, headers: { cookie } });
    assert.equal(res.statusCode, 400, url);
    assert.match(res.headers['content-type'] as string, /text\/html/, url);
    assert.match(res.body, mention, url);
  }
  for (const [url, mention] of [
    ['/api/live?page=nowhere&once=1', /page must be one of/],
    ['/api/events?limit=0', /limit must be/],
    ['/api/calls?limit=x', /limit/],
  ] as const) {
    const res = await app.inject({ url, headers: { cookie } });
    assert.equal(res.statusCode, 400, url);
    assert.match(res.json<{ error: string }>().error, mention, url);
  }
  const missing = await app.inject({ url: '/nothing-here', headers: { cookie } });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /There is no such page/);
});

test('admin actions with the parts present: test SMS (number checked, event logged masked), sync now, restart', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const restarted: string[] = [];
  const { app, events } = await webFixture(t, { providers: stubProviders(record), restartModem: (l) => (restarted.push(l), true), country: 'IN' });
  const { cookie, csrf } = await login(app, 'admin');
  const modems = (await app.inject({ url: '/modems', headers: { cookie } })).body;
  assert.match(modems, /<form class="inline" method="post" action="\/api\/actions\/test-sms">/);
  const post = (url: string, fields: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...fields, _csrf: csrf }).toString() });
  const sent = await post('/api/actions/test-sms', { to: '098123 45678', modem: 'line-1' });
  assert.equal(sent.statusCode, 303);
  assert.equal(sent.headers.location, '/modems?notice=test-sms');
  assert.deepEqual(record.tests, [{ to: '+919812345678', modem: 'line-1', requestedBy: 'admin' }]);
  assert.match((await app.inject({ url: '/modems?notice=test-sms', headers: { cookie } })).body, /Test SMS queued/);
  assert.match((await app.inject({ url: '/modems?notice=%3Cb%3E', headers: { cookie } })).body, /<h1>Modems<\/h1>\n<div class="grid">/, 'an unknown notice shows nothing');
  const logged = events.list()[0];
  assert.equal(logged?.kind, 'test-sms');
  assert.equal(logged?.params.to, '+91 98•••••678');
  const bad = await post('/api/actions/test-sms', { to: 'not a number' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /is not a phone number/);
  assert.equal((await post('/api/actions/test-sms', { to: '9812345678', modem: 'line-9' })).statusCode, 400);
  const refused = await post('/api/actions/test-sms', { to: '+919000000000' });
  assert.equal(refused.statusCode, 409);
  assert.match(refused.body, /daily limit reached/);
  const sync = await post('/api/actions/sync-now', {});
  assert.equal(sync.headers.location, '/?notice=sync-now');
  assert.equal(record.syncs, 1);
  const restart = await app.inject({ method: 'POST', url: '/api/actions/restart-modem', headers: { ...basic('admin'), 'content-type': 'application/json' }, payload: { modem: 'line-2' } });
  assert.deepEqual(restart.json(), { ok: true, modem: 'line-2' });
  assert.deepEqual(restarted, ['line-2']);
  assert.equal(events.list()[0]?.kind, 'modem-restart');
});

test('CSV exports: calls with every row and column, volunteers through the provider; formulas defused', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const { app, calls } = await webFixture(t, { providers: stubProviders(record) });
  for (let i = 0; i < 1203; i++) calls.record(newCall(`+9198100${String(i).padStart(5, '0')}`));
  calls.record(newCall(null, { numberRaw: '=cmd|calc', numberValid: false, withheld: false }));
  const res = await app.inject({ url: '/export/calls.csv', headers: basic('admin') });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/csv/);
  assert.match(res.headers['content-disposition'] as string, /attachment; filename="calls-varanasi-01-\d{4}-\d{2}-\d{2}\.csv"/);
  const lines = res.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  assert.equal(lines[0], 'id,time,number,number_as_received,withheld,number_valid,line,campaign,modem_imei,sim_iccid,hangup_latency_ms,caller_gave_up,repeat');
  assert.equal(lines.length, 1 + 1204);
  assert.match(lines[1] ?? '', /,\+919810000000,\+919810000000,false,true,line-1,rally-posters,/);
  assert.match(lines.at(-1) ?? '', /,,'=cmd\|calc,false,false,/);
  const vol = await app.inject({ url: '/export/volunteers.csv?pincode=221001', headers: basic('admin') });
  assert.equal(vol.statusCode, 200);
  assert.match(vol.body, /\+919812345678,"'=HYPERLINK\(""x""\)<b>",221001,booth,/);
});

test('/metrics parses as Prometheus text: calls by line from the database, modem up and signal, SMS by status, sync backlog', async (t) => {
  const record = { tests: [] as unknown[], syncs: 0, listed: [] as unknown[] };
  const { app } = await webFixture(t, {
    providers: stubProviders(record),
    seed: (calls) => {
      calls.record(newCall('+919876543210'));
      calls.record(newCall('+919876543211', { portLabel: 'line-2' }));
    },
  });
  const res = await app.inject({ url: '/metrics', headers: basic('viewer') });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/plain; version=0.0.4/);
  const m = parsePrometheus(res.body);
  assert.equal(m.get('missedcall_calls_total')?.type, 'counter');
  assert.equal(sampleValue(m, 'missedcall_calls_total', { line: 'line-1' }), 1);
  assert.equal(sampleValue(m, 'missedcall_calls_total', { line: 'line-2' }), 1);
  assert.equal(sampleValue(m, 'missedcall_modem_up', { line: 'line-1' }), 1);
  assert.equal(sampleValue(m, 'missedcall_modem_up', { line: 'line-2' }), 0);
  assert.equal(sampleValue(m, 'missedcall_modem_state', { line: 'line-2', state: 'no-sim' }), 1);
  assert.equal(sampleValue(m, 'missedcall_modem_signal_dbm', { line: 'line-1' }), -71);
  assert.equal(sampleValue(m, 'missedcall_modem_signal_dbm', { line: 'line-2' }), undefined, 'unknown signal has no sample');
  assert.equal(sampleValue(m, 'missedcall_sms', { status: 'failed' }), 1);
  assert.equal(sampleValue(m, 'missedcall_sync_backlog'), 4210);
  assert.equal(sampleValue(m, 'missedcall_sync_connected'), 0);
  assert.equal(m.get('missedcall_hangup_latency_seconds')?.type, 'histogram');
  assert.equal(sampleValue(m, 'missedcall_info', { box: 'varanasi-01' }), 1);
  assert.ok(m.has('process_cpu_seconds_total') && m.has('nodejs_eventloop_lag_seconds'), 'process metrics too (event-loop lag matters on a Pi)');
});

test('events page and API: words a technician understands, filtered by level, in Hindi on request', async (t) => {
  const { app, events } = await webFixture(t);
  events.add({ level: 'info', source: 'box', kind: 'box-started', params: { version: '1.2.3' } });
  events.add({ level: 'problem', source: 'line-2', kind: 'modem-no-sim', params: { reason: 'missing', error: null } });
  events.add({ level: 'warning', source: 'line-1', kind: 'modem-bad-input', params: { lines: 12 } });
  const { cookie } = await login(app, 'viewer');
  const all = (await app.inject({ url: '/events', headers: { cookie } })).body;
  assert.match(all, /No SIM card: insert one/);
  assert.match(all, /The box started \(version 1.2.3\)/);
  const problems = (await app.inject({ url: '/events?level=problem', headers: { cookie } })).body;
  assert.match(problems, /No SIM card/);
  assert.doesNotMatch(problems, /box started/);
  assert.match(problems, /data-live-query="level=problem"/);
  const hi = (await app.inject({ url: '/events', headers: { cookie: `${cookie}; mcb_lang=hi` } })).body;
  assert.match(hi, /सिम कार्ड नहीं: सिम लगाएँ/);
  const api = (await app.inject({ url: '/api/events?level=warning', headers: { cookie } })).json<{ events: { text: string; source: string }[] }>();
  assert.deepEqual(
    api.events.map((e) => `${e.source}: ${e.text}`),
    ['line-1: Printed 12 lines the box could not read', 'line-2: No SIM card: insert one'],
  );
});

test('names from the URL that are Object.prototype members (?notice=constructor, an event source "constructor") are ignored, never a 500', async (t) => {
  const { app, events } = await webFixture(t);
  const { cookie } = await login(app, 'viewer');
  for (const notice of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    for (const page of ['/', '/modems', '/calls', '/events']) {
      const res = await app.inject({ url: `${page}?notice=${notice}`, headers: { cookie } });
      assert.equal(res.statusCode, 200, `${page}?notice=${notice}: ${res.body.slice(0, 200)}`);
      assert.doesNotMatch(res.body, /class="notice"/, `${page}?notice=${notice}`);
    }
  }
  events.add({ level: 'warning', source: 'constructor', kind: 'text', params: { text: 'from a source named constructor' } });
  const list = await app.inject({ url: '/events', headers: { cookie } });
  assert.equal(list.statusCode, 200, list.body.slice(0, 200));
  assert.match(list.body, /from a source named constructor/);
});

test('a "next" with letters beyond ASCII comes back percent-encoded (a Location header is ASCII), never a 500', async (t) => {
  const { app } = await webFixture(t);
  const next = '/calls?q=नमस्ते ü';
  const res = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ user: 'viewer', password: 'viewer-password-1', next }).toString() });
  assert.equal(res.statusCode, 303, res.body.slice(0, 200));
  assert.equal(res.headers.location, `/calls?q=${encodeURIComponent('नमस्ते')}%20${encodeURIComponent('ü')}`);
  const lang = await app.inject({ url: `/lang/hi?next=${encodeURIComponent(next)}` });
  assert.equal(lang.statusCode, 303);
  assert.equal(lang.headers.location, res.headers.location);
  // A lone surrogate cannot be encoded at all: home instead.
  const lone = await app.inject({ url: '/lang/en?next=%2F%ED%A0%80' });
  assert.ok(lone.statusCode === 303 || lone.statusCode === 400, String(lone.statusCode));
  const wrong = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ user: 'viewer', password: 'nope', next }).toString() });
  assert.equal(wrong.statusCode, 401);
});
