/**
 * SMS throughput benchmark: N simulated modems (in-process pairs, each taking `--per-sms-ms`
 * to "send" an SMS, like a real network), M replies already queued, the real App (outbox,
 * worker, AT engine, SQLite with fsync on every commit) sending them all.
 *
 * Prints each modem's utilisation (time inside AT+CMGS / time available) and the drain time
 * against the ideal (ceil(M / N) × per-SMS time). Target: utilisation ≥ 95 %.
 *
 *   npx tsx scripts/bench/sms.ts [--modems 8] [--messages 1000] [--per-sms-ms 3000] [--json]
 *
 * Exit code 1 when utilisation is below the target, so CI can run it as a check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { App } from '../../src/app.js';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { PortOpener } from '../../src/modem/serial.js';
import { duplexPair } from '../../src/sim/duplex-pair.js';
import { SimModem } from '../../src/sim/sim-modem.js';

const TARGET = 0.95;

const { values } = parseArgs({
  options: {
    modems: { type: 'string', default: '8' },
    messages: { type: 'string', default: '1000' },
    'per-sms-ms': { type: 'string', default: '3000' },
    json: { type: 'boolean', default: false },
  },
});
const modemCount = Number(values.modems);
const messageCount = Number(values.messages);
const perSmsMs = Number(values['per-sms-ms']);
if (![modemCount, messageCount, perSmsMs].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('--modems, --messages and --per-sms-ms must be positive whole numbers\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'mcb-bench-sms-'));
const labels = Array.from({ length: modemCount }, (_, i) => `line-${i + 1}`);
const sims = new Map<string, SimModem>();
const openPort: PortOpener = (path) => {
  const label = path.replace('/sim/', '');
  const i = labels.indexOf(label);
  if (i < 0) return Promise.reject(new Error(`no simulated modem at ${path}`));
  const [boxEnd, modemEnd]: [Duplex, Duplex] = duplexPair();
  sims.set(
    label,
    new SimModem(modemEnd, {
      vendor: (['quectel', 'simcom', 'huawei', 'generic'] as const)[i % 4],
      iccid: `89910009${String(i).padStart(11, '0')}`,
      imsi: `4044501${String(i).padStart(8, '0')}`,
      imei: `8671620${String(i).padStart(8, '0')}`,
      smsSendMs: perSmsMs,
    }),
  );
  return Promise.resolve(boxEnd);
};

const { config } = validateConfig(
  {
    box: { id: 'bench-sms' },
    database: join(dir, 'bench.db'),
    modems: labels.map((label) => ({ port: `/sim/${label}`, label, role: 'sms' })),
    sms: { dailyLimitPerSim: 0 },
  },
  'bench',
  dir,
);
const app = new App({ config, log: silentLogger(), openPort, http: false });

async function main(): Promise<void> {
  await app.start();
  const sms = app.sms;
  if (!sms) throw new Error('no SMS service');
  const deadline = Date.now() + 20_000;
  while (!app.modems.every((m) => m.info.state === 'ready')) {
    if (Date.now() > deadline) throw new Error('the simulated modems did not become ready');
    await new Promise((r) => setTimeout(r, 20));
  }

  // 1000 replies already waiting (one transaction: the queue is full before the clock starts).
  app.db.transaction(() => {
    for (let i = 0; i < messageCount; i++) {
      const r = sms.outbox.enqueue({ to: `+9198${String(i).padStart(8, '0')}`, text: `Thank you for calling! Reply JOIN <name> <pincode> to volunteer. #${i}`, kind: 'reply' });
      if (!r.queued) throw new Error(`not queued: ${r.reason}`);
    }
  })();
  const t0 = performance.now();
  let last = t0;
  const done = new Promise<void>((resolve) => {
    sms.outbox.on('outcome', () => {
      last = performance.now();
      const c = sms.outbox.store.counts();
      if (c.sent + c.failed + c.delivered >= messageCount) resolve();
    });
  });
  sms.worker?.wake();
  await done;
  const drainMs = last - t0;
  const lines = sms.worker?.status().lines ?? [];
  const counts = sms.outbox.store.counts();
  const idealMs = Math.ceil(messageCount / modemCount) * perSmsMs;
  const busy = lines.reduce((s, l) => s + l.busyMs, 0);
  const utilisation = busy / (modemCount * drainMs);
  const networkUtilisation = (lines.reduce((s, l) => s + l.sentSinceStart, 0) * perSmsMs) / (modemCount * drainMs);
  const result = {
    modems: modemCount,
    messages: messageCount,
    perSmsMs,
    sent: counts.sent,
    failed: counts.failed,
    drainSeconds: round(drainMs / 1000, 2),
    idealSeconds: round(idealMs / 1000, 2),
    drainVsIdeal: round(drainMs / idealMs, 4),
    utilisation: round(utilisation, 4),
    networkUtilisation: round(networkUtilisation, 4),
    perModem: lines.map((l) => ({ label: l.label, sent: l.sentSinceStart, busySeconds: round(l.busyMs / 1000, 1), utilisation: round(l.busyMs / drainMs, 4) })),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(`SMS benchmark: ${modemCount} simulated modems, ${perSmsMs} ms per SMS, ${messageCount} queued replies\n`);
    process.stdout.write(`  sent ${counts.sent}, failed ${counts.failed}\n`);
    process.stdout.write(`  drain time ${result.drainSeconds} s, ideal ${result.idealSeconds} s (${(result.drainVsIdeal * 100).toFixed(2)} % of ideal)\n`);
    process.stdout.write(`  utilisation (time in AT+CMGS / time available): ${(utilisation * 100).toFixed(2)} %  (target ≥ ${TARGET * 100} %)\n`);
    process.stdout.write(`  network utilisation (SMS × ${perSmsMs} ms / time available): ${(networkUtilisation * 100).toFixed(2)} %\n`);
    for (const m of result.perModem) {
      process.stdout.write(`    ${m.label.padEnd(8)} ${String(m.sent).padStart(4)} SMS  busy ${m.busySeconds} s  ${(m.utilisation * 100).toFixed(2)} %\n`);
    }
  }
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
  if (utilisation < TARGET || counts.sent !== messageCount) process.exitCode = 1;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await app.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
