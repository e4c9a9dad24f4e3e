/**
 * The real App over socat ptys with simulated modems (as test/integration/calls.test.ts runs
 * it), configured for volunteers' replies: the sample pincode table, a call reply, SIM message
 * storage on each simulated modem that a test may fill before the box starts, and the SMS the
 * box sends, decoded.
 */
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { App } from '../../../src/app.js';
import { validateConfig, type Config } from '../../../src/config/load.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import type { Modem } from '../../../src/modem/modem.js';
import type { SimModemOptions } from '../../../src/sim/sim-modem.js';
import { decodePdu, encodeDeliver } from '../../../src/sms/pdu/index.js';
import { tempDir, testTimings } from '../../helpers/box.js';
import { ptyModem, type PtyModem } from '../../helpers/pty-modem.js';
import { nextEvent } from '../../helpers/wait.js';

export const PINCODES = fileURLToPath(new URL('../../fixtures/pincodes-sample.csv', import.meta.url));

export const CALL_REPLY = 'Thank you for calling! Reply JOIN <name> <pincode> to volunteer.';

export interface InboundBox {
  app: App;
  config: Config;
  line: PtyModem;
  dir: string;
  /** Every SMS the box sent, decoded: `[to, text]`. */
  sent(): [string, string][];
}

export interface InboundBoxOptions {
  sim?: SimModemOptions;
  /** Put these PDUs in the SIM's storage before the box starts (they arrived while it was off). */
  prefill?: string[];
  /** PDUs the network tries to deliver before the box starts (held when the SIM is full). */
  deliverBeforeStart?: string[];
  extra?: Record<string, unknown>;
}

export async function inboundBox(t: TestContext, options: InboundBoxOptions = {}): Promise<InboundBox> {
  const { dir, remove } = tempDir('mcb-inbound-');
  const line = await ptyModem(dir, 'modem0', { vendor: 'quectel', imei: '867162020000031', iccid: '8991000900000003001', ...options.sim });
  let app: App | null = null;
  // One clean-up, in order: the box, then the modem (dropped, not awaited: SerialPort.close()
  // was seen never to call back under load), then socat; then the folder.
  t.after(async () => {
    await app?.stop();
    line.sim.unplug();
    await line.pty.close();
    remove();
  });
  const sent: [string, string][] = [];
  line.sim.on('sms', (s) => {
    const d = decodePdu(s.pdu);
    if (d.type === 'submit') sent.push([d.to, d.text]);
  });
  for (const p of options.prefill ?? []) line.sim.storage.put(p);
  for (const p of options.deliverBeforeStart ?? []) line.sim.deliverSms(p);
  const config = validateConfig(
    {
      box: { id: 'inbound-test', name: 'Inbound test box' },
      country: 'IN',
      database: `${dir}/box.db`,
      modems: [{ port: line.path, label: 'line-1', campaign: 'rally' }],
      http: { host: '127.0.0.1', port: 8080 },
      reply: { text: CALL_REPLY, cooldownHours: 0 },
      volunteers: { pincodeTable: PINCODES },
      // A redial inside the ring-cycle gap is the same call still ringing; keep the gap short.
      calls: { clipWaitMs: 500, ringCycleGapMs: 2000 },
      ...options.extra,
    },
    'test',
    dir,
  ).config;
  config.http.port = 0;
  const log = process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG, destination: process.stderr }) : silentLogger();
  app = new App({
    config,
    log,
    timings: testTimings,
    http: false,
    smsTimings: { cmgsTimeoutMs: 3000, retryBaseMs: 150, retryMaxMs: 600, tickMs: 100, ringWaitMs: 5000 },
  });
  await app.start();
  await ready(app.modems[0] as Modem);
  return { app, config, line, dir, sent: () => sent };
}

/**
 * A missed call from `from`, returned once the box has hung up and the ring cycle is over, so
 * the next call from the same number is a new call (not the old one still ringing).
 */
export async function missedCall(box: InboundBox, from: string): Promise<void> {
  const modem = box.app.modems[0] as Modem;
  const ended = nextEvent(modem, 'call-ended', () => true, 10_000);
  const outcome = await box.line.sim.ring(from, { rings: 3, intervalMs: 1500 });
  if (outcome.outcome !== 'hung-up') throw new Error(`the call was not hung up: ${outcome.outcome}`);
  await ended;
}

export function ready(m: Modem, timeoutMs = 8000): Promise<unknown> {
  if (m.info.state === 'ready') return Promise.resolve();
  return nextEvent(m, 'state', (s: unknown) => s === 'ready', timeoutMs);
}

let clock = Date.UTC(2026, 10, 28, 5, 0, 0);

/** The PDU(s) of a message from `from`, as the network would deliver it. */
export function incoming(from: string, text: string, options: { ref?: number; bits?: 8 | 16; ucs2?: boolean } = {}): string[] {
  clock += 1000;
  return encodeDeliver({
    from,
    text,
    timestamp: new Date(clock),
    concatReference: options.ref ?? 0,
    referenceBits: options.bits ?? 8,
    forceUcs2: options.ucs2 ?? false,
  });
}
