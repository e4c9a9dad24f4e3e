import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Urc } from '../at/engine.js';
import { AtError } from '../at/errors.js';
import { classifyCmsError, cmsErrorText, parseCmgs } from '../at/parsers/index.js';
import type { ModemRole } from '../config/schema.js';
import { describeError, ErrorCodes } from '../errors.js';
import type { Logger } from '../log.js';
import type { Modem } from '../modem/modem.js';
import { maskNumber } from '../phone/normalize.js';
import type { SmsRow, SmsStatus } from '../store/outbox.js';
import type { SmsOutbox } from './outbox.js';
import { decodePdu, encodeSubmit, isPduError, type SubmitPart } from './pdu/index.js';
import { describeInstant, localDay, nextLocalMidnight, sendingGate } from './schedule.js';
import type { SmsSettings } from './settings.js';
import type { OptOutRegistry } from './types.js';

/** Timeouts and retry limits; defaults suit real modems, tests shorten them. */
export interface SmsWorkerTimings {
  /**
   * The whole `AT+CMGS` exchange (prompt, PDU, network). Modem manuals give 60 s or more; a
   * shorter timeout would give up on messages the network is still accepting and send them
   * twice.
   */
  cmgsTimeoutMs: number;
  /** First retry after a temporary failure; doubled each attempt up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts (including the first) before a message with temporary failures is failed. */
  maxAttempts: number;
  /** How often the queue is looked at without an event (messages queued by `missedcall send`, clock changes). */
  tickMs: number;
  /** A SIM the operator refuses SMS for (barred, no SMS pack, no SMSC) rests this long. */
  simPauseMs: number;
  /** Between the parts of a long reply, how long to wait for a ringing call to be hung up. */
  ringWaitMs: number;
  /** A half-sent message waits this long for its SIM to come back, then fails. */
  pinnedWaitMs: number;
  /** Status reports are matched to parts sent within this window (TP-MR wraps at 256). */
  reportWindowMs: number;
  /**
   * The modem accepted a part but recording that failed (disk full, I/O error, database
   * busy): the record is tried again after this long, doubled each time up to
   * `commitRetryMaxMs`. The part itself is never sent again.
   */
  commitRetryBaseMs: number;
  commitRetryMaxMs: number;
}

/** The timings of a real box. */
export const defaultSmsTimings: SmsWorkerTimings = {
  cmgsTimeoutMs: 60_000,
  retryBaseMs: 30_000,
  retryMaxMs: 30 * 60_000,
  maxAttempts: 5,
  tickMs: 1000,
  simPauseMs: 30 * 60_000,
  ringWaitMs: 60_000,
  pinnedWaitMs: 24 * 3600_000,
  reportWindowMs: 3 * 24 * 3600_000,
  commitRetryBaseMs: 500,
  commitRetryMaxMs: 30_000,
};

/** Validity period asked of the SMSC: a reply delivered days late is worse than none. */
export const REPLY_VALIDITY_MINUTES = 24 * 60;

/**
 * `+CMS ERROR` codes that say the SIM itself cannot send (barred, no SMS service, no SMSC):
 * permanent for the message (docs/CMS-ERRORS.md), and the line rests so the rest of the
 * queue is not failed through it one message after another.
 */
const SIM_LEVEL_REFUSALS = new Set([8, 10, 50, 193, 330]);

/** One modem and what it may do. */
export interface SmsLine {
  modem: Modem;
  role: ModemRole;
}

/** What the worker is built from. */
export interface SmsWorkerOptions {
  outbox: SmsOutbox;
  optOuts: OptOutRegistry;
  lines: readonly SmsLine[];
  settings: SmsSettings;
  log: Logger;
  /** Epoch milliseconds; the same clock as the outbox. */
  clock?: () => number;
  timings?: Partial<SmsWorkerTimings>;
}

/** Why messages are waiting, for the status page and `/api/sms`. */
export interface SmsWaiting {
  code: 'quiet-hours' | 'blackout' | 'daily-limit' | 'no-modem' | 'retry-later';
  reason: string;
  /** Epoch ms when sending can resume, when known. */
  until: number | null;
}

