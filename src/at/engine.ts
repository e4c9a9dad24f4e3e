import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { ErrorCodes } from '../errors.js';
import { redactDigits, type Logger } from '../log.js';
import { AtError, type AtErrorCode } from './errors.js';
import { AtFramer, printable, type Frame } from './framer.js';
import { describeFinal, matchFinal, type FinalResult } from './result-codes.js';
import { UrcRouter, type UrcRoute } from './urc-router.js';

/** An unsolicited result code with the lines that belong to it. */
export interface Urc {
  name: string;
  line: string;
  /** Trailing lines (the PDU of `+CMT:` / `+CDS:`); shorter than asked when the modem cut it. */
  body: string[];
  /** `performance.now()` when the bytes carrying the line arrived. */
  receivedAt: number;
}

export interface AtResponse {
  command: string;
  /** Information lines of the response, without echo, URCs or the final code. */
  lines: string[];
  final: FinalResult;
  /** `performance.now()` when the command was handed to the port. */
  writtenAt: number;
  completedAt: number;
}

export interface SendOptions {
  /** Default: the engine's `defaultTimeoutMs`. Counted from the moment the command is written. */
  timeoutMs?: number;
  /** `urgent` (hang-up) goes before every queued command, never interrupting the one in flight. */
  priority?: 'urgent' | 'normal';
  /**
   * Lines starting with this belong to the response even when they look like a URC
   * (`AT+CREG?` answers `+CREG: 0,1`). Derived from the command when not given; `null`
   * takes every line that is not a known URC (vendor commands answering under another name).
   */
  responsePrefix?: string | null;
  /** The command places or answers a call, so NO CARRIER / BUSY / NO ANSWER are final. */
  dial?: boolean;
  /** Resolve instead of reject on ERROR / +CME / +CMS (the caller inspects `final`). */
  allowError?: boolean;
  /** Called with `performance.now()` the moment the command is written to the port. */
  onWrite?: (writtenAt: number) => void;
  /**
   * Fail sooner than `timeoutMs` when the modem goes silent: the command times out after this
   * long without a line of its response. For long listings (AT+CMGL) whose total time grows
   * with the storage, so a modem that hangs mid-listing is noticed in seconds, not minutes.
   */
  idleTimeoutMs?: number;
  /**
   * For prompt commands: how long to wait for the `> ` prompt (default: the whole timeout).
   * The prompt normally comes within milliseconds; the network part after the body takes
   * seconds, so a modem that never prompts should not hold the line for the whole timeout.
   */
  promptTimeoutMs?: number;
  /**
   * Called synchronously with the final result, before any later line of the same read is
   * handled (a promise continuation would run after them): a hang-up must be known to be
   * done before the next caller's RING in the same chunk is looked at.
   */
  onFinal?: (final: FinalResult) => void;
  signal?: AbortSignal;
}

export interface AtEngineOptions {
  log: Logger;
  router?: UrcRouter;
  defaultTimeoutMs?: number;
  /** Timeout of the `AT` sent to resynchronise after a timeout. */
  probeTimeoutMs?: number;
  /** Quiet time after a resync so a late final code of the timed-out command is dropped. */
  settleMs?: number;
  /** Consecutive timeouts before `unresponsive` is emitted. */
  unresponsiveAfter?: number;
  maxLineLength?: number;
  now?: () => number;
}

export interface AtEngineStats {
  commands: number;
  timeouts: number;
  urcs: number;
  /** Known vendor noise dropped (`^RSSI`, `+QIND`, …). */
  noise: number;
  /** Lines that were neither a response nor a known URC. */
  unknownLines: number;
  overflows: number;
  strayFinals: number;
  unexpectedPrompts: number;
}

export interface AtEngineEvents {
  urc: [Urc];
  /** A line nobody claimed (already counted and logged). */
  unknown: [string];
  timeout: [string];
  unresponsive: [];
  responsive: [];
  /** Raw traffic for transcripts: direction '>' is to the modem, '<' from it. */
  trace: ['>' | '<', string];
  close: [];
}

type Phase = 'awaitingPrompt' | 'awaitingFinal';

