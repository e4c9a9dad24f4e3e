/**
 * Child process for benchmarks: the real box (App) on the given ports, no HTTP. Reports every
 * call's hang-up latency as the box measured it, and its own CPU time and peak RSS.
 *
 * argv: <database file> <port>...
 * IPC out: { ready: true } then { stats } on { stop: true }
 */
import { App } from '../../../src/app.js';
import { validateConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { dirname } from 'node:path';

const [database, ...paths] = process.argv.slice(2);
if (!database) throw new Error('usage: box-runner <db> <port>...');
const { config } = validateConfig(
  { box: { id: 'bench' }, database, modems: paths.map((port, i) => ({ port, label: `line-${i + 1}` })), modemPoll: { intervalSeconds: 60 } },
  'bench',
  dirname(database),
);
const app = new App({ config, log: silentLogger(), http: false });
await app.start();
await new Promise<void>((resolve) => {
  const check = (): void => {
    if (app.modems.every((m) => m.info.state === 'ready')) resolve();
    else setTimeout(check, 50);
  };
  check();
});

const latencies: number[] = [];
let cpuStart = process.cpuUsage();
let t0 = Date.now();
app.handler.on('recorded', (row) => {
  if (row.hangupLatencyMs !== null) latencies.push(row.hangupLatencyMs);
});
process.send?.({ ready: true });
process.on('message', (msg: { start?: boolean; stop?: boolean }) => {
  if (msg.start) {
    latencies.length = 0;
    cpuStart = process.cpuUsage();
    t0 = Date.now();
  }
  if (msg.stop) {
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (Date.now() - t0) / 1000;
    const stats = {
      latencies,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      recorded: app.calls.total(),
    };
    void app.stop().then(() => {
      // Exit only once the (large) message has left: process.exit would drop it.
      process.send?.({ stats }, () => process.exit(0));
    });
  }
});
