import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { AtEngine, type AtEngineStats, type AtResponse, type Urc } from '../at/engine.js';
import { AtError } from '../at/errors.js';
import {
  parseCallEnd,
  parseClcc,
  parseClip,
  parseCops,
  parseCsq,
  parseHuaweiRssi,
  parseIccid,
  parseImei,
  parseImsi,
  parseInfoText,
  parseRegistration,
} from '../at/parsers/index.js';
import { AppError, describeError, ErrorCodes } from '../errors.js';
import { redactDigits, type Logger } from '../log.js';
import { detectProfile, profiles, type InitCommand, type ModemProfile, type Vendor } from './profiles/index.js';
import { watchForPath } from './port-watch.js';
import { RingDetector, type IncomingCall, type RingDetectorOptions, type RingEvent } from './ring-detector.js';
import type { PortOpener } from './serial.js';

/** What a person reads on the status page. */
export type ModemState = 'opening' | 'initialising' | 'ready' | 'no-sim' | 'not-registered' | 'unresponsive' | 'gone' | 'stopped';

export interface ModemInfo {
  port: string;
  label: string;
  campaign: string | null;
  state: ModemState;
  /** Wall-clock ms when the state last changed. */
  stateSince: number;
  vendor: Vendor | null;
  manufacturer: string | null;
  model: string | null;
  revision: string | null;
  imei: string | null;
  imsi: string | null;
  iccid: string | null;
  operator: string | null;
  registered: boolean;
  registration: string | null;
  signalDbm: number | null;
  lastError: string | null;
}

export type ModemCounters = AtEngineStats & {
  badClipLines: number;
  /** Hang-ups AT+CLCC confirmed: the caller was no longer listed. */
  hangupsConfirmed: number;
  /** Calls still listed after ATH answered OK, hung up again with AT+CHUP. */
  hangupsRepeated: number;
};

/** An incoming call on this modem, as the call handler receives it. */
export interface ModemCall extends IncomingCall {
  modem: Modem;
}

export interface ModemEvents {
  state: [ModemState, ModemState];
  call: [ModemCall];
  'call-ended': [{ cycle: number; reason: string }];
  /** URCs this class does not handle itself (+CMTI, +CMT, +CDS …) for the SMS side. */
  urc: [Urc];
  /** A ready modem (re)initialised: SMS workers may (re)read storage. */
  initialised: [];
}

