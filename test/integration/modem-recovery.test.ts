import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Modem, ModemState } from '../../src/modem/modem.js';
import { boxConfig, startBox, tempDir } from '../helpers/box.js';
import { ptyModem } from '../helpers/pty-modem.js';
import { nextEvent, waitFor } from '../helpers/wait.js';

function inState(m: Modem, state: ModemState, timeoutMs = 15_000): Promise<unknown> {
  if (m.info.state === state) return Promise.resolve();
  return nextEvent(m, 'state', (s: unknown) => s === state, timeoutMs);
}

async function oneModemBox(t: import('node:test').TestContext, before?: (sim: import('../../src/sim/sim-modem.js').SimModem) => void) {
  const { dir, remove } = tempDir();
  t.after(remove);
  const m = await ptyModem(dir, 'usb0', { vendor: 'quectel' });
  t.after(() => m.close());
  before?.(m.sim);
  const app = await startBox(boxConfig(dir, [{ port: m.path }]), { http: false });
  let stopped = false;
  t.after(() => (stopped ? undefined : app.stop()));
  const modem = app.modems[0];
  assert.ok(modem);
  return { app, m, modem, dir, stop: async () => ((stopped = true), app.stop()) };
}

test('a SIM that answers "busy" at power-up: the modem becomes ready with its ICCID once the SIM is', async (t) => {
  let busy = true;
  const { modem } = await oneModemBox(t, (sim) => {
    sim.onCommand(/^AT\+CPIN\?$/i, () => (busy ? { final: '+CME ERROR: 14' } : undefined));
  });
  await inState(modem, 'no-sim');
  busy = false;
  await inState(modem, 'ready');
  assert.equal(modem.info.iccid, '8991000900123456789');
});

test('a modem that restarts in the middle of set-up is set up again (caller id back on)', async (t) => {
  let restarted = false;
  const { m, modem } = await oneModemBox(t, (sim) => {
    sim.onCommand(/^AT\+CNMI=/i, (_cmd, _m, s) => {
      if (!restarted) {
        restarted = true;
        s.urc('RDY');
      }
      return undefined;
    });
  });
  await inState(modem, 'ready');
  await waitFor('a second set-up', () => m.sim.commands.filter((c) => c === 'AT+CLIP=1').length >= 2, 10_000);
});

test('a data-side registration change (+CGREG) does not take a line out of service', async (t) => {
  const { m, modem } = await oneModemBox(t);
  await inState(modem, 'ready');
  const changes: string[] = [];
  modem.on('state', (s) => changes.push(s));
  m.sim.urc('+CGREG: 0');
  m.sim.urc('+CEREG: 0');
  // The modem still answers polls; a call still works.
  assert.equal((await m.sim.ring('+919811100001', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  assert.deepEqual(changes, []);
});

test('a listener that throws on a recorded call neither records it twice nor stops the box', async (t) => {
  const { app, m, modem } = await oneModemBox(t);
  await inState(modem, 'ready');
  app.handler.on('recorded', () => {
    throw new Error('a broken listener');
  });
  assert.equal((await m.sim.ring('+919811100002', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('the call row', () => app.calls.total() === 1);
  assert.equal((await m.sim.ring('+919811100003', { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
  await waitFor('the second call', () => app.calls.total() === 2);
  assert.equal(app.handler.stats.hangupFailures, 0);
});

test('a call ringing without its number when the box stops is asked for, hung up and recorded first', async (t) => {
  const { m, modem, dir, stop } = await oneModemBox(t);
  await inState(modem, 'ready');
  const rang = nextEvent(modem.engine as NonNullable<typeof modem.engine>, 'urc', (u: unknown) => ['ring', 'cring'].includes((u as { name: string }).name));
  const call = m.sim.ring('+919811100004', { noClip: true, rings: 5, intervalMs: 3000 });
  await rang;
  await stop();
  assert.equal((await call).outcome, 'hung-up');
  const db = new Database(join(dir, 'box.db'), { readonly: true });
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT number, number_source AS source FROM calls').all(), [{ number: '+919811100004', source: 'clcc' }]);
});
