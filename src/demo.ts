import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { App } from './app.js';
import { hashPassword } from './auth/password.js';
import { validateConfig } from './config/load.js';
import type { Logger } from './log.js';
import type { PortOpener } from './modem/serial.js';
import { duplexPair } from './sim/duplex-pair.js';
import type { SimVendor } from './sim/profiles.js';
import { SimModem, type RingOptions, type SentSms } from './sim/sim-modem.js';
import { decodePdu, encodeDeliver } from './sms/pdu/index.js';
import type { CallRow } from './store/calls.js';

export interface DemoOptions {
  log: Logger;
  /** Where the demo database goes (default ./data/demo.db). */
  database?: string;
  httpPort?: number;
  /** Stop after this many recorded calls (default: run until Ctrl-C). */
  calls?: number;
  /** Print a line per recorded call. */
  print?: (line: string) => void;
}

const SIMULATED: { label: string; campaign: string; vendor: SimVendor; iccid: string; imei: string }[] = [
  { label: 'line-1', campaign: 'rally-posters', vendor: 'quectel', iccid: '8991000900111111111', imei: '867162020000011' },
  { label: 'line-2', campaign: 'newspaper-ad', vendor: 'huawei', iccid: '8991000900222222222', imei: '867162020000022' },
];

/**
 * The whole box on two simulated modems (a Quectel and a Huawei, each with its quirks),
 * connected in-process so the demo needs no system package, with a stream of callers in
 * every +CLIP form: new numbers, repeats and withheld callers.
 */
export async function runDemo(options: DemoOptions): Promise<{ app: App; stop: () => Promise<void>; done: Promise<void> }> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { config } = validateConfig(
    {
      box: { id: 'demo', name: 'Demo box (simulated modems)' },
      country: 'IN',
      database: options.database ?? './data/demo.db',
      modems: SIMULATED.map((s) => ({ port: `/sim/${s.label}`, label: s.label, campaign: s.campaign })),
      reply: { text: DEMO_REPLY, cooldownHours: 24, maxParts: 3 },
    },
    'demo',
    resolve('.'),
  );
  // Port 0 (any free port, for tests) is not a valid config value, so it is set afterwards.
  config.http.port = options.httpPort ?? 8080;
  // A fresh admin password each run, printed below, so the status page can be tried at once.
  const demoPassword = randomBytes(6).toString('base64url');
  config.http.users = [{ name: 'admin', role: 'admin', passwordHash: await hashPassword(demoPassword) }];
  const sims = new Map<string, SimModem>();
  const openPort: PortOpener = (path) => {
    const spec = SIMULATED.find((s) => path === `/sim/${s.label}`);
    if (!spec) return Promise.reject(new Error(`no simulated modem at ${path}`));
    const [boxEnd, modemEnd]: [Duplex, Duplex] = duplexPair();
    const sim = new SimModem(modemEnd, { vendor: spec.vendor, iccid: spec.iccid, imei: spec.imei, noiseIntervalMs: 7000 });
    sim.on('sms', (sms) => onSmsSent(sim, sms));
    sims.set(spec.label, sim);
    return Promise.resolve(boxEnd);
  };
  // Some volunteers answer the reply with JOIN, as the reply asks them to.
  const answered = new Set<string>();
  const partsSeen = new Map<string, string[]>();
  const onSmsSent = (sim: SimModem, sms: SentSms): void => {
    let to = '';
    try {
      const d = decodePdu(sms.pdu);
      if (d.type !== 'submit') return;
      to = d.to;
      // A long reply arrives in parts; show it once, whole.
      const key = `${d.to}:${d.concat?.reference ?? 'single'}`;
      const parts = (partsSeen.get(key) ?? []).concat(d.text);
      if (d.concat && parts.length < d.concat.total) {
        partsSeen.set(key, parts);
        return;
      }
      partsSeen.delete(key);
      const text = parts.join('');
      print(`       ↳ SMS to ${d.to}: ${text.length > 70 ? `${text.slice(0, 70)}…` : text}${d.concat ? ` (${d.concat.total} parts)` : ''}`);
    } catch {
      return;
    }
    if (answered.has(to) || Math.random() > 0.3) return;
    answered.add(to);
    setTimeout(() => {
      const [name, pincode] = VOLUNTEERS[Math.floor(Math.random() * VOLUNTEERS.length)] ?? ['Asha', '221001'];
      const text = `JOIN ${name} ${pincode}`;
      print(`       ↳ ${to} writes back: ${text}`);
      for (const pdu of encodeDeliver({ from: to, text, timestamp: new Date() })) sim.deliverSms(pdu);
    }, 1500);
  };
  const app = new App({ config, log: options.log, openPort });
  await app.start();
  print(`missedcall demo: ${SIMULATED.length} simulated modems, database ${config.database}`);
  print(`status page: ${app.address() ?? '(off)'}/ — log in as admin, password ${demoPassword} (also for /api/… with basic auth) — Ctrl-C to stop`);

  let recorded = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  app.handler.on('recorded', (row: CallRow) => {
    recorded++;
    print(describeCall(recorded, row));
    if (options.calls !== undefined && recorded >= options.calls) finish();
  });

  const seen: string[] = [];
  let stopped = false;
  const callers = SIMULATED.map(async (spec, i) => {
    // Stagger the lines so their callers do not march in step.
    await delay(300 + i * 700);
    while (!stopped) {
      const sim = sims.get(spec.label);
      if (sim && !sim.ringing && app.modems[i]?.info.state === 'ready') {
        const [number, ringOpts] = nextCaller(seen);
        await sim.ring(number, ringOpts);
      }
      await delay(800 + Math.random() * 1500);
    }
  });
  // Ctrl-C and the end of `--calls` may both ask; the box stops once.
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      finish();
      await Promise.all(callers);
      await app.stop();
      print(`demo stopped: ${recorded} calls recorded`);
    })());
  return { app, stop, done };
}