/** One line as the status shows it. */
export interface SmsLineStatus {
  label: string;
  role: ModemRole;
  iccid: string | null;
  state: 'sending' | 'idle' | 'paused' | 'unavailable' | 'calls-only';
  sending: { sms: string; part: number; parts: number } | null;
  sentToday: number;
  limitReached: boolean;
  pausedUntil: number | null;
  reason: string | null;
  /** Parts accepted by the network since the box started. */
  sentSinceStart: number;
  /** Milliseconds spent inside `AT+CMGS` since the box started (utilisation). */
  busyMs: number;
}

/** The worker's view of the outbox and the lines, for `/api/status`. */
export interface SmsStatusSnapshot {
  counts: Record<SmsStatus, number>;
  waiting: SmsWaiting | null;
  oldestWaitingAt: number | null;
  dailyLimitPerSim: number;
  lines: SmsLineStatus[];
  reports: { matched: number; unmatched: number; bad: number };
  errors: SmsWorkerErrors;
}

/**
 * Errors the worker caught and logged instead of letting them out of a timer or an event
 * listener (which would end the process). Each is also in the log with its cause.
 */
export interface SmsWorkerErrors {
  /** Looking at the queue failed (a database error); tried again on the next tick. */
  schedule: number;
  /** A status report could not be recorded. */
  reports: number;
  /** Recording a part the modem accepted failed; the record (never the send) is retried. */
  commits: number;
  /** A send ended with an error that could not even be written to the outbox; the message is queued again later. */
  sends: number;
}

/** Events for tests and the benchmark. */
export interface SmsWorkerEvents {
  /** A part was accepted by the network (`+CMGS`). */
  'part-sent': [{ sms: string; part: number; modem: string; reference: number | null }];
  /** A message left `sending` (sent, requeued or failed); the line is free again. */
  settled: [{ sms: string; modem: string; status: SmsStatus }];
}

interface Lane {
  modem: Modem;
  role: ModemRole;
  label: string;
  busy: boolean;
  current: { sms: string; part: number; parts: number } | null;
  pausedUntil: number;
  pauseReason: string | null;
  sentSinceStart: number;
  busyMs: number;
  run: Promise<void> | null;
}

type Failure = { kind: 'permanent' | 'temporary'; text: string; simLevel: boolean };

/**
 * Sends the outbox through the modems. One message per modem at a time, oldest first; each
 * message's parts in order from one SIM. Modems with role `sms` are preferred, then the
 * least used today; a modem that is ringing is not given new work, and between the parts of
 * a long reply the worker lets a ringing call be hung up first. Quiet hours, blackouts and
 * daily limits hold messages back; `status()` says which.
 */
export class SmsWorker extends EventEmitter<SmsWorkerEvents> {
  private readonly t: SmsWorkerTimings;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly lanes: Lane[];
  private readonly reports = { matched: 0, unmatched: 0, bad: 0 };
  private readonly errors: SmsWorkerErrors = { schedule: 0, reports: 0, commits: 0, sends: 0 };
  /** Messages a failed send left in `sending` because even queueing them again failed. */
  private readonly stranded = new Set<string>();
  private ticker: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;
  private scheduled = false;
  private readonly detach: (() => void)[] = [];
  /** Lanes waiting (for a call to end between parts, or to retry a record); released at once by `stop`. */
  private readonly ringWaiters = new Set<() => void>();
  private settings: SmsSettings;

  constructor(private readonly opts: SmsWorkerOptions) {
    super();
    this.settings = opts.settings;
    this.t = { ...defaultSmsTimings, ...opts.timings };
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log.child({ module: 'sms' });
    this.lanes = opts.lines.map((l) => ({
      modem: l.modem,
      role: l.role,
      label: l.modem.label,
      busy: false,
      current: null,
      pausedUntil: 0,
      pauseReason: null,
      sentSinceStart: 0,
      busyMs: 0,
      run: null,
    }));
  }

