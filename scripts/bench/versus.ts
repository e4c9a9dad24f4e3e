/**
 * missedcall-box against the established open-source SMS daemons that can hang up calls:
 * smstools3 (`smsd`, Debian package smstools) and gammu-smsd. Each daemon gets ONE simulated
 * modem on a real pty (socat) and runs as a child process in the foreground, with its default
 * polling settings plus only what makes it hang up incoming calls (smstools3
 * `hangup_incoming_call = yes`, gammu-smsd `HangupCalls = 1`; missedcall-box hangs up by itself).
 *
 *   npx tsx scripts/bench/versus.ts [--calls 12] [--gap 5] [--after 3] [--window 90]
 *       [--unplugged 5] [--rings 6] [--ring-interval 5] [--vendor quectel]
 *       [--urc '+XYZ: 1'] [--daemons missedcall-box,smstools3,gammu-smsd] [--serial] [--keep]
 *
 * Three scenarios per daemon, in this order, all timed by the simulated modem:
 *  1. `--calls` callers, one every `--gap` s. Each rings (RING, and +CLIP when the daemon turned
 *     caller id on) every `--ring-interval` s until hung up, or gives up after `--rings` rings.
 *     A caller who dials while the previous call still rings hears "busy" (one line, one call).
 *     Hang-up delay: first RING written → ATH/AT+CHUP received.
 *  2. One unsolicited line the daemon does not know (`--urc`), then `--after` callers one after
 *     another (each 2 s after the previous ended): are they still hung up?
 *  3. The modem is unplugged (socat and both pty ends vanish) for `--unplugged` s and plugged in
 *     again at the same path; callers one after another until one is hung up or `--window` s
 *     have passed since the replug: the first command the daemon sends to the new modem and the
 *     first hang-up, both counted from the replug.
 *
 * The daemons run side by side (one modem each) to keep the run short; `--serial` runs them
 * one after another. A daemon that is not installed is skipped; this script installs nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CallOutcome, SimModem } from '../../src/sim/sim-modem.js';
import type { SimVendor } from '../../src/sim/profiles.js';
import { freePort } from '../../test/helpers/cli.js';
import { ptyModem, type PtyModem } from '../../test/helpers/pty-modem.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '12' },
    gap: { type: 'string', default: '5' },
    after: { type: 'string', default: '3' },
    window: { type: 'string', default: '90' },
    unplugged: { type: 'string', default: '5' },
    rings: { type: 'string', default: '6' },
    'ring-interval': { type: 'string', default: '5' },
    vendor: { type: 'string', default: 'quectel' },
    urc: { type: 'string', default: '+XYZ: 1' },
    daemons: { type: 'string', default: 'missedcall-box,smstools3,gammu-smsd' },
    serial: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // Most detailed daemon logs (smsd loglevel 7, gammu DebugLevel 255), to see why; with --keep.
    'debug-logs': { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return n;
}
const opts = {
  calls: Math.round(positive('calls', values.calls)),
  gapMs: positive('gap', values.gap) * 1000,
  after: Math.round(positive('after', values.after)),
  windowMs: positive('window', values.window) * 1000,
  unpluggedMs: positive('unplugged', values.unplugged) * 1000,
  rings: Math.round(positive('rings', values.rings)),
  ringIntervalMs: positive('ring-interval', values['ring-interval']) * 1000,
  vendor: values.vendor as SimVendor,
  urc: values.urc,
};
if (!['generic', 'simcom', 'quectel', 'huawei'].includes(opts.vendor)) throw new Error(`--vendor must be generic, simcom, quectel or huawei`);

const repo = new URL('../../', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the daemons

interface DaemonSpec {
  name: string;
  /** Path of its program, or null when it is not installed. */
  binary: () => string | null;
  version: (binary: string) => string;
  /** The command that ends its modem set-up (it is ready once the modem is quiet after it). */
  ready: RegExp;
  /** Write its config under `dir` and start it in the foreground, in its own process group. */
  start: (binary: string, dir: string, device: string) => Promise<ChildProcess>;
  /** Its own log, for the notes when something went wrong. */
  logFile: (dir: string) => string;
}