interface Pending {
  command: string;
  body: string | null;
  phase: Phase;
  timeoutMs: number;
  promptTimeoutMs: number;
  idleTimeoutMs: number | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  responsePrefix: string | null;
  dial: boolean;
  allowError: boolean;
  onWrite: ((at: number) => void) | undefined;
  onFinal: ((final: FinalResult) => void) | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  lines: string[];
  writtenAt: number;
  timer: NodeJS.Timeout | undefined;
  origin: Error;
  internal: boolean;
  urgent: boolean;
  resolve: (r: AtResponse) => void;
  reject: (e: AtError) => void;
}

const CTRL_Z = '\x1a';
const CTRL_Z_AT_END = new RegExp(`${CTRL_Z}$`);
const OTHER_PREFIX = /^[+^$%*#][A-Z0-9_]+ ?:/i;
const ESC = '\x1b';

/** `AT+CREG?` → `+CREG:`, `AT^ICCID?` → `^ICCID:`, `ATI` → null. */
export function derivePrefix(command: string): string | null {
  const m = /^AT([+^$%*#][A-Z0-9]+)/i.exec(command);
  return m?.[1] ? `${m[1].toUpperCase()}:` : null;
}

/**
 * One modem's AT command channel: a queue with one command in flight, a timeout per command,
 * URC routing, and resynchronisation after a timeout so a late answer never completes the
 * next command. Takes any duplex byte stream (a `SerialPort`, or an in-process pair).
 */
export class AtEngine extends EventEmitter<AtEngineEvents> {
  readonly stats: AtEngineStats = {
    commands: 0,
    timeouts: 0,
    urcs: 0,
    noise: 0,
    unknownLines: 0,
    overflows: 0,
    strayFinals: 0,
    unexpectedPrompts: 0,
  };

  private readonly framer: AtFramer;
  private readonly router: UrcRouter;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly defaultTimeoutMs: number;
  private readonly probeTimeoutMs: number;
  private readonly settleMs: number;
  private readonly unresponsiveAfter: number;

  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private urcInProgress: { route: UrcRoute; urc: Urc; remaining: number } | null = null;
  private resyncNeeded = false;
  /** True while the resync probe (and its quiet time) holds the channel. */
  private resyncing = false;
  /** The command that waits for the resync probe; close() must reject it too. */
  private held: Pending | null = null;
  private settling: NodeJS.Timeout | undefined;
  private consecutiveTimeouts = 0;
  private unresponsive = false;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    options: AtEngineOptions,
  ) {
    super();
    this.log = options.log;
    this.router = options.router ?? new UrcRouter();
    this.now = options.now ?? (() => performance.now());
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 5000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1000;
    this.settleMs = options.settleMs ?? 50;
    this.unresponsiveAfter = options.unresponsiveAfter ?? 1;
    this.framer = new AtFramer(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength });
    stream.on('data', this.onData);
    stream.on('close', this.onClose);
    stream.on('end', this.onClose);
    stream.on('error', this.onStreamError);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isUnresponsive(): boolean {
    return this.unresponsive;
  }

  /** Commands waiting behind the one in flight. */
  get queueLength(): number {
    return this.queue.length;
  }

  /** The command in flight (for status and diagnostics). */
  get inFlight(): string | null {
    return this.current?.command ?? null;
  }

  /** Add vendor URC routes ahead of the standard ones. */
  addUrcRoutes(routes: readonly UrcRoute[]): void {
    this.router.prepend(routes);
  }

  send(command: string, options: SendOptions = {}): Promise<AtResponse> {
    return this.enqueue(command, null, options);
  }

  /**
   * A command that is answered with the `> ` prompt, then takes a body ended by Ctrl-Z
   * (`AT+CMGS=<len>` + PDU). One queue item: the body is written only after the prompt, and
   * on a timeout ESC is written so the modem is not left waiting for a body.
   */
  sendWithPrompt(command: string, body: string, options: SendOptions = {}): Promise<AtResponse> {
    return this.enqueue(command, body, options);
  }

  /**
   * Write ESC with nothing in flight: a modem left waiting for an SMS body (the previous
   * process died after AT+CMGS) would otherwise swallow the next commands as message text.
   */
  escape(): void {
    if (!this.current && !this.closed) this.write(ESC);
  }

  /** Reject everything queued and in flight with AT_CLOSED and detach from the stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.off('data', this.onData);
    if (this.settling) clearTimeout(this.settling);
    const all = [...(this.current ? [this.current] : []), ...(this.held ? [this.held] : []), ...this.queue.splice(0)];
    this.current = null;
    this.held = null;
    for (const p of all) this.fail(p, ErrorCodes.AT_CLOSED, 'the port closed before the modem answered');
    this.emit('close');
  }

  private enqueue(command: string, body: string | null, options: SendOptions): Promise<AtResponse> {
    return new Promise<AtResponse>((resolve, reject) => {
      const pending = this.makePending(command, body, options, false, resolve, reject);
      if (this.closed) {
        this.fail(pending, ErrorCodes.AT_CLOSED, 'the port is closed');
        return;
      }
      if (options.signal) {
        if (options.signal.aborted) {
          this.fail(pending, ErrorCodes.AT_ABORTED, 'cancelled before it was sent');
          return;
        }
        pending.onAbort = () => {
          const i = this.queue.indexOf(pending);
          if (i >= 0) {
            this.queue.splice(i, 1);
            this.fail(pending, ErrorCodes.AT_ABORTED, 'cancelled before it was sent');
          }
        };
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.insert(pending, false);
      this.pump();
    });
  }

  /**
   * Queue by priority: urgent items after earlier urgent items (hang-ups keep their order),
   * before everything else. `first` puts an item back at the head of its class (a command
   * that was held for a resync goes before others of its kind, never before a hang-up).
   */
  private insert(p: Pending, first: boolean): void {
    let i = 0;
    if (p.urgent) {
      if (!first) while (i < this.queue.length && this.queue[i]?.urgent) i++;
    } else {
      while (i < this.queue.length && this.queue[i]?.urgent) i++;
      if (!first) i = this.queue.length;
    }
    this.queue.splice(i, 0, p);
  }

  private makePending(
    command: string,
    body: string | null,
    options: SendOptions,
    internal: boolean,
    resolve: (r: AtResponse) => void,
    reject: (e: AtError) => void,
  ): Pending {
    return {
      command,
      body,
      phase: body === null ? 'awaitingFinal' : 'awaitingPrompt',
      timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs,
      promptTimeoutMs: Math.min(options.promptTimeoutMs ?? Infinity, options.timeoutMs ?? this.defaultTimeoutMs),
      idleTimeoutMs: options.idleTimeoutMs,
      idleTimer: undefined,
      responsePrefix: options.responsePrefix === undefined ? derivePrefix(command) : options.responsePrefix,
      dial: options.dial ?? false,
      allowError: options.allowError ?? false,
      onWrite: options.onWrite,
      onFinal: options.onFinal,
      signal: options.signal,
      onAbort: undefined,
      lines: [],
      writtenAt: 0,
      timer: undefined,
      origin: new Error('queued here'),
      internal,
      urgent: options.priority === 'urgent',
      resolve,
      reject,
    };
  }

  private pump(): void {
    if (this.current || this.closed || this.resyncing) return;
    const next = this.queue.shift();
    if (!next) return;
    if (this.resyncNeeded) {
      this.resync(next);
      return;
    }
    this.start(next);
  }

  /**
   * After a timeout the modem may still print the answer to the old command. Send `AT`, wait
   * for its OK and a short quiet time, then go on; a final code arriving with nothing in
   * flight is dropped as stray. If the probe fails, `next` fails without being written, so
   * every waiting command is bounded in time even on a dead modem.
   */
  private resync(next: Pending): void {
    this.resyncing = true;
    this.held = next;
    const probe = new Promise<AtResponse>((resolve, reject) => {
      this.start(this.makePending('AT', null, { timeoutMs: this.probeTimeoutMs }, true, resolve, reject));
    });
    probe.then(
      () => {
        this.resyncNeeded = false;
        this.settling = setTimeout(() => {
          this.settling = undefined;
          this.resyncing = false;
          const held = this.held;
          this.held = null;
          if (held) this.insert(held, true);
          this.pump();
        }, this.settleMs);
      },
      (err: unknown) => {
        this.resyncing = false;
        const held = this.held;
        this.held = null;
        // close() has already rejected it when the port went away.
        if (!held || this.closed) return;
        this.fail(held, ErrorCodes.AT_TIMEOUT, 'not sent: the modem did not answer AT after an earlier timeout', [], err);
        this.pump();
      },
    );
  }

  private start(p: Pending): void {
    this.current = p;
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
    this.stats.commands++;
    p.writtenAt = this.now();
    p.timer = setTimeout(() => this.onTimeout(p), p.body !== null ? p.promptTimeoutMs : p.timeoutMs);
    this.touch(p);
    this.write(`${p.command}\r`);
    p.onWrite?.(p.writtenAt);
  }

  private write(data: string): void {
    this.emit('trace', '>', data);
    this.stream.write(data, 'latin1');
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const receivedAt = this.now();
    const raw = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    this.emit('trace', '<', raw);
    for (const frame of this.framer.push(raw)) this.onFrame(frame, receivedAt);
  };

  private onFrame(frame: Frame, receivedAt: number): void {
    switch (frame.kind) {
      case 'line':
        this.onLine(frame.text, receivedAt);
        return;
      case 'prompt':
        this.onPrompt();
        return;
      case 'overflow':
        this.stats.overflows++;
        this.log.warn({ length: frame.length, head: frame.head }, 'dropped an over-long line from the modem');
        return;
    }
  }

  private onPrompt(): void {
    const p = this.current;
    if (p && p.phase === 'awaitingPrompt' && p.body !== null) {
      p.phase = 'awaitingFinal';
      if (p.promptTimeoutMs < p.timeoutMs) {
        // The rest of the command's time is for the network to take the message.
        clearTimeout(p.timer);
        const left = Math.max(0, p.timeoutMs - (this.now() - p.writtenAt));
        p.timer = setTimeout(() => this.onTimeout(p), left);
      }
      this.write(`${p.body}${CTRL_Z}`);
      return;
    }
    this.stats.unexpectedPrompts++;
    this.log.warn({ inFlight: p?.command ?? null }, 'unexpected SMS prompt; sending ESC to leave it');
    this.write(ESC);
  }

  private onLine(line: string, receivedAt: number): void {
    if (this.urcInProgress) {
      const u = this.urcInProgress;
      if (!u.route.trailingAccept || u.route.trailingAccept.test(line)) {
        u.urc.body.push(line);
        if (--u.remaining <= 0) this.finishUrc();
        return;
      }
      this.log.warn({ urc: redactDigits(u.urc.line), got: redactDigits(printable(line.slice(0, 60))) }, 'URC cut short: expected a PDU line');
      this.finishUrc();
    }

    const p = this.current;
    if (p) {
      const final = matchFinal(line, p.dial);
      if (final) {
        this.complete(p, final);
        return;
      }
      if (p.responsePrefix && startsWithCi(line, p.responsePrefix)) {
        p.lines.push(line);
        this.touch(p);
        return;
      }
      if (isEcho(line, p)) return;
    }

    const route = this.router.match(line);
    if (route) {
      if (route.ignore) {
        this.stats.noise++;
        return;
      }
      this.stats.urcs++;
      const urc: Urc = { name: route.name, line, body: [], receivedAt };
      if (route.trailing && route.trailing > 0) {
        this.urcInProgress = { route, urc, remaining: route.trailing };
        return;
      }
      this.emit('urc', urc);
      return;
    }

    // A `+XXX:` / `^XXX:` line with another command's prefix is an unknown URC even while a
    // command is in flight; bare lines (IMEI digits, a PDU after +CMGR) belong to the response.
    if (p && !(p.responsePrefix && OTHER_PREFIX.test(line))) {
      p.lines.push(line);
      this.touch(p);
      return;
    }

    if (matchFinal(line, true)) {
      this.stats.strayFinals++;
      this.log.debug({ line }, 'stray final result with no command in flight (late answer after a timeout)');
      return;
    }
    this.stats.unknownLines++;
    this.log.warn({ line: redactDigits(printable(line.slice(0, 120))) }, 'unknown line from the modem; ignored');
    this.emit('unknown', line);
  }

  private finishUrc(): void {
    const u = this.urcInProgress;
    this.urcInProgress = null;
    if (u) this.emit('urc', u.urc);
  }

  /** Restart the idle timer of a command that has one (its response is still coming). */
  private touch(p: Pending): void {
    if (p.idleTimeoutMs === undefined) return;
    clearTimeout(p.idleTimer);
    p.idleTimer = setTimeout(() => this.onTimeout(p), p.idleTimeoutMs);
  }

  private complete(p: Pending, final: FinalResult): void {
    if (p.timer) clearTimeout(p.timer);
    clearTimeout(p.idleTimer);
    this.current = null;
    this.consecutiveTimeouts = 0;
    if (this.unresponsive) {
      this.unresponsive = false;
      this.emit('responsive');
    }
    const response: AtResponse = { command: p.command, lines: p.lines, final, writtenAt: p.writtenAt, completedAt: this.now() };
    p.onFinal?.(final);
    if (p.phase === 'awaitingPrompt' && p.body !== null && final.kind !== 'cms' && final.kind !== 'cme') {
      // Even OK: the body was never written, so nothing was sent (a modem that answers
      // AT+CMGS=<n> with OK must not count as a sent message).
      this.fail(p, ErrorCodes.AT_NO_PROMPT, `answered ${describeFinal(final)} instead of the prompt`, p.lines, undefined, final);
    } else if (final.kind === 'ok' || p.allowError) {
      p.resolve(response);
    } else {
      const code = final.kind === 'cme' ? ErrorCodes.AT_CME : final.kind === 'cms' ? ErrorCodes.AT_CMS : ErrorCodes.AT_ERROR;
      this.fail(p, code, `${p.command} failed: ${describeFinal(final)}`, p.lines, undefined, final);
    }
    this.pump();
  }

  private onTimeout(p: Pending): void {
    if (this.current !== p) return;
    clearTimeout(p.timer);
    clearTimeout(p.idleTimer);
    this.current = null;
    this.stats.timeouts++;
    this.consecutiveTimeouts++;
    this.resyncNeeded = true;
    if (p.body !== null) {
      // Whether or not the prompt came, ESC makes the modem drop a half-entered message.
      this.write(ESC);
    }
    const msg =
      p.phase === 'awaitingPrompt' && p.body !== null
        ? `no SMS prompt within ${p.promptTimeoutMs} ms`
        : `no answer within ${p.timeoutMs} ms`;
    this.fail(p, p.phase === 'awaitingPrompt' && p.body !== null ? ErrorCodes.AT_NO_PROMPT : ErrorCodes.AT_TIMEOUT, msg, p.lines);
    this.emit('timeout', p.command);
    if (!this.unresponsive && this.consecutiveTimeouts >= this.unresponsiveAfter) {
      this.unresponsive = true;
      this.emit('unresponsive');
    }
    this.pump();
  }

  private fail(
    p: Pending,
    code: AtErrorCode,
    message: string,
    lines: string[] = [],
    cause?: unknown,
    final?: FinalResult,
  ): void {
    if (p.timer) clearTimeout(p.timer);
    clearTimeout(p.idleTimer);
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
    const err = makeAtError(code, `${p.command}: ${message}`, p, lines, final);
    if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause });
    p.reject(err);
  }

  private readonly onClose = (): void => {
    this.close();
  };

  private readonly onStreamError = (err: Error): void => {
    this.log.warn({ err: err.message }, 'serial stream error');
    this.close();
  };
}

function makeAtError(
  code: AtErrorCode,
  message: string,
  p: Pending,
  lines: string[],
  final: FinalResult | undefined,
): AtError {
  return new AtError(code, message, { command: p.command, lines, ...(final ? { final } : {}), origin: p.origin });
}

function startsWithCi(line: string, prefix: string): boolean {
  return line.length >= prefix.length && line.slice(0, prefix.length).toUpperCase() === prefix.toUpperCase();
}

/** Echo of the command (modems that ignore ATE0, or before it) or of the prompt body. */
function isEcho(line: string, p: Pending): boolean {
  if (line.toUpperCase() === p.command.toUpperCase()) return true;
  if (p.body !== null && p.phase === 'awaitingFinal') {
    const stripped = line.replace(/^> ?/, '').replace(CTRL_Z_AT_END, '');
    if (stripped === p.body) return true;
  }
  return false;
}