  /** Start sending. Call after the modems were started. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const wake = (): void => this.wake();
    this.on2(this.opts.outbox, 'queued', wake);
    for (const lane of this.lanes) {
      this.on2(lane.modem, 'state', wake);
      this.on2(lane.modem, 'initialised', wake);
      this.on2(lane.modem, 'call-ended', wake);
      this.on2(lane.modem, 'urc', (u: Urc) => {
        if (u.name !== 'cds') return;
        // An error here would be thrown into the modem's URC dispatch: count and log it instead.
        try {
          this.onStatusReport(lane, u);
        } catch (err) {
          this.errors.reports++;
          this.log.error({ modem: lane.label, err: describeError(err) }, 'could not record a status report');
        }
      });
    }
    this.ticker = setInterval(() => this.schedule(), this.t.tickMs);
    this.ticker.unref();
    this.wake();
  }

  /**
   * Stop taking new messages and wait for the parts in flight (bounded by the AT timeout).
   * The rest of a long reply stays queued, pinned to its SIM, for the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.ticker);
    for (const off of this.detach.splice(0)) off();
    for (const release of [...this.ringWaiters]) release();
    await Promise.allSettled(this.lanes.map((l) => l.run ?? Promise.resolve()));
    this.started = false;
  }

  /** New limits, quiet hours or blackouts (HQ pushed a configuration): used from the next message on. */
  configure(settings: SmsSettings): void {
    this.settings = settings;
    this.wake();
  }

