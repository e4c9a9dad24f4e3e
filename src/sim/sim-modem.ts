import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { decodePdu, encodeStatusReport } from '../sms/pdu/index.js';
import { simProfiles, type SimProfile, type SimVendor } from './profiles.js';
import { SimSmsStorage, tpduLength, type SimSmsStorageOptions } from './sms-storage.js';

/** What the simulated modem answers to one command. `null`: it says nothing (a hung modem). */
export type SimReply =
  | { lines?: string[]; final: string; after?: string[] }
  | { prompt: true; onBody: (body: string) => SimReply | null }
  | null;

/** A named behaviour a test can override (zwave-js style); return `undefined` to fall through. */
export type SimHandler = (command: string, match: RegExpExecArray, modem: SimModem) => SimReply | undefined;

export interface SimModemOptions {
  vendor?: SimVendor;
  imei?: string;
  imsi?: string;
  iccid?: string;
  operator?: string;
  /** 0..31, 99 = unknown. */
  csq?: number;
  registered?: boolean;
  simPresent?: boolean;
  /** Delay before each answer, as a slow modem has. */
  replyDelayMs?: number;
  /** How long the network takes to accept an SMS after the body (the bench uses 3 s). */
  smsSendMs?: number;
  /** Print vendor noise (`^RSSI`, `+QIND`) at this interval; 0 = never. */
  noiseIntervalMs?: number;
  /** The SIM's message storage (capacity, index base, quirks); see `sms-storage.ts`. */
  smsStorage?: SimSmsStorageOptions;
  /**
   * Keep delivery reports in the `SR` storage and announce them with `+CDSI: "SR",<i>`, as
   * modems do that refuse `+CNMI`'s ds=1 (reports printed as `+CDS`) and accept only ds=2.
   */
  reportsStored?: boolean;
}

export interface RingOptions {
  /** `number`: `+CLIP: "981…"`; `type`: with the type; `full`: with subaddress, alpha and validity. */
  clipForm?: 'number' | 'type' | 'full';
  /** Type of number: 145 international, 129 unknown/national, 161 national. */
  type?: number;
  /** For a withheld caller: 1 withheld by the caller, 2 not available. */
  validity?: 1 | 2;
  /** Ring cycles before the caller gives up. */
  rings?: number;
  /** Time between rings (about 5 s on a real network). */
  intervalMs?: number;
  clipBeforeRing?: boolean;
  /** +CLIP without RING (some modems). */
  noRing?: boolean;
  /** RING without +CLIP (caller id not delivered; the box must ask AT+CLCC). */
  noClip?: boolean;
}

export interface CallOutcome {
  /** `unplugged`: the modem vanished while the call rang. */
  outcome: 'hung-up' | 'gave-up' | 'busy' | 'unplugged';
  number: string | null;
  /** Ring cycles the caller heard. */
  rings: number;
  /** `performance.now()` when the first +CLIP (or RING when there is none) was written. */
  announcedAt: number | null;
  /** `performance.now()` when the hang-up command reached the modem. */
  hungUpAt: number | null;
}

export interface SentSms {
  length: number;
  pdu: string;
  messageReference: number;
}

export interface SimModemEvents {
  command: [string];
  /** A final result code was written for a command (after `replyDelayMs`). */
  replied: [command: string, final: string];
  call: [CallOutcome];
  sms: [SentSms];
  close: [];
}

interface ActiveCall {
  number: string | null;
  type: number;
  validity: 0 | 1 | 2;
  opts: RingOptions;
  rings: number;
  announcedAt: number | null;
  timer: NodeJS.Timeout | undefined;
  resolve: (o: CallOutcome) => void;
}

const DEFAULTS = {
  imei: '867162025555555',
  imsi: '404450123456789',
  iccid: '8991000900123456789',
  operator: 'Jio 4G',
};

/**
 * A modem that speaks AT like the real ones (a profile per vendor) on any duplex byte stream:
 * a pty opened with `serialport` in integration tests, or an in-process pair in the demo.
 * It can be told to ring, ring withheld, print garbage, stop answering, and vanish.
 */