function which(name: string, extra: string[] = []): string | null {
  for (const d of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim())?.trim() ?? '?';
}

function debVersion(pkg: string): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** Output of a daemon goes to files in its folder, never to the bench's terminal. */
function launch(cmd: string, args: string[], dir: string, cwd = dir): ChildProcess {
  const out = openSync(join(dir, 'stdout.log'), 'a');
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

const daemons: DaemonSpec[] = [
  {
    name: 'missedcall-box',
    binary: () => process.execPath,
    version: () => {
      const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
      return `${pkg.version} (this tree, Node ${process.version})`;
    },
    // Its set-up ends with caller id on and new-message indications routed.
    ready: /^AT\+CNMI=/i,
    start: async (node, dir, device) => {
      // The documented way to run it, with the defaults: only the required keys (and a free
      // port for the status page, which it always serves).
      const port = await freePort();
      const config = [
        'box:',
        '  id: versus-bench',
        `database: ${join(dir, 'box.db')}`,
        'modems:',
        `  - port: ${device}`,
        'http:',
        `  port: ${port}`,
        '',
      ].join('\n');
      writeFileSync(join(dir, 'config.yaml'), config);
      // From the repository, where `--import tsx` resolves (as the other benches run it).
      return launch(node, ['--import', 'tsx', join(repo, 'src/cli.ts'), 'run', '--config', join(dir, 'config.yaml')], dir, repo);
    },
    logFile: (dir) => join(dir, 'stdout.log'),
  },
  {
    name: 'smstools3',
    binary: () => which('smsd', ['/usr/sbin', '/usr/local/sbin']),
    version: (bin) => {
      const v = /Version\s+([\d.]+)/.exec(firstLine(bin, ['-V']))?.[1] ?? '?';
      const deb = debVersion('smstools');
      return deb ? `${v} (Debian ${deb})` : v;
    },
    // smsd never turns caller id on; its set-up ends with the storage check.
    ready: /^AT\+CPMS\?$/i,
    start: async (bin, dir, device) => {
      for (const d of ['outgoing', 'checked', 'failed', 'incoming', 'sent']) mkdirSync(join(dir, d));
      // Debian's shipped /etc/smsd.conf with our paths, plus hangup_incoming_call. Defaults
      // kept: delaytime 10 s, check_network 1, keep_open yes, detect_unexpected_input yes.
      const conf = [
        'devices = GSM1',
        `outgoing = ${join(dir, 'outgoing')}`,
        `checked = ${join(dir, 'checked')}`,
        `failed = ${join(dir, 'failed')}`,
        `incoming = ${join(dir, 'incoming')}`,
        `sent = ${join(dir, 'sent')}`,
        `logfile = ${join(dir, 'smsd.log')}`,
        `infofile = ${join(dir, 'smsd.working')}`,
        `pidfile = ${join(dir, 'smsd.pid')}`,
        'receive_before_send = no',
        'autosplit = 3',
        'hangup_incoming_call = yes',
        ...(values['debug-logs'] ? ['loglevel = 7'] : []),
        '',
        '[GSM1]',
        `device = ${device}`,
        'incoming = yes',
        'baudrate = 19200',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'smsd.conf'), conf);
      // -t: stay in the foreground.
      return launch(bin, ['-t', `-c${join(dir, 'smsd.conf')}`], dir);
    },
    logFile: (dir) => join(dir, 'smsd.log'),
  },
  {
    name: 'gammu-smsd',
    binary: () => which('gammu-smsd', ['/usr/bin', '/usr/local/bin']),
    version: (bin) => {
      const v = /version\s+([\d.]+)/i.exec(firstLine(bin, ['--version']))?.[1] ?? '?';
      const deb = debVersion('gammu-smsd');
      return deb ? `${v} (Debian ${deb})` : v;
    },
    // Caller id is the first thing it turns on once connected (GSM_SetIncomingCall).
    ready: /^AT\+CLIP=1$/i,
    start: async (bin, dir, device) => {
      for (const d of ['inbox', 'outbox', 'sent', 'error']) mkdirSync(join(dir, d));
      // The man page's files-service example with our paths, plus HangupCalls; every
      // frequency (CommTimeout 30, ReceiveFrequency 15, StatusFrequency 60, LoopSleep 1) default.
      const conf = [
        '[gammu]',
        `device = ${device}`,
        'connection = at',
        '',
        '[smsd]',
        'service = files',
        `logfile = ${join(dir, 'gammu-smsd.log')}`,
        `inboxpath = ${join(dir, 'inbox')}/`,
        `outboxpath = ${join(dir, 'outbox')}/`,
        `sentsmspath = ${join(dir, 'sent')}/`,
        `errorsmspath = ${join(dir, 'error')}/`,
        'HangupCalls = 1',
        ...(values['debug-logs'] ? ['DebugLevel = 255'] : []),
        '',
      ].join('\n');
      writeFileSync(join(dir, 'gammu-smsdrc'), conf);
      return launch(bin, ['-c', join(dir, 'gammu-smsdrc')], dir);
    },
    logFile: (dir) => join(dir, 'gammu-smsd.log'),
  },
];