export interface ModemTimings {
  /** Default AT command timeout. */
  commandMs: number;
  hangupMs: number;
  /** Timeout of each `AT` while synchronising. */
  syncMs: number;
  syncAttempts: number;
  /** Registration/operator/signal poll. */
  pollMs: number;
  /** How often an unresponsive or uninitialised modem is retried. */
  recoverMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

/** After the device path appears, udev still sets its group and mode: wait this long before opening it. */
const PORT_SETTLE_MS = 150;

export const defaultModemTimings: ModemTimings = {
  commandMs: 5000,
  hangupMs: 5000,
  syncMs: 1000,
  syncAttempts: 5,
  pollMs: 60_000,
  recoverMs: 5000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30_000,
};

export interface ModemOptions {
  port: string;
  label: string;
  campaign: string | null;
  baudRate: number;
  profile: 'auto' | Vendor;
  openPort: PortOpener;
  log: Logger;
  ring: RingDetectorOptions;
  timings?: Partial<ModemTimings>;
}

/** Set-up every modem gets; a refusal of an optional one is logged and tolerated. */
const COMMON_INIT: InitCommand[] = [
  { command: 'AT+CMEE=2', optional: true },
  { command: 'AT+CLIP=1' },
  { command: 'AT+CRC=1', optional: true },
  { command: 'AT+CMGF=0', optional: true },
  // New SMS stored and announced (+CMTI), status reports routed to us (+CDS); fall back to
  // combinations older modems accept.
  { command: 'AT+CNMI=2,1,0,1,0', optional: true, alternatives: ['AT+CNMI=2,1,0,2,0', 'AT+CNMI=1,1,0,1,0', 'AT+CNMI=2,1'] },
  { command: 'AT+COPS=3,0', optional: true },
];

/**
 * One physical modem: opens its port, synchronises, initialises, identifies, polls health,
 * turns ring lines into calls and hangs up. Supervises itself: a modem that stops answering
 * is marked unresponsive and re-initialised when it answers again; a port that vanishes is
 * reopened with backoff. Policy (what to do with a call) belongs to the call handler.
 */
export class Modem extends EventEmitter<ModemEvents> {
  private readonly opts: ModemOptions;
  private readonly t: ModemTimings;
  private readonly log: Logger;
  private readonly detector: RingDetector;
  private infoState: ModemInfo;
  private engineRef: AtEngine | null = null;
  private stream: Duplex | null = null;
  private profile: ModemProfile | null = null;
  private needsInit = true;
  /** Bumped by every reason to initialise again, so one arriving mid-init is not lost. */
  private initRequests = 0;
  /** The number (as printed) of the last call announced, for the post-hang-up check. */
  private lastAnnounced: string | null | undefined = undefined;
  private everInitialised = false;
  private initialising = false;
  private simReady = false;
  private stopping = false;
  private running: Promise<void> | null = null;
  private healthTimer: NodeJS.Timeout | undefined;
  private ringTimer: NodeJS.Timeout | undefined;
  private wakeSupervisor: (() => void) | null = null;
  /** Lines from the modem that claimed to be a +CLIP but could not be parsed. */
  badClipLines = 0;
  private hangupsConfirmed = 0;
  private hangupsRepeated = 0;
  /** Engine counters of earlier connections (an engine lives as long as its port). */
  private pastStats: AtEngineStats | null = null;
  /** Set by `restart()` until the supervisor has reopened the port. */
  private restartRequested = false;

  constructor(options: ModemOptions) {
    super();
    this.opts = options;
    this.t = { ...defaultModemTimings, ...options.timings };
    this.log = options.log.child({ module: 'modem', modem: options.label });
    this.detector = new RingDetector(options.ring);
    this.infoState = {
      port: options.port,
      label: options.label,
      campaign: options.campaign,
      state: 'opening',
      stateSince: Date.now(),
      vendor: null,
      manufacturer: null,
      model: null,
      revision: null,
      imei: null,
      imsi: null,
      iccid: null,
      operator: null,
      registered: false,
      registration: null,
      signalDbm: null,
      lastError: null,
    };
  }

  get info(): Readonly<ModemInfo> {
    return this.infoState;
  }

  /** Bad-input and traffic counters since start, across reconnects (shown on the status page). */
  get counters(): ModemCounters {
    return { ...this.engineTotals(), badClipLines: this.badClipLines, hangupsConfirmed: this.hangupsConfirmed, hangupsRepeated: this.hangupsRepeated };
  }

  /** The AT engine's counters over every connection so far, the open one included. */
  private engineTotals(): AtEngineStats {
    const now = this.engineRef?.stats;
    const past = this.pastStats;
    const sum = {} as AtEngineStats;
    for (const key of Object.keys(now ?? past ?? {}) as (keyof AtEngineStats)[]) sum[key] = (now?.[key] ?? 0) + (past?.[key] ?? 0);
    return sum;
  }

  get label(): string {
    return this.opts.label;
  }

  /** The AT channel while the port is open (the SMS side sends through it). */
  get engine(): AtEngine | null {
    return this.engineRef;
  }

  /** True while a call rings here: the SMS outbox prefers other modems then. */
  get ringing(): boolean {
    return this.detector.busy;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.supervise();
  }

