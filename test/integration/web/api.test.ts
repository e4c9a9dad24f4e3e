/**
 * The JSON API, /metrics and the admin actions over real HTTP, against the real App on a
 * simulated modem behind a real pty.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.js';
import { nextEvent } from '../../helpers/wait.js';
import { basic } from '../../helpers/web.js';
import { inState, nextRecorded, startWebBox, type WebBox } from './setup.js';

let box: WebBox | undefined;

before(async () => {
  box = await startWebBox([{ label: 'line-1', vendor: 'quectel', csq: 20 }]);
  const modem = box.app.modems[0];
  assert.ok(modem);
  await inState(modem, 'ready');
});

after(async () => {
  await box?.close();
});

function web(): WebBox {
  if (!box) throw new Error('the box did not start');
  return box;
}

test('over HTTP: the API answers 401 without an account, 403 to a viewer asking for an admin action, and works for the admin', async () => {
  const { base, app } = web();
  for (const path of ['/api/status', '/api/calls', '/api/overview', '/metrics']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 401, path);
    assert.match(res.headers.get('www-authenticate') ?? '', /Basic/);
  }
  const status = await fetch(`${base}/api/status`, { headers: basic('viewer') });
  assert.equal(status.status, 200);
  assert.equal(((await status.json()) as { box: string }).box, 'varanasi-01');
  const action = { method: 'POST', body: JSON.stringify({ modem: 'line-1' }) };
  const viewer = await fetch(`${base}/api/actions/restart-modem`, { ...action, headers: { ...basic('viewer'), 'content-type': 'application/json' } });
  assert.equal(viewer.status, 403);
  assert.equal(((await viewer.json()) as { code: string }).code, 'MCB_FORBIDDEN');
  const nobody = await fetch(`${base}/api/actions/restart-modem`, { ...action, headers: { 'content-type': 'application/json' } });
  assert.equal(nobody.status, 401);
  assert.equal(app.modems[0]?.info.state, 'ready', 'nothing was restarted');
  const page = await fetch(`${base}/`, { redirect: 'manual' });
  assert.equal(page.status, 303);
  assert.equal(page.headers.get('location'), '/login?next=%2F');
});

test('/metrics parses as Prometheus text and moves when a call is made', async () => {
  const { base, app, modems } = web();
  const scrape = async () => {
    const res = await fetch(`${base}/metrics`, { headers: basic('viewer') });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await res.text());
  };
  const before = await scrape();
  const calls0 = sampleValue(before, 'missedcall_calls_total', { line: 'line-1' }) ?? 0;
  const latency0 = sampleValue(before, 'missedcall_hangup_latency_seconds_count', { line: 'line-1' }) ?? 0;
  assert.equal(sampleValue(before, 'missedcall_modem_up', { line: 'line-1' }), 1);
  assert.equal(sampleValue(before, 'missedcall_modem_signal_dbm', { line: 'line-1' }), -73);
  const sim = modems[0]?.sim;
  assert.ok(sim);
  const recorded = nextRecorded(app, (row) => row.number === '+919811122233');
  assert.equal((await sim.ring('+919811122233', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await recorded;
  const afterCall = await scrape();
  assert.equal(sampleValue(afterCall, 'missedcall_calls_total', { line: 'line-1' }), calls0 + 1);
  assert.equal(sampleValue(afterCall, 'missedcall_hangup_latency_seconds_count', { line: 'line-1' }), latency0 + 1);
  assert.ok((sampleValue(afterCall, 'missedcall_hangup_latency_seconds_bucket', { line: 'line-1', le: '+Inf' }) ?? 0) >= 1);
});

test('an admin restarts a modem: the port is closed and reopened, the modem is set up again, and the event log says so', async () => {
  const { base, app, modems } = web();
  const modem = app.modems[0];
  const sim = modems[0]?.sim;
  assert.ok(modem && sim);
  const setups = () => sim.commands.filter((c) => c === 'AT+CLIP=1').length;
  const before = setups();
  const reopening = nextEvent(modem, 'state', (s: unknown) => s === 'opening', 5000);
  const res = await fetch(`${base}/api/actions/restart-modem`, {
    method: 'POST',
    headers: { ...basic('admin'), 'content-type': 'application/json' },
    body: JSON.stringify({ modem: 'line-1' }),
  });
  assert.equal(res.status, 200);
  await reopening;
  await inState(modem, 'ready', 10_000);
  assert.equal(setups(), before + 1, 'initialised from scratch');
  const events = (await (await fetch(`${base}/api/events?limit=10`, { headers: basic('viewer') })).json()) as { events: { source: string; text: string }[] };
  const line = events.events.filter((e) => e.source === 'line-1').map((e) => e.text);
  assert.deepEqual(line.slice(0, 2), ['Working again', 'Restart requested by admin']);
  assert.ok(!line.some((t) => /Unplugged/.test(t)), 'a restart is not reported as an unplugged modem');
  // And the line takes calls again.
  const recorded = nextRecorded(app, (row) => row.number === '+919811122244');
  assert.equal((await sim.ring('+919811122244', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await recorded;
});