  /** Look at the queue now (after the clock moved in a test, or new config). */
  wake(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.schedule();
    });
  }

  private on2(emitter: EventEmitter, event: string, fn: (...args: never[]) => void): void {
    const listener = fn as (...args: unknown[]) => void;
    emitter.on(event, listener);
    this.detach.push(() => emitter.off(event, listener));
  }

  /** Can this line take a message now (ignoring whether it is busy)? */
  private usable(lane: Lane, now: number): boolean {
    const m = lane.modem;
    return (
      lane.role !== 'calls' &&
      m.info.state === 'ready' &&
      m.engine !== null &&
      !m.engine.isClosed &&
      !m.ringing &&
      lane.pausedUntil <= now
    );
  }

  private sentToday(lane: Lane, now: number): number {
    return this.opts.outbox.store.sentOn(simKey(lane.modem), localDay(now, this.settings.window.timeZone));
  }

  private fits(lane: Lane, parts: number, now: number): boolean {
    const limit = this.settings.dailyLimitPerSim;
    return limit === 0 || this.sentToday(lane, now) + parts <= limit;
  }

  /**
   * Hand due messages to idle lines. Synchronous: a message is claimed in the same turn it is
   * chosen. Runs from a timer and from `setImmediate`, so it never throws: an error (the
   * database failing) is logged and counted, and the next tick tries again.
   */
  private schedule(): void {
    try {
      this.scheduleNow();
    } catch (err) {
      this.errors.schedule++;
      this.log.error({ err: describeError(err) }, 'could not look at the SMS queue; trying again on the next tick');
    }
  }

  private scheduleNow(): void {
    if (!this.started || this.stopping) return;
    const now = this.clock();
    this.requeueStranded(now);
    this.failUnsendable(now);
    if (!sendingGate(now, this.settings.window).open) return;
    const idle = this.lanes.filter((l) => !l.busy && this.usable(l, now));
    if (idle.length === 0) return;
    const pageSize = Math.max(32, idle.length * 4);
    let after = 0;
    // The query leaves out messages no free line can take now (too many parts for what any of
    // them may still send today, or started on a SIM that is not free), so a queue headed by
    // such messages never blocks the rest. Each one returned is normally claimed or cancelled;
    // the pages and their bound only guard against a loop.
    for (let page = 0; page < 16 && idle.length > 0; page++) {
      const due = this.opts.outbox.store.dueFor(now, { after, maxParts: this.room(idle, now), sims: idle.map((l) => simKey(l.modem)), limit: pageSize });
      for (const msg of due) {
        if (idle.length === 0) break;
        after = msg.seq;
        this.offer(msg, idle, now);
      }
      if (due.length < pageSize) break;
    }
  }

  /** Claim one due message for one of the idle lanes (taken out of `idle`), or cancel it. */
  private offer(msg: SmsRow, idle: Lane[], now: number): void {
    // Checked for half-sent messages too: STOP ends the rest of a long reply (docs/SMS.md).
    if (!msg.ignoreOptOut && this.opts.optOuts.isOptedOut(msg.to)) {
      this.opts.outbox.fail(msg.id, optedOutError(msg.simIccid !== null));
      return;
    }
    const lane = this.pick(msg, idle, now);
    if (!lane) return;
    const claimed = this.opts.outbox.claim(msg.id, lane.label, simKey(lane.modem));
    if (!claimed) return;
    idle.splice(idle.indexOf(lane), 1);
    lane.busy = true;
    lane.run = this.send(lane, claimed.row, claimed.part)
      .catch((err: unknown) => {
        // send() handles its own errors; this is what is left when even queueing the message
        // again failed. It stays in `sending` until `requeueStranded` manages it.
        this.errors.sends++;
        this.stranded.add(msg.id);
        this.log.error({ modem: lane.label, sms: msg.id, err: describeError(err) }, 'an SMS send ended in an error that could not be recorded; it is queued again later');
      })
      .finally(() => {
        lane.busy = false;
        lane.current = null;
        lane.run = null;
        this.wake();
      });
  }

  /** The most parts any of these lines may still send today (no limit: as many as a message can have). */
  private room(lanes: readonly Lane[], now: number): number {
    const limit = this.settings.dailyLimitPerSim;
    if (limit === 0) return Number.MAX_SAFE_INTEGER;
    return Math.max(0, ...lanes.map((l) => limit - this.sentToday(l, now)));
  }

  /** Messages left in `sending` by a send whose error could not be written: queued again now. */
  private requeueStranded(now: number): void {
    for (const id of [...this.stranded]) {
      if (this.lanes.some((l) => l.current?.sms === id)) continue;
      // Its part left in `sending` is repaired when the message is claimed again (SmsOutbox.claim).
      this.opts.outbox.retry(id, null, 'queued again after an error that could not be recorded at the time', now);
      this.stranded.delete(id);
    }
  }

  /**
   * Fail what can never be sent: a message with more parts than `sms.dailyLimitPerSim` (no SIM
   * may send it in one day), and a half-sent one whose SIM has been gone too long.
   */
  private failUnsendable(now: number): void {
    const limit = this.settings.dailyLimitPerSim;
    if (limit > 0) {
      for (const msg of this.opts.outbox.store.longerThan(limit, 100)) {
        this.log.warn({ sms: msg.id, parts: msg.parts, limit }, 'SMS longer than the daily limit; failed');
        this.opts.outbox.fail(
          msg.id,
          `cannot be sent: it takes ${msg.parts} SMS and sms.dailyLimitPerSim is ${limit}, so no SIM may send it in one day (raise the limit or shorten the text)`,
        );
      }
    }
    for (const msg of this.opts.outbox.store.pinnedUntouchedSince(now - this.t.pinnedWaitMs, 100)) {
      if (this.lanes.some((l) => simKey(l.modem) === msg.simIccid && (l.busy || this.usable(l, now)))) continue;
      this.opts.outbox.fail(msg.id, `the SIM ${msg.simIccid ?? '?'} that sent the first parts has been gone too long; the rest cannot be sent from another SIM`);
    }
  }

  private pick(msg: SmsRow, idle: Lane[], now: number): Lane | null {
    // A half-sent message goes on from its SIM only (failUnsendable gives up on it in time).
    if (msg.simIccid !== null) return idle.find((l) => simKey(l.modem) === msg.simIccid) ?? null;
    // Parts still to send: all of them, as nothing is pinned yet.
    const candidates = idle.filter((l) => this.fits(l, msg.parts, now));
    if (candidates.length === 0) return null;
    if (msg.preferModem) {
      const preferred = candidates.find((l) => l.label === msg.preferModem);
      if (preferred) return preferred;
    }
    let best: Lane | null = null;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const l of candidates) {
      const key: [number, number] = [l.role === 'sms' ? 0 : 1, this.sentToday(l, now)];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = l;
        bestKey = key;
      }
    }
    return best;
  }

  /** Send every unsent part of a claimed message, in order (`first` is marked sending), then settle it. */
  private async send(lane: Lane, msg: SmsRow, first: number): Promise<void> {
    const log = this.log.child({ modem: lane.label, sms: msg.id });
    const outbox = this.opts.outbox;
    let status: SmsStatus = 'sending';
    /** The part marked `sending` on disk and not (yet) accepted by the modem. */
    let inFlight: number | null = first;
    try {
      let pdus: SubmitPart[];
      try {
        pdus = encodeSubmit({
          to: msg.to,
          text: msg.text,
          requestStatusReport: true,
          validityMinutes: REPLY_VALIDITY_MINUTES,
          concatReference: msg.concatRef,
          forceUcs2: msg.encoding === 'ucs2',
        });
      } catch (err) {
        const why = isPduError(err) ? err.message : describeError(err);
        log.warn({ err: why, to: maskNumber(msg.to) }, 'SMS cannot be encoded; failed');
        outbox.fail(msg.id, `${ErrorCodes.SMS_ENCODE_FAILED}: cannot build the SMS for ${msg.to}: ${why}`);
        status = 'failed';
        return;
      }
      const parts = outbox.parts(msg.id);
      if (pdus.length !== parts.length || pdus.some((p, i) => p.text !== parts[i]?.text)) {
        outbox.fail(msg.id, `${ErrorCodes.SMS_ENCODE_FAILED}: the text now splits into ${pdus.length} parts, not the ${parts.length} queued; not sent to avoid a garbled message`);
        status = 'failed';
        return;
      }
      let part: number | null = first;
      while (part !== null) {
        const pdu = pdus[part - 1];
        if (!pdu) throw new Error(`no PDU for part ${part}`);
        if (part !== first) {
          // Between parts: a call may be ringing here, the box may be stopping, the number may
          // have sent STOP.
          const ready = await this.readyForPart(lane, msg);
          if (ready !== true) {
            if (ready.fail) {
              outbox.fail(msg.id, ready.why);
              status = 'failed';
              log.info({ reason: ready.why }, 'SMS cancelled between its parts');
            } else {
              outbox.retry(msg.id, part, ready.why, this.clock(), true);
              status = 'queued';
              log.info({ reason: ready.why }, 'SMS put back in the queue');
            }
            return;
          }
        }
        const outcome = await this.sendPart(lane, msg, part, pdu, log);
        if (outcome.status !== 'sent') {
          status = outcome.status;
          return;
        }
        // The next part (if any) was marked `sending` in the commit that recorded this one.
        part = outcome.next;
        inFlight = part;
      }
      status = outbox.get(msg.id)?.status ?? 'sent';
    } catch (err) {
      // A bug here must not leave the message in `sending` until the next restart. `inFlight`
      // is never a part the modem accepted (sendPart records those itself), so it may go back
      // to pending and be sent again.
      log.error({ err: describeError(err) }, 'unexpected error while sending an SMS; queued again');
      outbox.retry(msg.id, inFlight, `unexpected error: ${describeError(err)}`, this.clock() + this.t.retryBaseMs);
      status = 'queued';
    } finally {
      this.emit('settled', { sms: msg.id, modem: lane.label, status });
    }
  }

  /**
   * True when the next part may go out on this line now; otherwise why not, and whether the
   * message is put back in the queue or failed (the number opted out). A ringing call is given
   * the modem first: a modem inside AT+CMGS cannot hang up.
   */
  private async readyForPart(lane: Lane, msg: SmsRow): Promise<true | { fail: boolean; why: string }> {
    const later = (why: string): { fail: boolean; why: string } => ({ fail: false, why });
    if (this.stopping) return later('the box is stopping; the rest is sent after the restart');
    if (lane.modem.ringing) await this.untilNotRinging(lane);
    // After the wait: a STOP may have come while the call rang.
    if (!msg.ignoreOptOut && this.opts.optOuts.isOptedOut(msg.to)) return { fail: true, why: optedOutError(true) };
    const now = this.clock();
    if (this.stopping) return later('the box is stopping; the rest is sent after the restart');
    if (lane.modem.ringing) return later(`${lane.label} kept ringing`);
    if (!this.usable(lane, now)) return later(`${lane.label} is not ready (${lane.modem.info.state})`);
    const pinned = this.opts.outbox.get(msg.id)?.simIccid ?? null;
    if (pinned !== null && pinned !== simKey(lane.modem)) return later(`the SIM in ${lane.label} changed; waiting for SIM ${pinned}`);
    return true;
  }

  /** Wait `ms`, or less when the worker stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.ringWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.ringWaiters.add(done);
    });
  }

  private untilNotRinging(lane: Lane): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        lane.modem.off('call-ended', done);
        lane.modem.off('state', done);
        this.ringWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.t.ringWaitMs);
      lane.modem.on('call-ended', done);
      lane.modem.on('state', done);
      this.ringWaiters.add(done);
    });
  }

  /**
   * One `AT+CMGS` for a part already marked `sending` on disk (so a crash during it is known
   * to have interrupted it). Returns the next part to send, or what became of the message.
   */
  private async sendPart(
    lane: Lane,
    msg: SmsRow,
    part: number,
    pdu: SubmitPart,
    log: Logger,
  ): Promise<{ status: 'sent'; next: number | null } | { status: 'queued' | 'failed' | 'sending' }> {
    const outbox = this.opts.outbox;
    const engine = lane.modem.engine;
    const iccid = simKey(lane.modem);
    if (!engine) {
      outbox.retry(msg.id, part, `${lane.label} went away`, this.clock(), true);
      return { status: 'queued' };
    }
    lane.current = { sms: msg.id, part, parts: msg.parts };
    const started = performance.now();
    let reference: number | null;
    try {
      const res = await engine.sendWithPrompt(`AT+CMGS=${pdu.tpduLength}`, pdu.pdu, {
        timeoutMs: this.t.cmgsTimeoutMs,
        // The prompt comes within milliseconds; a modem that never prompts frees the line soon.
        promptTimeoutMs: Math.min(this.t.cmgsTimeoutMs, 5000),
      });
      const cmgs = res.lines.map(parseCmgs).find((c) => c !== null);
      if (!cmgs) {
        // 27.005 always prints +CMGS on success. An OK without it may be a stale answer to
        // something else: treat as not sent (a duplicate is better than a lost reply).
        throw new Error(`the modem answered ${res.final.kind.toUpperCase()} without +CMGS: <reference>`);
      }
      reference = cmgs.messageReference;
    } catch (err) {
      lane.busyMs += performance.now() - started;
      return { status: this.onPartFailed(lane, msg, part, err, log) };
    }
    lane.busyMs += performance.now() - started;
    lane.sentSinceStart++;
    // Counted in the local day it was accepted, however long recording it takes.
    const day = localDay(this.clock(), this.settings.window.timeZone);
    const recorded = await this.recordSent(msg, part, reference, lane.label, iccid, day, log);
    if (!recorded) return { status: 'sending' };
    const { sent, next } = recorded;
    this.emit('part-sent', { sms: msg.id, part, modem: lane.label, reference });
    log.debug({ part, parts: msg.parts, reference }, 'SMS part accepted by the network');
    if (sent) log.info({ to: maskNumber(msg.to), parts: msg.parts, attempts: sent.attempts }, 'SMS sent');
    return { status: 'sent', next };
  }

  /**
   * Record a part the modem accepted. The `+CMGS` answer is kept here and the record retried
   * with backoff for as long as it fails (disk full, I/O error, database busy), holding the
   * line: the part must never be sent again by this process, and a retry() of the message
   * would do exactly that. Only when the box stops first is it given up, with an error in the
   * log (after the restart the part is then sent again: the restart rule of docs/SMS.md).
   */
  private async recordSent(
    msg: SmsRow,
    part: number,
    reference: number | null,
    modem: string,
    sim: string,
    day: string,
    log: Logger,
  ): Promise<{ sent: SmsRow | null; next: number | null } | null> {
    let delay = this.t.commitRetryBaseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return this.opts.outbox.partSent(msg.id, part, reference, modem, sim, day);
      } catch (err) {
        this.errors.commits++;
        if (this.stopping) {
          log.error(
            { part, reference, attempt, err: describeError(err) },
            'the modem accepted an SMS part but the box stopped before it could be recorded; it will be sent again after the restart',
          );
          return null;
        }
        log.error(
          { part, reference, attempt, retryInMs: delay, err: describeError(err) },
          'the modem accepted an SMS part but recording it failed; retrying the record (the part is not sent again)',
        );
        await this.pause(delay);
        delay = Math.min(this.t.commitRetryMaxMs, delay * 2);
      }
    }
  }

  private onPartFailed(lane: Lane, msg: SmsRow, part: number, err: unknown, log: Logger): 'queued' | 'failed' {
    const outbox = this.opts.outbox;
    const failure = classifyFailure(err);
    const now = this.clock();
    if (failure.simLevel) {
      lane.pausedUntil = now + this.t.simPauseMs;
      lane.pauseReason = `the operator refused SMS from this SIM (${failure.text})`;
      log.error({ err: failure.text, until: new Date(lane.pausedUntil).toISOString() }, 'SIM cannot send SMS; line paused');
    }
    if (failure.kind === 'permanent') {
      outbox.store.transaction(() => {
        outbox.store.partBack(msg.id, part, failure.text);
        outbox.fail(msg.id, `permanent: ${failure.text}`);
      });
      log.warn({ part, err: failure.text, to: maskNumber(msg.to) }, 'SMS failed (permanent error)');
      return 'failed';
    }
    if (msg.attempts >= this.t.maxAttempts) {
      outbox.store.transaction(() => {
        outbox.store.partBack(msg.id, part, failure.text);
        outbox.fail(msg.id, `gave up after ${msg.attempts} attempts: ${failure.text}`);
      });
      log.warn({ part, attempts: msg.attempts, err: failure.text }, 'SMS failed (too many attempts)');
      return 'failed';
    }
    const delay = Math.min(this.t.retryMaxMs, this.t.retryBaseMs * 2 ** Math.max(0, msg.attempts - 1));
    const next = now + delay;
    outbox.retry(msg.id, part, `${failure.text} (attempt ${msg.attempts} of ${this.t.maxAttempts}; next at ${new Date(next).toISOString()})`, next);
    log.warn({ part, attempts: msg.attempts, err: failure.text, retryInMs: delay }, 'SMS attempt failed; will retry');
    return 'queued';
  }

  private onStatusReport(lane: Lane, u: Urc): void {
    const hex = u.body[0];
    if (hex === undefined) {
      this.reports.bad++;
      this.log.warn({ modem: lane.label, line: u.line }, '+CDS without its PDU line; ignored');
      return;
    }
    let report;
    try {
      report = decodePdu(hex);
    } catch (err) {
      this.reports.bad++;
      this.log.warn({ modem: lane.label, err: describeError(err) }, 'unreadable status report; ignored');
      return;
    }
    if (report.type !== 'status-report') {
      this.reports.bad++;
      this.log.warn({ modem: lane.label, type: report.type }, '+CDS carried something other than a status report; ignored');
      return;
    }
    const match = this.opts.outbox.applyStatusReport(simKey(lane.modem), report.messageReference, report.recipient, report.outcome, report.status, this.t.reportWindowMs);
    if (!match.matched) {
      this.reports.unmatched++;
      this.log.info({ modem: lane.label, reference: report.messageReference, to: maskNumber(report.recipient) }, 'status report for no message we know; ignored');
      return;
    }
    this.reports.matched++;
    this.log.debug({ modem: lane.label, sms: match.smsId, part: match.part, outcome: report.outcome, status: report.status }, 'status report');
  }

  /** Why queued messages are not going out right now, or null when they are (or none wait). */
  waiting(now = this.clock()): SmsWaiting | null {
    const queued = this.opts.outbox.store.waiting(200);
    if (queued.length === 0) return null;
    const gate = sendingGate(now, this.settings.window);
    if (!gate.open) return { code: gate.reason, reason: gate.text, until: gate.until };
    const senders = this.lanes.filter((l) => l.role !== 'calls');
    if (senders.length === 0) return { code: 'no-modem', reason: 'no modem may send SMS: every modem has role "calls"', until: null };
    const usable = senders.filter((l) => l.busy || this.usable(l, now));
    if (usable.length === 0) {
      const why = senders.map((l) => `${l.label}: ${this.laneProblem(l, now)}`).join('; ');
      return { code: 'no-modem', reason: `no modem can send right now (${why})`, until: null };
    }
    const limit = this.settings.dailyLimitPerSim;
    if (limit > 0 && usable.every((l) => this.sentToday(l, now) >= limit)) {
      const until = nextLocalMidnight(now, this.settings.window.timeZone);
      return {
        code: 'daily-limit',
        reason: `every SIM has sent its ${limit} SMS for today (sms.dailyLimitPerSim); sending resumes at ${describeInstant(until, now, this.settings.window.timeZone)}`,
        until,
      };
    }
    if (queued.every((m) => m.nextAttemptAt > now) && !usable.some((l) => l.busy)) {
      const until = Math.min(...queued.map((m) => m.nextAttemptAt));
      return { code: 'retry-later', reason: `waiting to retry after errors; next attempt at ${describeInstant(until, now, this.settings.window.timeZone)}`, until };
    }
    return null;
  }

  /** Why this one queued message is waiting, in words (null when it is next in line). */
  explain(msg: SmsRow, now = this.clock()): string | null {
    if (msg.status !== 'queued') return null;
    const tz = this.settings.window.timeZone;
    const gate = sendingGate(now, this.settings.window);
    if (!gate.open) return gate.text;
    if (msg.nextAttemptAt > now) return `retry at ${describeInstant(msg.nextAttemptAt, now, tz)}${msg.lastError ? ` after: ${msg.lastError}` : ''}`;
    if (msg.simIccid !== null && !this.lanes.some((l) => simKey(l.modem) === msg.simIccid && (l.busy || this.usable(l, now)))) {
      return `waiting for SIM ${msg.simIccid}, which sent the first parts (the rest must come from the same SIM)`;
    }
    const global = this.waiting(now);
    if (global) return global.reason;
    const limit = this.settings.dailyLimitPerSim;
    if (limit > 0 && msg.simIccid === null && !this.lanes.some((l) => this.usable(l, now) && this.fits(l, msg.parts, now))) {
      return `no SIM has ${msg.parts} SMS left of today's limit (${limit}); sending resumes at ${describeInstant(nextLocalMidnight(now, tz), now, tz)}`;
    }
    return null;
  }

  private laneProblem(lane: Lane, now: number): string {
    const m = lane.modem;
    if (lane.role === 'calls') return 'role calls';
    if (lane.pausedUntil > now) return `${lane.pauseReason ?? 'paused'} until ${describeInstant(lane.pausedUntil, now, this.settings.window.timeZone)}`;
    if (m.info.state !== 'ready') return m.info.state;
    if (m.ringing) return 'ringing';
    return 'busy';
  }

  status(now = this.clock()): SmsStatusSnapshot {
    const limit = this.settings.dailyLimitPerSim;
    return {
      counts: this.opts.outbox.store.counts(),
      waiting: this.waiting(now),
      oldestWaitingAt: this.opts.outbox.store.oldestWaiting(),
      dailyLimitPerSim: limit,
      reports: { ...this.reports },
      errors: { ...this.errors },
      lines: this.lanes.map((l) => {
        const sentToday = this.sentToday(l, now);
        const state: SmsLineStatus['state'] =
          l.role === 'calls' ? 'calls-only' : l.busy ? 'sending' : l.pausedUntil > now ? 'paused' : this.usable(l, now) ? 'idle' : 'unavailable';
        return {
          label: l.label,
          role: l.role,
          iccid: simKey(l.modem),
          state,
          sending: l.current,
          sentToday,
          limitReached: limit > 0 && sentToday >= limit,
          pausedUntil: l.pausedUntil > now ? l.pausedUntil : null,
          reason: state === 'unavailable' || state === 'paused' ? this.laneProblem(l, now) : null,
          sentSinceStart: l.sentSinceStart,
          busyMs: Math.round(l.busyMs),
        };
      }),
    };
  }
}