  /** Finish the command in flight (bounded), close the port, stop supervising. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.healthTimer);
    clearTimeout(this.ringTimer);
    const engine = this.engineRef;
    if (engine && !engine.isClosed && this.detector.awaitingNumber) {
      // A call is ringing and we were waiting for its number: ask now (the +CLIP wait is cut
      // short), so it is hung up and recorded before the port closes.
      const asked = this.detector.tick(Number.POSITIVE_INFINITY).some((e) => e.type === 'query-clcc');
      if (asked) await this.queryClcc();
    }
    if (engine && !engine.isClosed) {
      // Queued behind everything already waiting, so in-flight work completes first.
      await engine.send('AT', { timeoutMs: 2000 }).catch(() => undefined);
    }
    this.closePort();
    this.wakeSupervisor?.();
    await this.running;
    this.running = null;
    this.setState('stopped');
  }

  /**
   * A technician's "restart" (status page): close the port so the supervisor reopens it at
   * once and initialises the modem from scratch; a modem waiting to be reopened is retried
   * now. False when the modem is stopped.
   */
  restart(): boolean {
    if (this.stopping || !this.running) return false;
    this.log.warn('restart requested');
    this.restartRequested = true;
    this.closePort();
    this.wakeSupervisor?.();
    return true;
  }

  /**
   * Drop the ringing call now: the command goes ahead of everything queued (never
   * interrupting the one in flight). Falls back to AT+CHUP when ATH is refused.
   * `onWritten` runs synchronously the moment the command is handed to the port, with
   * `performance.now()`; it is not called when the command never left.
   * Resolves true when the modem confirmed the hang-up.
   */
  hangUp(options: { command?: 'ATH' | 'AT+CHUP'; onWritten?: (writtenAt: number) => void } = {}): Promise<boolean> {
    const command = options.command ?? this.profile?.hangupCommand ?? 'ATH';
    const engine = this.engineRef;
    if (!engine || engine.isClosed) return Promise.resolve(false);
    return engine
      .send(command, {
        priority: 'urgent',
        timeoutMs: this.t.hangupMs,
        ...(options.onWritten ? { onWrite: options.onWritten } : {}),
        onFinal: (final) => {
          if (final.kind === 'ok') this.feed(this.detector.hungUp(performance.now()));
        },
      })
      .then(() => {
        if (command === 'ATH') void this.verifyHungUp(this.lastAnnounced);
        return true;
      })
      .catch(async (err: unknown) => {
        this.log.warn({ err: describeError(err), command }, 'hang-up failed');
        if (command === 'ATH' && err instanceof AtError && err.code !== ErrorCodes.AT_CLOSED) {
          return this.hangUp({ ...options, command: 'AT+CHUP' });
        }
        return false;
      });
  }

  /**
   * Some firmwares answer OK to ATH and leave the call ringing (SIM7600 and Huawei sticks
   * whose AT+CVHU=0 was refused or lost). Ask the modem; if the same caller is still listed
   * as incoming, hang up with AT+CHUP. A different caller is a new call, left to the detector.
   * When the caller is not listed, the call is gone for sure, and the same number ringing
   * again is a redial (a new call), not the old call still ringing.
   */
  private async verifyHungUp(caller: string | null | undefined): Promise<void> {
    const engine = this.engineRef;
    if (!engine || engine.isClosed || caller === undefined || this.detector.busy) return;
    try {
      const res = await engine.send('AT+CLCC', { timeoutMs: this.t.hangupMs });
      const incoming = res.lines
        .map(parseClcc)
        .filter((c): c is NonNullable<typeof c> => c !== null && c.direction === 'incoming');
      const still = incoming.some((c) => sameCaller(c.number === '' ? null : c.number, caller));
      if (!still) {
        // An incoming call listed without a number may be ours with the number left out: then
        // the same-call guard stays, and a +CLIP of the same number is still the old call.
        if (!incoming.some((c) => c.number === '')) {
          this.hangupsConfirmed++;
          this.detector.confirmGone(caller);
        }
        return;
      }
      if (this.detector.busy) return;
      this.hangupsRepeated++;
      this.log.warn('the call is still ringing after ATH answered OK; hanging up with AT+CHUP');
      await this.hangUp({ command: 'AT+CHUP' });
    } catch (err) {
      this.log.debug({ err: describeError(err) }, 'could not check that the call was dropped');
    }
  }