// Every daemon started here, to be ended (its whole process group) on any way out.
const started = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // smsd's modem handler is a second process in the group: make sure it went too.
  killGroup(child, 'SIGKILL');
}
process.on('exit', () => {
  for (const c of started) killGroup(c, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const c of started) killGroup(c, 'SIGKILL');
    process.exit(130);
  });
}

// ---------------------------------------------------------------- the simulated modem

type Plugged = PtyModem & {
  /** Commands with the time they arrived (performance.now()). */
  log: { at: number; command: string }[];
};

async function plug(dir: string, name: string): Promise<Plugged> {
  const m = await ptyModem(dir, name, { vendor: opts.vendor });
  const log: Plugged['log'] = [];
  m.sim.on('command', (command) => log.push({ at: performance.now(), command }));
  return { ...m, log };
}

/** Pull it out: the sim's end is closed and socat killed, so the daemon's end vanishes too. */
async function unplug(m: Plugged): Promise<void> {
  m.sim.unplug();
  await m.close();
}

/** Resolves once `ready` has been sent and the daemon then left the modem alone for 1.5 s. */
async function untilReady(m: Plugged, ready: RegExp, child: ChildProcess, timeoutMs: number): Promise<number | null> {
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return null;
    const now = performance.now();
    const seen = m.log.some((c) => ready.test(c.command));
    const last = m.log[m.log.length - 1]?.at ?? t0;
    if (seen && now - last >= 1500) return now - t0;
    if (now - t0 > timeoutMs) return null;
    await sleep(100);
  }
}

// ---------------------------------------------------------------- one daemon, three scenarios

interface Result {
  name: string;
  version: string;
  skipped?: string;
  failed?: string;
  readyS?: number;
  burst?: CallOutcome[];
  afterUrc?: CallOutcome[];
  /** Seconds from the unknown line to the last command the daemon sent before the unplug. */
  lastCommandAfterUrcS?: number;
  /** Seconds from the unknown line to the unplug. */
  unplugAfterUrcS?: number;
  replug?: { firstCommandS: number | null; firstHangupS: number | null; callers: CallOutcome[] };
  notes: string[];
}

/** Callers of the n-th daemon are +919811n…, numbered in the order they call. */
function caller(n: number): (sim: SimModem) => Promise<CallOutcome> {
  let k = 0;
  return (sim) => sim.ring(`+919811${n}${String(++k).padStart(5, '0')}`, { rings: opts.rings, intervalMs: opts.ringIntervalMs });
}

function progress(name: string, text: string): void {
  process.stderr.write(`[${name}] ${text}\n`);
}