/** `last_error` of a message cancelled because its number opted out (STOP). */
function optedOutError(halfSent: boolean): string {
  return halfSent
    ? 'cancelled: opted out (STOP) after its first parts went out; the rest were not sent'
    : 'cancelled: opted out (STOP) before the message went out';
}

/**
 * The SIM a line sends from, as the outbox records it (pinning, daily counts, status
 * reports): its ICCID; the IMSI when the modem cannot read the ICCID (some firmwares know no
 * ICCID command); the line's label as a last resort, so such a modem still sends.
 */
export function simKey(modem: Pick<Modem, 'info' | 'label'>): string {
  const { iccid, imsi } = modem.info;
  if (iccid !== null) return iccid;
  if (imsi !== null) return `imsi:${imsi}`;
  return `line:${modem.label}`;
}

/** How a failed `AT+CMGS` is treated (docs/SMS.md, docs/CMS-ERRORS.md). */
export function classifyFailure(err: unknown): Failure {
  if (err instanceof AtError) {
    switch (err.code) {
      case ErrorCodes.AT_CMS: {
        const code = err.cmsCode;
        const text = `+CMS ERROR: ${code ?? err.final?.kind ?? '?'}${code !== null ? ` (${cmsErrorText(code) ?? 'vendor-specific'})` : ''}`;
        const kind = classifyCmsError(code);
        return { kind, text, simLevel: kind === 'permanent' && code !== null && SIM_LEVEL_REFUSALS.has(code) };
      }
      case ErrorCodes.AT_NO_PROMPT:
        return { kind: 'temporary', text: `no SMS prompt from the modem (${err.message})`, simLevel: false };
      case ErrorCodes.AT_TIMEOUT:
        return { kind: 'temporary', text: `no answer from the modem (${err.message})`, simLevel: false };
      case ErrorCodes.AT_CLOSED:
        return { kind: 'temporary', text: 'the modem went away during the send', simLevel: false };
      default:
        return { kind: 'temporary', text: err.message, simLevel: false };
    }
  }
  return { kind: 'temporary', text: describeError(err), simLevel: false };
}