  private async supervise(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      this.setState('opening');
      let stream: Duplex;
      try {
        stream = await this.opts.openPort(this.opts.port, this.opts.baudRate);
      } catch (err) {
        this.infoState.lastError = describeError(err);
        this.setState('gone');
        this.log.warn({ err: describeError(err), attempt }, 'cannot open the modem port; will retry');
        await this.pauseForPort(this.backoff(attempt++));
        continue;
      }
      if (this.stopping) {
        stream.destroy();
        break;
      }
      this.stream = stream;
      this.restartRequested = false;
      const engine = new AtEngine(stream, {
        log: this.opts.log.child({ module: 'at', modem: this.opts.label }),
        defaultTimeoutMs: this.t.commandMs,
        probeTimeoutMs: this.t.syncMs,
      });
      this.engineRef = engine;
      this.profile = null;
      this.needsInit = true;
      const closed = new Promise<void>((resolve) => engine.once('close', () => resolve()));
      engine.on('urc', (u) => this.onUrc(u));
      engine.on('unresponsive', () => this.onUnresponsive());
      engine.on('responsive', () => {
        this.log.info('modem answers again');
        this.scheduleHealth(0);
      });
      this.scheduleHealth(0);
      await Promise.race([closed, new Promise<void>((resolve) => (this.wakeSupervisor = resolve))]);
      this.wakeSupervisor = null;
      clearTimeout(this.healthTimer);
      engine.close();
      this.pastStats = this.engineTotals();
      this.engineRef = null;
      this.stream = null;
      if (this.stopping) break;
      if (this.restartRequested) {
        // Closed on purpose: reopen as soon as the old port has let go of its lock, without calling it unplugged.
        if (!stream.closed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 2000);
            stream.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        attempt = 0;
        continue;
      }
      this.infoState.lastError = 'the port closed (modem unplugged or reset)';
      // A modem that worked before it vanished is retried quickly; one that never came up backs off.
      if (this.everInitialised) attempt = 0;
      this.everInitialised = false;
      this.setState('gone');
      this.log.warn('modem port closed; will reopen');
      await this.pauseForPort(this.backoff(attempt++));
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.t.reconnectMaxMs, this.t.reconnectMinMs * 2 ** attempt);
    return base / 2 + Math.random() * (base / 2);
  }