async function runDaemon(spec: DaemonSpec, n: number): Promise<Result> {
  const ring = caller(n);
  const bin = spec.binary();
  if (!bin) {
    const skipped = 'skipped: install with sudo apt-get install smstools gammu-smsd';
    progress(spec.name, skipped);
    return { name: spec.name, version: '–', skipped, notes: [] };
  }
  const result: Result = { name: spec.name, version: spec.version(bin), notes: [] };
  const dir = mkdtempSync(join(tmpdir(), `versus-${spec.name}-`));
  let modem = await plug(dir, 'ttyUSB2');
  const device = modem.path;
  const child = await spec.start(bin, dir, device);
  let exitNote: string | null = null;
  child.once('exit', (code, signal) => {
    exitNote = `${spec.name} exited on its own (${signal ?? `code ${code}`})`;
  });
  try {
    progress(spec.name, `started (pid ${child.pid}), waiting for its modem set-up…`);
    const ready = await untilReady(modem, spec.ready, child, 120_000);
    if (ready === null) {
      result.failed = exitNote ?? `no modem set-up within 120 s (last commands: ${modem.log.slice(-5).map((c) => c.command).join(' ')})`;
      return result;
    }
    result.readyS = ready / 1000;

    // 1. Callers every --gap seconds.
    progress(spec.name, `ready after ${result.readyS.toFixed(1)} s; ${opts.calls} callers, one every ${opts.gapMs / 1000} s…`);
    const burst: Promise<CallOutcome>[] = [];
    for (let i = 0; i < opts.calls; i++) {
      if (i > 0) await sleep(opts.gapMs);
      burst.push(ring(modem.sim));
    }
    result.burst = await Promise.all(burst);

    // 2. One unknown unsolicited line, then callers one after another.
    await sleep(2000);
    progress(spec.name, `printing "${opts.urc}" once, then ${opts.after} callers…`);
    modem.sim.urc(opts.urc);
    const urcAt = performance.now();
    await sleep(2000);
    result.afterUrc = [];
    for (let i = 0; i < opts.after; i++) {
      result.afterUrc.push(await ring(modem.sim));
      await sleep(2000);
    }

    result.lastCommandAfterUrcS = ((modem.log[modem.log.length - 1]?.at ?? urcAt) - urcAt) / 1000;
    result.unplugAfterUrcS = (performance.now() - urcAt) / 1000;

    // 3. Unplug, replug at the same path, callers until one is hung up.
    progress(spec.name, `unplugging the modem for ${opts.unpluggedMs / 1000} s…`);
    await unplug(modem);
    await sleep(opts.unpluggedMs);
    modem = await plug(dir, 'ttyUSB2');
    const replugAt = performance.now();
    progress(spec.name, `plugged in again; callers until one is hung up (at most ${opts.windowMs / 1000} s)…`);
    const callers: CallOutcome[] = [];
    let firstHangupS: number | null = null;
    await sleep(1000);
    while (performance.now() - replugAt < opts.windowMs) {
      const o = await ring(modem.sim);
      callers.push(o);
      if (o.outcome === 'hung-up' && o.hungUpAt !== null) {
        firstHangupS = (o.hungUpAt - replugAt) / 1000;
        break;
      }
      await sleep(1000);
    }
    const first = modem.log[0];
    result.replug = { firstCommandS: first ? (first.at - replugAt) / 1000 : null, firstHangupS, callers };
    if (exitNote) result.notes.push(exitNote);
    return result;
  } catch (err) {
    result.failed = err instanceof Error ? err.message : String(err);
    return result;
  } finally {
    await stopDaemon(child);
    await unplug(modem).catch(() => undefined);
    if (values.keep) progress(spec.name, `kept ${dir} (config, logs)`);
    else rmSync(dir, { recursive: true, force: true });
    if (result.failed) {
      try {
        const tail = readFileSync(spec.logFile(dir), 'utf8').trim().split('\n').slice(-5).join('\n');
        if (tail) progress(spec.name, `last lines of its log:\n${tail}`);
      } catch {
        // removed or never written
      }
    }
  }
}

// ---------------------------------------------------------------- run and report

const wanted = values.daemons.split(',').map((s) => s.trim());
const chosen = daemons.filter((d) => wanted.includes(d.name));
const unknown = wanted.filter((w) => !daemons.some((d) => d.name === w));
if (unknown.length) throw new Error(`unknown daemon(s) ${unknown.join(', ')}; choose from ${daemons.map((d) => d.name).join(', ')}`);

