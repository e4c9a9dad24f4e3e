import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basic } from '../../helpers/web.js';
import { login, newCall, webFixture } from './fixture.js';

/** Reads server-sent events from a fetch body in the background; `next` gives the next `update` (bounded). */
function eventReader(body: ReadableStream<Uint8Array>): { next: (timeoutMs?: number) => Promise<{ version: number; regions: Record<string, string> }>; ended: Promise<void> } {
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  let wake: () => void = () => undefined;
  const ended = (async () => {
    const reader = body.getReader();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      wake();
    }
    done = true;
    wake();
  })();
  const next = async (timeoutMs = 3000): Promise<{ version: number; regions: Record<string, string> }> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /event: update\ndata: (.*)\n\n/.exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return JSON.parse(match[1] ?? '{}') as { version: number; regions: Record<string, string> };
      }
      if (done) throw new Error('the stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no update in time');
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  };
  return { next, ended };
}

test('/api/live streams the page regions, pushes a new call at once, and a closing server ends the stream', async (t) => {
  const f = await webFixture(t);
  const { cookie } = await login(f.app, 'viewer');
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const address = f.app.server.address();
  assert.ok(address && typeof address === 'object');
  const res = await fetch(`http://127.0.0.1:${address.port}/api/live?page=overview`, { headers: { cookie, accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.ok(res.body);
  const stream = eventReader(res.body);
  const first = await stream.next();
  assert.deepEqual(Object.keys(first.regions).sort(), ['chart', 'health', 'modems', 'numbers', 'recent']);
  assert.doesNotMatch(first.regions.recent ?? '', /98•••••210/);
  // This fixture has no call handler, so the change is announced by the hub's other source, the event log.
  f.calls.record(newCall('+919876543210'));
  f.events.add({ level: 'info', source: 'box', kind: 'text', params: { text: 'poke' } });
  const started = Date.now();
  const second = await stream.next(2000);
  assert.ok(Date.now() - started < 1000, 'pushed, not polled');
  assert.ok(second.version > first.version);
  assert.match(second.regions.recent ?? '', /\+91 98•••••210/);
  const closing = Date.now();
  await f.app.close();
  await stream.ended;
  assert.ok(Date.now() - closing < 2000, 'an open live stream does not hold the server open');
});

test('/api/live?once=1 is the polling fallback; a viewer gets masked numbers in it too', async (t) => {
  const f = await webFixture(t, { seed: (calls) => calls.record(newCall('+919876543210')) });
  const res = await f.app.inject({ url: '/api/live?page=calls&once=1', headers: basic('viewer') });
  assert.equal(res.statusCode, 200);
  const body = res.json<{ regions: { calls: string }; updated: string }>();
  assert.match(body.regions.calls, /\+91 98•••••210/);
  assert.doesNotMatch(res.body, /9876543210/);
  assert.match(body.updated, /^updated \d\d:\d\d$/);
});

test('/api/live ends when its session ends: after logout not one more update (no new call) reaches the stream', async (t) => {
  const f = await webFixture(t);
  const { cookie, csrf } = await login(f.app, 'viewer');
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const address = f.app.server.address();
  assert.ok(address && typeof address === 'object');
  const res = await fetch(`http://127.0.0.1:${address.port}/api/live?page=overview`, { headers: { cookie, accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  assert.ok(res.body);
  const stream = eventReader(res.body);
  await stream.next();
  const out = await f.app.inject({ method: 'POST', url: '/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}` });
  assert.equal(out.statusCode, 303);
  // A new call after the logout: the stream must not carry it.
  f.calls.record(newCall('+919876500001'));
  f.events.add({ level: 'info', source: 'box', kind: 'text', params: { text: 'after logout' } });
  const leaked = await stream.next(1500).then(
    (u) => u,
    () => null,
  );
  assert.equal(leaked, null, `an update after logout: ${JSON.stringify(leaked)?.slice(0, 200)}`);
  const ended = await Promise.race([stream.ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 1500))]);
  assert.equal(ended, true, 'the stream ended');
  // And the page's reconnect is refused.
  const again = await fetch(`http://127.0.0.1:${address.port}/api/live?page=overview`, { headers: { cookie, accept: 'text/event-stream' } });
  assert.equal(again.status, 401);
  await again.body?.cancel();
});