  /**
   * The reconnect backoff, cut short when the device path changes: a modem plugged in again is
   * reopened at once (after a moment for udev to set its permissions), not up to 30 s later.
   */
  private async pauseForPort(ms: number): Promise<void> {
    let settle: NodeJS.Timeout | undefined;
    const stop = watchForPath(this.opts.port, () => {
      if (settle) return;
      settle = setTimeout(() => {
        this.log.info('the modem port appeared; opening it');
        this.wakeSupervisor?.();
      }, PORT_SETTLE_MS);
    });
    try {
      await this.pause(ms);
    } finally {
      stop();
      clearTimeout(settle);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSupervisor = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private closePort(): void {
    const s = this.stream;
    if (!s) return;
    const maybePort = s as Duplex & { isOpen?: boolean; close?: (cb?: (err: Error | null) => void) => void };
    if (typeof maybePort.close === 'function' && maybePort.isOpen) maybePort.close(() => undefined);
    else s.destroy();
    this.engineRef?.close();
  }

  private scheduleHealth(ms: number): void {
    clearTimeout(this.healthTimer);
    if (this.stopping) return;
    this.healthTimer = setTimeout(() => void this.health(), ms);
  }

  /** Initialise when needed, otherwise poll registration, operator and signal. */
  private async health(): Promise<void> {
    const engine = this.engineRef;
    if (!engine || engine.isClosed || this.stopping) return;
    try {
      if (this.needsInit) await this.initialise(engine);
      else await this.poll(engine);
      // Without a ready SIM the box looks again soon instead of once a minute.
      if (!this.needsInit) this.scheduleHealth(this.simReady ? this.t.pollMs : this.t.recoverMs);
    } catch (err) {
      if (engine.isClosed || this.stopping) return;
      this.infoState.lastError = describeError(err);
      this.log.warn({ err: describeError(err) }, 'modem check failed');
      if (this.needsInit) this.setState('unresponsive');
      this.scheduleHealth(this.t.recoverMs);
    }
  }

  private onUnresponsive(): void {
    if (this.stopping) return;
    this.infoState.lastError = 'the modem stopped answering AT commands';
    this.log.warn('modem unresponsive');
    this.requestInit();
    this.setState('unresponsive');
    this.scheduleHealth(this.t.recoverMs);
  }

  private requestInit(): void {
    this.needsInit = true;
    this.initRequests++;
  }

  private async initialise(engine: AtEngine): Promise<void> {
    if (this.initialising) return;
    this.initialising = true;
    try {
      this.setState('initialising');
      engine.escape();
      await this.synchronise(engine);
      await this.optional(engine, 'ATE0');
      const manufacturer = parseInfoText((await this.optional(engine, 'AT+CGMI'))?.lines ?? []);
      const profile = this.opts.profile === 'auto' ? detectProfile(manufacturer) : profiles[this.opts.profile];
      if (this.profile !== profile) {
        engine.addUrcRoutes(profile.urcRoutes);
        this.profile = profile;
      }
      const requestsAtStart = this.initRequests;
      for (const cmd of [...COMMON_INIT, ...profile.extraInit]) await this.runInit(engine, cmd);
      await this.identify(engine, manufacturer, profile);
      await this.poll(engine);
      // A restart (RDY) or SIM change reported while we were setting up undid part of it.
      this.needsInit = this.initRequests !== requestsAtStart;
      if (this.needsInit) this.scheduleHealth(0);
      this.everInitialised = true;
      this.log.info(
        { vendor: profile.vendor, model: this.infoState.model, imei: this.infoState.imei, state: this.infoState.state },
        'modem initialised',
      );
      this.emit('initialised');
    } finally {
      this.initialising = false;
    }
  }

  private async synchronise(engine: AtEngine): Promise<void> {
    for (let i = 0; i < this.t.syncAttempts; i++) {
      try {
        // Q0V1 first: a modem left with numeric (V0) or no (Q1) result codes by an earlier
        // program would never answer a plain AT in a form we recognise.
        // Any final result, even ERROR from a modem that dislikes the combination, means it answers.
        await engine.send('ATQ0V1', { timeoutMs: this.t.syncMs, allowError: true });
        return;
      } catch (err) {
        if (engine.isClosed) throw err;
      }
    }
    throw new AppError(ErrorCodes.MODEM_UNRESPONSIVE, `no answer to AT after ${this.t.syncAttempts} tries`, {
      context: { port: this.opts.port },
    });
  }

  private async runInit(engine: AtEngine, cmd: InitCommand): Promise<void> {
    const candidates = [cmd.command, ...(cmd.alternatives ?? [])];
    let lastErr: unknown;
    for (const c of candidates) {
      try {
        await engine.send(c);
        return;
      } catch (err) {
        if (err instanceof AtError && (err.code === ErrorCodes.AT_TIMEOUT || err.code === ErrorCodes.AT_CLOSED)) throw err;
        lastErr = err;
      }
    }
    if (cmd.optional) {
      this.log.debug({ command: cmd.command, err: describeError(lastErr) }, 'modem refused an optional set-up command');
      return;
    }
    this.log.warn({ command: cmd.command, err: describeError(lastErr) }, 'modem refused a set-up command');
  }

  /** Send; a refusal (ERROR) yields null, a timeout or closed port throws. */
  private async optional(engine: AtEngine, command: string, responsePrefix?: string | null): Promise<AtResponse | null> {
    try {
      return await engine.send(command, responsePrefix === undefined ? {} : { responsePrefix });
    } catch (err) {
      if (err instanceof AtError && (err.code === ErrorCodes.AT_TIMEOUT || err.code === ErrorCodes.AT_CLOSED)) throw err;
      return null;
    }
  }

  private async identify(engine: AtEngine, manufacturer: string | null, profile: ModemProfile): Promise<void> {
    const i = this.infoState;
    i.vendor = profile.vendor;
    i.manufacturer = manufacturer;
    i.model = parseInfoText((await this.optional(engine, 'AT+CGMM'))?.lines ?? []);
    i.revision = parseInfoText((await this.optional(engine, 'AT+CGMR'))?.lines ?? []);
    i.imei = parseImei((await this.optional(engine, 'AT+CGSN'))?.lines ?? []);
    const cpin = await engine.send('AT+CPIN?', { allowError: true });
    const pinLine = cpin.lines.find((l) => /^\+CPIN:/i.test(l)) ?? '';
    this.simReady = cpin.final.kind === 'ok' && /READY/i.test(pinLine);
    if (!this.simReady) {
      i.imsi = null;
      i.iccid = null;
      i.lastError =
        cpin.final.kind === 'cme' && cpin.final.code === 10
          ? 'no SIM card in the modem'
          : /PIN/i.test(pinLine)
            ? 'the SIM asks for a PIN'
            : `SIM not ready (${pinLine || cpin.final.kind})`;
      return;
    }
    i.imsi = parseImsi((await this.optional(engine, 'AT+CIMI'))?.lines ?? []);
    i.iccid = null;
    for (const command of profile.iccidCommands) {
      // `AT+CICCID` answers `+ICCID:`; take every line and let the parser judge.
      const res = await this.optional(engine, command, null);
      const iccid = parseIccid(res?.lines ?? []);
      if (iccid) {
        i.iccid = iccid;
        break;
      }
    }
  }

  private async poll(engine: AtEngine): Promise<void> {
    const i = this.infoState;
    if (!this.simReady && !this.initialising) {
      // Right after power-up a SIM often answers "busy" (CME 14) or NOT READY; a SIM can also
      // be inserted later. Once it is ready, identify it again (ICCID, IMSI).
      const cpin = await engine.send('AT+CPIN?', { allowError: true });
      if (cpin.final.kind === 'ok' && cpin.lines.some((l) => /^\+CPIN: ?READY/i.test(l))) {
        this.log.info('the SIM is ready now');
        this.requestInit();
        this.scheduleHealth(0);
        return;
      }
    }
    const creg = await this.optional(engine, 'AT+CREG?');
    const reg = creg?.lines.map(parseRegistration).find((r) => r !== null) ?? null;
    if (reg) {
      i.registered = reg.registered;
      i.registration = reg.state;
    }
    const cops = await this.optional(engine, 'AT+COPS?');
    const op = cops?.lines.map(parseCops).find((o) => o !== null) ?? null;
    if (op) i.operator = op.operator;
    const csq = await this.optional(engine, 'AT+CSQ');
    const sig = csq?.lines.map(parseCsq).find((s) => s !== null) ?? null;
    if (sig) i.signalDbm = sig.dbm;
    this.updateReadiness();
  }

  private updateReadiness(): void {
    if (this.needsInit && this.initialising === false) return;
    if (!this.simReady) this.setState('no-sim');
    else if (!this.infoState.registered) this.setState('not-registered');
    else this.setState('ready');
  }

  private setState(state: ModemState): void {
    const prev = this.infoState.state;
    if (prev === state) return;
    this.infoState.state = state;
    this.infoState.stateSince = Date.now();
    this.log.info({ from: prev, to: state }, 'modem state');
    this.emit('state', state, prev);
  }

  private onUrc(u: Urc): void {
    switch (u.name) {
      case 'ring':
      case 'cring':
        this.feed(this.detector.ring(u.receivedAt));
        return;
      case 'clip': {
        const clip = parseClip(u.line);
        if (!clip) {
          this.badClipLines++;
          this.log.warn({ line: redactDigits(u.line.slice(0, 80)) }, 'unparsable +CLIP line ignored');
          return;
        }
        this.feed(this.detector.clip(u.receivedAt, clip));
        return;
      }
      case 'call-end': {
        const end = parseCallEnd(u.line);
        this.feed(this.detector.callEnded(u.receivedAt, end?.number ?? null));
        return;
      }
      case 'registration': {
        const reg = parseRegistration(u.line);
        // +CGREG/+CEREG are the data side; calls and SMS follow +CREG.
        if (reg && reg.kind === 'CREG') {
          this.infoState.registered = reg.registered;
          this.infoState.registration = reg.state;
          this.updateReadiness();
        }
        return;
      }
      case 'signal': {
        const sig = parseHuaweiRssi(u.line);
        if (sig) this.infoState.signalDbm = sig.dbm;
        return;
      }
      case 'sim':
        this.simReady = false;
        this.infoState.lastError = 'the SIM card was removed or is not ready';
        this.setState('no-sim');
        this.requestInit();
        this.scheduleHealth(this.t.recoverMs);
        return;
      case 'modem-restarted':
        this.log.warn({ line: u.line }, 'modem restarted by itself; initialising again');
        this.requestInit();
        this.scheduleHealth(500);
        return;
      default:
        this.emit('urc', u);
    }
  }

  private feed(events: RingEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'incoming':
          this.lastAnnounced = ev.number;
          this.emit('call', { ...ev, modem: this });
          break;
        case 'query-clcc':
          void this.queryClcc();
          break;
        case 'still-ringing':
          this.log.warn({ cycle: ev.cycle }, 'call still ringing after hang-up; hanging up again with AT+CHUP');
          void this.hangUp({ command: 'AT+CHUP' });
          break;
        case 'ended':
          this.emit('call-ended', { cycle: ev.cycle, reason: ev.reason });
          break;
      }
    }
    this.scheduleRingTick();
  }