export class SimModem extends EventEmitter<SimModemEvents> {
  readonly profile: SimProfile;
  readonly commands: string[] = [];
  readonly sent: SentSms[] = [];
  imei: string;
  imsi: string;
  iccid: string;
  operator: string;
  csq: number;
  registered: boolean;
  simPresent: boolean;
  replyDelayMs: number;
  smsSendMs: number;

  private echo = true;
  private clip = false;
  private crc = false;
  private cvhu = 1;
  private charset = 'IRA';
  private responsive = true;
  private input = '';
  private promptBody: ((body: string) => SimReply | null) | null = null;
  private call: ActiveCall | null = null;
  private mr = 0;
  private lastCommand = '';
  private closed = false;
  private noiseTimer: NodeJS.Timeout | undefined;
  private readonly handlers: { pattern: RegExp; handler: SimHandler }[] = [];
  /** Received messages waiting on the SIM (`AT+CMGR`/`CMGL`/`CMGD`/`CPMS`). */
  readonly storage: SimSmsStorage;
  /** Delivery reports kept by the modem (`reportsStored`), read after `AT+CPMS="SR"`. */
  readonly reportStorage: SimSmsStorage;
  private readonly reportsStored: boolean;
  /** Where `AT+CMGR`/`CMGL`/`CMGD` look (mem1). */
  private mem1: 'messages' | 'reports' = 'messages';

  constructor(
    private readonly stream: Duplex,
    options: SimModemOptions = {},
  ) {
    super();
    this.profile = simProfiles[options.vendor ?? 'generic'];
    this.imei = options.imei ?? DEFAULTS.imei;
    this.imsi = options.imsi ?? DEFAULTS.imsi;
    this.iccid = options.iccid ?? DEFAULTS.iccid;
    this.operator = options.operator ?? DEFAULTS.operator;
    this.csq = options.csq ?? 21;
    this.registered = options.registered ?? true;
    this.simPresent = options.simPresent ?? true;
    this.replyDelayMs = options.replyDelayMs ?? 0;
    this.smsSendMs = options.smsSendMs ?? 0;
    this.storage = new SimSmsStorage(options.smsStorage ?? {}, (line) => this.urc(line));
    this.reportsStored = options.reportsStored ?? false;
    this.reportStorage = new SimSmsStorage({ name: 'SR', capacity: 20 }, (line) => this.urc(line.replace('+CMTI', '+CDSI')));
    stream.on('data', (chunk: Buffer | string) => this.onInput(typeof chunk === 'string' ? chunk : chunk.toString('latin1')));
    stream.on('close', () => this.onClosed());
    stream.on('error', () => this.onClosed());
    if (options.noiseIntervalMs) {
      this.noiseTimer = setInterval(() => this.urc(this.profile.noise()), options.noiseIntervalMs);
      this.noiseTimer.unref();
    }
  }