const t0 = performance.now();
const results: Result[] = [];
if (values.serial) {
  for (const [i, d] of chosen.entries()) results.push(await runDaemon(d, i));
} else {
  results.push(...(await Promise.all(chosen.map((d, i) => runDaemon(d, i)))));
}
const elapsed = (performance.now() - t0) / 1000;

/** Seconds to one decimal; below a second in milliseconds, which is where the box's delays are. */
const s = (ms: number): string => (ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const mid = Math.floor(a.length / 2);
  return a.length % 2 ? (a[mid] ?? NaN) : ((a[mid - 1] ?? NaN) + (a[mid] ?? NaN)) / 2;
}
function delays(calls: CallOutcome[]): number[] {
  return calls.flatMap((c) => (c.outcome === 'hung-up' && c.announcedAt !== null && c.hungUpAt !== null ? [c.hungUpAt - c.announcedAt] : []));
}
function count(calls: CallOutcome[], outcome: CallOutcome['outcome']): number {
  return calls.filter((c) => c.outcome === outcome).length;
}

console.log(
  `\nversus: one simulated ${opts.vendor} modem per daemon, callers ring every ${opts.ringIntervalMs / 1000} s and give up after ${opts.rings} rings; ` +
    `${values.serial ? 'daemons one after another' : 'daemons side by side'}, ${elapsed.toFixed(0)} s in all\n`,
);
console.log(
  `| daemon | version | ${opts.calls} callers, one every ${opts.gapMs / 1000} s: hung up / gave up / busy | hang-up delay after the first ring, median / max | after one \`${opts.urc}\`: hung up | unplugged ${opts.unpluggedMs / 1000} s, replugged: first command / first hang-up after replug |`,
);
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const r of results) {
  if (r.skipped) {
    console.log(`| ${r.name} | – | ${r.skipped} | | | |`);
    continue;
  }
  const cells: string[] = [r.name, r.version];
  if (r.burst) {
    const d = delays(r.burst);
    cells.push(`${count(r.burst, 'hung-up')} / ${count(r.burst, 'gave-up')} / ${count(r.burst, 'busy')}`);
    cells.push(d.length ? `${s(median(d))} / ${s(Math.max(...d))}` : '–');
  } else {
    cells.push(`failed: ${r.failed ?? '?'}`, '–');
  }
  if (r.afterUrc) {
    const d = delays(r.afterUrc);
    // Why not: did it go quiet? (From its last command to the unplug.)
    const quiet =
      count(r.afterUrc, 'hung-up') < r.afterUrc.length && r.lastCommandAfterUrcS !== undefined && r.unplugAfterUrcS !== undefined
        ? `; its last command came ${r.lastCommandAfterUrcS.toFixed(0)} s after the line, then none for ${(r.unplugAfterUrcS - r.lastCommandAfterUrcS).toFixed(0)} s until the unplug`
        : '';
    cells.push(`${count(r.afterUrc, 'hung-up')} of ${r.afterUrc.length}${d.length ? ` (median ${s(median(d))})` : ''}${quiet}`);
  } else {
    cells.push('–');
  }
  if (r.replug) {
    const fc = r.replug.firstCommandS === null ? 'none' : `${r.replug.firstCommandS.toFixed(1)} s`;
    const fh =
      r.replug.firstHangupS === null
        ? `none within ${opts.windowMs / 1000} s (${r.replug.callers.length} callers missed)`
        : `${r.replug.firstHangupS.toFixed(1)} s (caller ${r.replug.callers.length})`;
    cells.push(`${fc} / ${fh}`);
  } else {
    cells.push(r.failed && r.burst ? `failed: ${r.failed}` : '–');
  }
  console.log(`| ${cells.join(' | ')} |`);
}
for (const r of results) for (const n of r.notes) console.log(`\nnote: ${n}`);
if (results.every((r) => r.skipped || r.failed)) process.exitCode = 1;