  private scheduleRingTick(): void {
    clearTimeout(this.ringTimer);
    const deadline = this.detector.nextDeadline();
    if (deadline === null || this.stopping) return;
    this.ringTimer = setTimeout(() => this.feed(this.detector.tick(performance.now())), Math.max(0, deadline - performance.now()));
  }

  /** RING came but no +CLIP: ask the modem who is calling. */
  private async queryClcc(): Promise<void> {
    const engine = this.engineRef;
    let entry: { number: string; type: number | null } | null = null;
    if (engine && !engine.isClosed) {
      try {
        const res = await engine.send('AT+CLCC', { priority: 'urgent', timeoutMs: this.t.hangupMs });
        const call = res.lines.map(parseClcc).find((c) => c !== null && c.direction === 'incoming');
        if (call) entry = { number: call.number, type: call.type };
      } catch (err) {
        this.log.warn({ err: describeError(err) }, 'AT+CLCC failed; recording the caller as unknown');
      }
    }
    this.feed(this.detector.clcc(performance.now(), entry));
  }
}

/**
 * The same caller as +CLIP printed it: some modems write the number in +CLCC in another form
 * (`+9198…` in one, `9198…` or `098…` in the other), so the last ten digits are compared.
 */
export function sameCaller(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const tail = (n: string): string => n.replace(/\D/g, '').slice(-10);
  return tail(a) === tail(b);
}