function describeCall(n: number, row: CallRow): string {
  const who = row.withheld ? 'withheld' : (row.number ?? `unreadable (${row.numberRaw ?? ''})`);
  const latency = row.hangupLatencyMs === null ? 'no hang-up needed' : `hung up ${row.hangupLatencyMs.toFixed(2)} ms after the number arrived`;
  const repeat = row.repeat > 0 ? `, repeat caller (${row.repeat} earlier)` : '';
  return `#${String(n).padStart(3)}  ${row.portLabel}  ${who.padEnd(14)}  ${latency}${repeat}`;
}

const DEMO_REPLY = 'धन्यवाद! स्वयंसेवक बनने के लिए JOIN <नाम> <पिनकोड> लिखकर भेजें।';

/** Names as volunteers type them, in Latin and Devanagari, with real Varanasi-area pincodes. */
const VOLUNTEERS: [string, string][] = [
  ['Asha Devi', '221001'],
  ['रवि कुमार', '221005'],
  ['Imran', '221002'],
  ['सुनीता', '२२१००८'],
];

const FORMS: RingOptions['clipForm'][] = ['number', 'type', 'full'];

/** A plausible Indian mobile number written one of the ways networks deliver it. */
function nextCaller(seen: string[]): [string | null, RingOptions] {
  const roll = Math.random();
  const opts: RingOptions = { clipForm: FORMS[Math.floor(Math.random() * FORMS.length)], intervalMs: 3000, rings: 3 };
  if (roll < 0.1) return [null, opts];
  if (roll < 0.25 && seen.length > 0) return [seen[Math.floor(Math.random() * seen.length)] ?? null, opts];
  const national = `${6 + Math.floor(Math.random() * 4)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const written = [national, `0${national}`, `91${national}`, `+91${national}`][Math.floor(Math.random() * 4)] ?? national;
  seen.push(written);
  return [written, opts];
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
