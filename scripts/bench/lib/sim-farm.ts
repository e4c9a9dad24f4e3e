/**
 * Child process for benchmarks: N simulated modems on socat ptys, ringing continuously with
 * fresh numbers. Runs apart from the box so the box's CPU figures are its own.
 *
 * IPC in:  { start: true } | { stop: true }
 * IPC out: { ready: true, paths } then, after stop, { done: true, calls, busy, e2e: number[] }
 */
import type { SimVendor } from '../../../src/sim/profiles.js';
import type { SimModem } from '../../../src/sim/sim-modem.js';
import { ptyModem, type PtyModem } from '../../../test/helpers/pty-modem.js';

const count = Number(process.argv[2] ?? '1');
const dir = process.argv[3] ?? '/tmp';
const vendors: SimVendor[] = ['quectel', 'simcom', 'huawei', 'generic'];

const modems: PtyModem[] = [];
for (let i = 0; i < count; i++) {
  modems.push(await ptyModem(dir, `bench${i}`, { vendor: vendors[i % vendors.length], imei: `8671620${String(i).padStart(8, '0')}` }));
}
const sims: SimModem[] = modems.map((m) => m.sim);
process.send?.({ ready: true, paths: modems.map((m) => m.path) });

let running = false;
let calls = 0;
let busy = 0;
const e2e: number[] = [];

async function ringForever(sim: SimModem, line: number): Promise<void> {
  let n = 0;
  while (running) {
    const number = `+9198${String(line).padStart(3, '0')}${String(n++ % 100000).padStart(5, '0')}`;
    const o = await sim.ring(number, { rings: 3, intervalMs: 3000 });
    if (o.outcome === 'busy') busy++;
    if (o.outcome === 'hung-up') {
      calls++;
      if (o.announcedAt !== null && o.hungUpAt !== null) e2e.push(o.hungUpAt - o.announcedAt);
    }
  }
}

let loops: Promise<void>[] = [];
process.on('message', (msg: { start?: boolean; stop?: boolean }) => {
  if (msg.start) {
    running = true;
    loops = sims.map((s, i) => ringForever(s, i));
  }
  if (msg.stop) {
    running = false;
    void Promise.all(loops).then(async () => {
      for (const m of modems) await m.close();
      // Exit only once the (large) message has left: process.exit would drop it.
      process.send?.({ done: true, calls, busy, e2e }, () => process.exit(0));
    });
  }
});
