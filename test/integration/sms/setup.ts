/**
 * The real App over socat ptys with simulated modems, as test/integration/calls.test.ts runs
 * it, plus what SMS tests need: an injected clock (an offset on real time, so timers still
 * run), short SMS timings, and the PDUs each simulated modem received, decoded.
 */
import type { TestContext } from 'node:test';
import { App } from '../../../src/app.js';
import { validateConfig, type Config } from '../../../src/config/load.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import type { Modem } from '../../../src/modem/modem.js';
import { decodePdu, type DecodedSubmit } from '../../../src/sms/pdu/index.js';
import type { SmsWorkerTimings } from '../../../src/sms/worker.js';
import type { SimModemOptions, SentSms } from '../../../src/sim/sim-modem.js';
import { tempDir, testTimings } from '../../helpers/box.js';
import { ptyModem, type PtyModem } from '../../helpers/pty-modem.js';
import { nextEvent } from '../../helpers/wait.js';

export interface LineSpec {
  label?: string;
  campaign?: string;
  role?: 'calls' | 'sms' | 'both';
  reply?: string;
  sim?: SimModemOptions;
}

export interface SmsBoxOptions {
  lines: LineSpec[];
  reply?: Record<string, unknown>;
  sms?: Record<string, unknown>;
  http?: Record<string, unknown>;
  /** Start the web server (on a free port). */
  web?: boolean;
  /** Epoch ms the box's SMS clock starts at (it then runs at real speed). */
  startAt?: number;
  smsTimings?: Partial<SmsWorkerTimings>;
}

export interface SmsBox {
  app: App;
  config: Config;
  lines: PtyModem[];
  dir: string;
  /** Move the box's SMS clock (and let the sender look at the queue again). */
  setTime(epochMs: number): void;
  now(): number;
}

/** SMS timings for tests: retries in a fraction of a second, a short AT+CMGS timeout. */
export const fastSms: Partial<SmsWorkerTimings> = {
  cmgsTimeoutMs: 3000,
  retryBaseMs: 150,
  retryMaxMs: 600,
  tickMs: 100,
  ringWaitMs: 5000,
};

export async function smsBox(t: TestContext, options: SmsBoxOptions): Promise<SmsBox> {
  const { dir, remove } = tempDir('mcb-sms-');
  t.after(remove);
  const lines: PtyModem[] = [];
  for (const [i, spec] of options.lines.entries()) {
    lines.push(
      await ptyModem(dir, `modem${i}`, {
        vendor: 'quectel',
        imei: `86716202000002${i}`,
        iccid: `899100090000000100${i}`,
        ...spec.sim,
      }),
    );
  }
  t.after(() => Promise.all(lines.map((m) => m.close())));
  const config = validateConfig(
    {
      box: { id: 'sms-test', name: 'SMS test box' },
      country: 'IN',
      database: `${dir}/box.db`,
      modems: options.lines.map((spec, i) => ({
        port: lines[i]?.path,
        label: spec.label ?? `line-${i + 1}`,
        ...(spec.campaign ? { campaign: spec.campaign } : {}),
        ...(spec.role ? { role: spec.role } : {}),
        ...(spec.reply ? { reply: spec.reply } : {}),
      })),
      http: { host: '127.0.0.1', port: 8080, ...options.http },
      ...(options.reply ? { reply: options.reply } : {}),
      ...(options.sms ? { sms: options.sms } : {}),
    },
    'test',
    dir,
  ).config;
  config.http.port = 0;
  let offset = options.startAt === undefined ? 0 : options.startAt - Date.now();
  const log = process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG, destination: process.stderr }) : silentLogger();
  const app = new App({
    config,
    log,
    timings: testTimings,
    http: options.web ?? false,
    clock: () => Date.now() + offset,
    smsTimings: { ...fastSms, ...options.smsTimings },
  });
  await app.start();
  t.after(() => app.stop());
  await Promise.all(app.modems.map((m) => ready(m)));
  return {
    app,
    config,
    lines,
    dir,
    setTime(epochMs: number) {
      offset = epochMs - Date.now();
      app.sms?.worker?.wake();
    },
    now: () => Date.now() + offset,
  };
}

export function ready(m: Modem, timeoutMs = 8000): Promise<unknown> {
  if (m.info.state === 'ready') return Promise.resolve();
  return nextEvent(m, 'state', (s: unknown) => s === 'ready', timeoutMs);
}

/** A PDU the simulated modem accepted, decoded. */
export function submitted(sms: SentSms): DecodedSubmit {
  const d = decodePdu(sms.pdu);
  if (d.type !== 'submit') throw new Error(`the modem got a ${d.type}, not an SMS-SUBMIT`);
  return d;
}

/** Resolve with the next `count` SMS the simulated modem accepts (bounded). */
export function nextSms(line: PtyModem, count = 1, timeoutMs = 5000): Promise<SentSms[]> {
  return new Promise((resolve, reject) => {
    const got: SentSms[] = [];
    const timer = setTimeout(() => {
      line.sim.off('sms', on);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} SMS (got ${got.length})`));
    }, timeoutMs);
    const on = (sms: SentSms): void => {
      got.push(sms);
      if (got.length < count) return;
      clearTimeout(timer);
      line.sim.off('sms', on);
      resolve(got);
    };
    line.sim.on('sms', on);
  });
}

/** The `AT+CMGS` commands a simulated modem has seen. */
export function cmgsCommands(line: PtyModem): string[] {
  return line.sim.commands.filter((c) => c.toUpperCase().startsWith('AT+CMGS='));
}

/** 2026-11-28 at `hh:mm` in India. */
export function ist(hhmm: string, day = '2026-11-28'): number {
  return Date.parse(`${day}T${hhmm}:00+05:30`);
}