  /** Override how a command is answered; later overrides win. */
  onCommand(pattern: RegExp, handler: SimHandler): () => void {
    const entry = { pattern, handler };
    this.handlers.unshift(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** True while a call is ringing on this modem. */
  get ringing(): boolean {
    return this.call !== null;
  }

  /**
   * A caller dials this SIM. Resolves when the call ends: hung up by the box, given up by the
   * caller after `rings` cycles, or busy at once because another call is ringing.
   */
  ring(number: string | null, opts: RingOptions = {}): Promise<CallOutcome> {
    if (this.call || this.closed) {
      return Promise.resolve({ outcome: 'busy', number, rings: 0, announcedAt: null, hungUpAt: null });
    }
    return new Promise<CallOutcome>((resolve) => {
      const type = opts.type ?? (number === null ? 128 : number.startsWith('+') ? 145 : 129);
      this.call = {
        number,
        type,
        validity: number === null ? (opts.validity ?? 1) : 0,
        opts,
        rings: 0,
        announcedAt: null,
        timer: undefined,
        resolve,
      };
      this.ringCycle();
    });
  }

  /** Stop answering (a hung modem): input is swallowed, nothing is printed. */
  hang(): void {
    this.responsive = false;
  }

  resume(): void {
    this.responsive = true;
    this.input = '';
  }

  /** Print raw bytes (garbage, half lines). */
  emitRaw(bytes: string | Buffer): void {
    if (this.closed) return;
    this.stream.write(bytes);
  }

  /**
   * The network's delivery report for a message this modem sent: a PDU-mode `+CDS` URC
   * (27.005 §3.4.1) with TP-ST `status` (0 delivered, 0x20.. pending, 0x40.. failed).
   */
  statusReport(sms: SentSms, status = 0, options: { reference?: number; recipient?: string } = {}): void {
    const submit = decodePdu(sms.pdu);
    const recipient = options.recipient ?? (submit.type === 'submit' ? submit.to : '');
    const now = new Date();
    const pdu = encodeStatusReport({
      messageReference: options.reference ?? sms.messageReference,
      recipient,
      submittedAt: now,
      dischargedAt: now,
      status,
    });
    if (this.reportsStored) {
      this.reportStorage.deliver(pdu);
      return;
    }
    const sp = this.profile.spaceAfterColon ? ' ' : '';
    this.emitRaw(`${this.profile.lineEnd}+CDS:${sp}${tpduLength(pdu)}${this.profile.lineEnd}${pdu}${this.profile.lineEnd}`);
  }

  /**
   * The network delivers an SMS (hex PDU with SMSC prefix): stored and announced with `+CMTI`
   * (held silently while the storage is full), or with `direct` printed as `+CMT: ,<len>` and
   * the PDU, never stored. Returns the storage index, or null when direct or refused.
   */
  deliverSms(pdu: string, options: { direct?: boolean } = {}): number | null {
    if (!options.direct) return this.storage.deliver(pdu);
    const sp = this.profile.spaceAfterColon ? ' ' : '';
    const le = this.profile.lineEnd;
    this.emitRaw(`${le}+CMT:${sp},${tpduLength(pdu)}${le}${pdu}${le}`);
    return null;
  }

  /** Print one unsolicited line, framed as the vendor frames them. */
  urc(line: string): void {
    this.emitRaw(`${this.profile.lineEnd}${line}${this.profile.lineEnd}`);
  }

  /** Vanish like an unplugged USB stick: the stream is destroyed. */
  unplug(): void {
    this.stream.destroy();
    this.onClosed();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.noiseTimer) clearInterval(this.noiseTimer);
    const c = this.call;
    if (c) {
      if (c.timer) clearTimeout(c.timer);
      this.call = null;
      c.resolve({ outcome: 'unplugged', number: c.number, rings: c.rings, announcedAt: c.announcedAt, hungUpAt: null });
    }
    this.emit('close');
  }

  private clipLine(c: ActiveCall): string {
    const sp = this.profile.spaceAfterColon ? ' ' : '';
    const num = c.number ?? '';
    const form = c.number === null ? 'full' : (c.opts.clipForm ?? 'full');
    switch (form) {
      case 'number':
        return `+CLIP:${sp}"${num}"`;
      case 'type':
        return `+CLIP:${sp}"${num}",${c.type}`;
      case 'full':
        return `+CLIP:${sp}"${num}",${c.type},"",0,"",${c.validity}`;
    }
  }

  private ringCycle(): void {
    const c = this.call;
    if (!c) return;
    const opts = c.opts;
    const maxRings = opts.rings ?? 5;
    if (c.rings >= maxRings) {
      this.call = null;
      for (const line of this.profile.callerGaveUp(c.number ?? '')) this.urc(line);
      c.resolve({ outcome: 'gave-up', number: c.number, rings: c.rings, announcedAt: c.announcedAt, hungUpAt: null });
      this.emit('call', { outcome: 'gave-up', number: c.number, rings: c.rings, announcedAt: c.announcedAt, hungUpAt: null });
      return;
    }
    c.rings++;
    const sp = this.profile.spaceAfterColon ? ' ' : '';
    const ringLine = this.crc ? `+CRING:${sp}VOICE` : 'RING';
    const withClip = this.clip && !opts.noClip;
    const lines: string[] = [];
    if (withClip && opts.clipBeforeRing) lines.push(this.clipLine(c));
    if (!opts.noRing || !withClip) lines.push(ringLine);
    if (withClip && !opts.clipBeforeRing) lines.push(this.clipLine(c));
    if (this.responsive) {
      // One write per ring cycle, as the modem's UART would deliver it.
      this.emitRaw(lines.map((l) => `${this.profile.lineEnd}${l}${this.profile.lineEnd}`).join(''));
      if (c.announcedAt === null) c.announcedAt = performance.now();
    }
    c.timer = setTimeout(() => this.ringCycle(), opts.intervalMs ?? 5000);
  }

  private onInput(text: string): void {
    if (!this.responsive || this.closed) return;
    for (const ch of text) {
      if (this.promptBody) {
        if (ch === '\x1a') {
          const onBody = this.promptBody;
          const body = this.input;
          this.promptBody = null;
          this.input = '';
          this.deliver(onBody(body));
        } else if (ch === '\x1b') {
          // ESC abandons the message; the modem goes back to command mode silently.
          this.promptBody = null;
          this.input = '';
        } else {
          this.input += ch;
        }
        continue;
      }
      if (ch === '\r') {
        const line = this.input.trim();
        this.input = '';
        if (this.echo) this.emitRaw(`${line}\r`);
        if (line.length > 0) this.execute(line);
      } else if (ch === '\x1b') {
        // ESC outside a prompt is ignored, as real modems do (the box sends it to leave a stuck prompt).
      } else if (ch !== '\n') {
        this.input += ch;
        if (this.input.length > 4096) this.input = '';
      }
    }
  }

  private execute(line: string): void {
    this.commands.push(line);
    this.emit('command', line);
    this.lastCommand = line;
    // `AT+COPS=3,0;+COPS?` runs as two commands; the first failure ends the line.
    const parts = splitCommandLine(line);
    if (!parts) {
      this.deliver({ final: this.profile.unknownCommandReply });
      return;
    }
    const lines: string[] = [];
    const after: string[] = [];
    for (const part of parts) {
      const reply = this.answer(part);
      if (reply === null) return;
      if ('prompt' in reply) {
        this.deliver(reply);
        return;
      }
      lines.push(...(reply.lines ?? []));
      after.push(...(reply.after ?? []));
      if (reply.final !== 'OK') {
        this.deliver({ lines, final: reply.final, after });
        return;
      }
    }
    this.deliver({ lines, final: 'OK', after });
  }

  private deliver(reply: SimReply): void {
    if (reply === null) return;
    const le = this.profile.lineEnd;
    const command = this.lastCommand;
    const send = (): void => {
      if (this.closed || !this.responsive) return;
      if ('prompt' in reply) {
        this.promptBody = reply.onBody;
        this.emitRaw('\r\n> ');
        return;
      }
      let out = '';
      for (const l of reply.lines ?? []) out += `${le}${l}${le}`;
      out += `${le}${reply.final}${le}`;
      for (const l of reply.after ?? []) out += `${le}${l}${le}`;
      this.emitRaw(out);
      this.emit('replied', command, reply.final);
    };
    if (this.replyDelayMs > 0) setTimeout(send, this.replyDelayMs);
    else send();
  }

  private answer(cmd: string): SimReply {
    for (const { pattern, handler } of this.handlers) {
      pattern.lastIndex = 0;
      const m = pattern.exec(cmd);
      if (m) {
        const r = handler(cmd, m, this);
        if (r !== undefined) return r;
      }
    }
    return this.standardAnswer(cmd);
  }

  private ok(lines: string[] = []): SimReply {
    return { lines, final: 'OK' };
  }

  private needSim(lines: () => string[]): SimReply {
    return this.simPresent ? this.ok(lines()) : { final: '+CME ERROR: 10' };
  }

  private standardAnswer(cmd: string): SimReply {
    const c = cmd.toUpperCase();
    const sp = this.profile.spaceAfterColon ? ' ' : '';
    let m: RegExpExecArray | null;
    if (c === 'AT' || c === 'ATV1' || c === 'ATQ0' || c === 'AT&F' || c === 'ATZ' || c === 'AT+CMEE=1' || c === 'AT+CMEE=2') {
      if (c === 'ATZ' || c === 'AT&F') this.resetSettings();
      return this.ok();
    }
    if ((m = /^AT((?:[EQV][01]?)+)$/.exec(c))) {
      // Basic V.250 settings, alone or combined (ATE0, ATQ0V1, ATE0V1Q0).
      for (const [, letter, value] of (m[1] ?? '').matchAll(/([EQV])([01]?)/g)) {
        if (letter === 'E') this.echo = value === '1';
      }
      return this.ok();
    }
    if ((m = /^AT\+CLIP=([01])$/.exec(c))) {
      this.clip = m[1] === '1';
      return this.ok();
    }
    if (c === 'AT+CLIP?') return this.ok([`+CLIP:${sp}${this.clip ? 1 : 0},1`]);
    if ((m = /^AT\+CRC=([01])$/.exec(c))) {
      this.crc = m[1] === '1';
      return this.ok();
    }
    if ((m = /^AT\+CVHU=([01])$/.exec(c))) {
      if (!this.profile.supportsCvhu) return { final: this.profile.unknownCommandReply };
      this.cvhu = Number(m[1]);
      return this.ok();
    }
    // ds=1 (reports printed as +CDS) refused by a modem that only stores reports.
    if (this.reportsStored && /^AT\+CNMI=\d,\d,\d,1/.test(c)) return { final: 'ERROR' };
    // The TE character set: gammu asks for the list and the current one, then picks one.
    if (c === 'AT+CSCS=?') return this.ok([`+CSCS:${sp}("IRA","GSM","UCS2")`]);
    if (c === 'AT+CSCS?') return this.ok([`+CSCS:${sp}"${this.charset}"`]);
    if ((m = /^AT\+CSCS="([A-Z0-9]+)"$/.exec(c))) {
      if (!['IRA', 'GSM', 'UCS2'].includes(m[1] ?? '')) return { final: '+CME ERROR: 4' };
      this.charset = m[1] ?? 'IRA';
      return this.ok();
    }
    if (/^AT\+CMGF=[01]$/.test(c) || /^AT\+CNMI=/.test(c) || /^AT\+CREG=[0-2]$/.test(c) || /^AT\+COPS=3,[02]$/.test(c)) {
      return this.ok();
    }
    if (c === 'AT+CGMI') return this.ok([this.profile.manufacturer]);
    if (c === 'AT+CGMM') return this.ok([this.profile.model]);
    if (c === 'AT+CGMR') return this.ok([this.profile.vendor === 'simcom' ? `+CGMR: ${this.profile.revision}` : this.profile.revision]);
    if (c === 'AT+CGSN' || c === 'AT+GSN') return this.ok([this.imei]);
    if (c === 'AT+CIMI') return this.needSim(() => [this.imsi]);
    if (c === 'AT+CPIN?') return this.needSim(() => [`+CPIN:${sp}READY`]);
    if (this.profile.iccidCommand.test(cmd)) return this.needSim(() => [this.profile.formatIccid(this.iccid)]);
    if (c === 'AT+CREG?') return this.ok([`+CREG:${sp}0,${this.registered ? 1 : 0}`]);
    if (c === 'AT+COPS?') return this.ok([this.registered ? `+COPS:${sp}0,0,"${this.operator}",7` : `+COPS:${sp}0`]);
    if (c === 'AT+CSQ') return this.ok([`+CSQ:${sp}${this.csq},99`]);
    if (c === 'AT+CLCC') {
      const call = this.call;
      if (!call) return this.ok();
      return this.ok([`+CLCC:${sp}1,1,4,0,0,"${call.number ?? ''}",${call.type}`]);
    }
    if (c === 'ATH' || c === 'ATH0' || c === 'AT+CHUP') return this.hangUp(c === 'AT+CHUP');
    if (c === 'AT+CHUP=?') return this.ok();
    // Full functionality, which the simulated modem always has: gammu switches it on at start-up.
    if (c === 'AT+CFUN=1') return this.ok();
    if ((m = /^AT\+CMGS=(\d+)$/.exec(c))) {
      const length = Number(m[1]);
      return {
        prompt: true,
        onBody: (body) => this.acceptSms(length, body),
      };
    }
    const stored = this.answerStorage(cmd, sp);
    if (stored) return stored;
    return { final: this.profile.unknownCommandReply };
  }

  /** Storage commands, with `AT+CPMS="SR"` switching mem1 to the delivery reports and back. */
  private answerStorage(cmd: string, sp: string): SimReply | undefined {
    const c = cmd.toUpperCase();
    const select = /^AT\+CPMS="([A-Z]{2})"/.exec(c);
    if (select && this.reportsStored) {
      const wanted = select[1] === 'SR' ? 'reports' : 'messages';
      const reply = (wanted === 'reports' ? this.reportStorage : this.storage).answer(`AT+CPMS="${wanted === 'reports' ? 'SR' : this.storage.name}"`, sp);
      if (reply?.final === 'OK') this.mem1 = wanted;
      return reply;
    }
    if (c === 'AT+CPMS?' && this.mem1 === 'reports') {
      const r = this.reportStorage;
      const m = this.storage;
      return { lines: [`+CPMS:${sp}"SR",${r.used},${r.capacity},"${m.name}",${m.used},${m.capacity},"${m.name}",${m.used},${m.capacity}`], final: 'OK' };
    }
    return (this.mem1 === 'reports' ? this.reportStorage : this.storage).answer(cmd, sp);
  }

  private acceptSms(length: number, body: string): SimReply {
    const pdu = body.trim();
    // The PDU is the SMSC octets plus `length` TPDU octets.
    const smscOctets = Number.parseInt(pdu.slice(0, 2), 16);
    if (!/^[0-9A-F]+$/i.test(pdu) || Number.isNaN(smscOctets) || pdu.length !== (1 + smscOctets + length) * 2) {
      return { final: '+CMS ERROR: 304' };
    }
    const messageReference = this.mr;
    this.mr = (this.mr + 1) % 256;
    const sms: SentSms = { length, pdu: pdu.toUpperCase(), messageReference };
    this.sent.push(sms);
    const reply: SimReply = { lines: [`+CMGS:${this.profile.spaceAfterColon ? ' ' : ''}${messageReference}`], final: 'OK' };
    if (this.smsSendMs > 0) {
      setTimeout(() => {
        this.emit('sms', sms);
        this.deliver(reply);
      }, this.smsSendMs);
      return null;
    }
    this.emit('sms', sms);
    return reply;
  }

  private hangUp(chup: boolean): SimReply {
    const c = this.call;
    if (!c) return this.ok();
    const hungUpAt = performance.now();
    if (!chup && this.profile.athNeedsCvhu && this.cvhu !== 0) {
      // Huawei E173: OK, but the call keeps ringing.
      return this.ok();
    }
    if (c.timer) clearTimeout(c.timer);
    this.call = null;
    const outcome: CallOutcome = { outcome: 'hung-up', number: c.number, rings: c.rings, announcedAt: c.announcedAt, hungUpAt };
    c.resolve(outcome);
    this.emit('call', outcome);
    return { final: 'OK', after: this.profile.afterHangup() };
  }

  private resetSettings(): void {
    this.echo = true;
    this.clip = false;
    this.crc = false;
    this.cvhu = 1;
    this.charset = 'IRA';
  }
}

/** `AT+A;+B` → [`AT+A`, `AT+B`]; null when the line does not start with AT. */
function splitCommandLine(line: string): string[] | null {
  if (!/^AT/i.test(line)) return null;
  if (!line.includes(';')) return [line];
  const body = line.slice(2);
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of body) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      if (cur) parts.push(`AT${cur}`);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) parts.push(`AT${cur}`);
  return parts;
}
