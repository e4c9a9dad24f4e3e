import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { CountryCode } from 'libphonenumber-js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Modem, ModemCall } from '../modem/modem.js';
import { maskNumber, normalizeNumber } from '../phone/normalize.js';
import type { CallRow, CallStore, NewCall } from '../store/calls.js';
import type { Db } from '../store/db.js';

/** Runs inside the transaction that records the call (the SMS reply is queued here). */
export type RecordHook = (call: CallRow) => void;

export interface CallHandlerOptions {
  db: Db;
  calls: CallStore;
  country: CountryCode;
  log: Logger;
  /**
   * How long the record waits for the hang-up to leave. Normally it leaves at once; when the
   * modem is busy with a long command the call is written anyway, and the hang-up time is
   * filled in when it goes.
   */
  writeWaitMs?: number;
}

export interface CallHandlerEvents {
  recorded: [CallRow];
}

export interface CallHandlerStats {
  recorded: number;
  writeErrors: number;
  hangupFailures: number;
}

/**
 * The missed-call policy: hang up first, then record the call (and whatever the hooks add)
 * in one transaction.
 *
 * The record is written synchronously in the same turn as the hang-up command is handed to
 * the port. `serialport` performs the write on libuv's thread pool, so the bytes leave
 * while this thread commits: the hang-up does not wait for the disk, and the window in
 * which a crash could lose a call that was hung up on is the few tens of microseconds it
 * takes SQLite to write the WAL frames (docs/STORAGE.md).
 */
export class CallHandler extends EventEmitter<CallHandlerEvents> {
  readonly stats: CallHandlerStats = { recorded: 0, writeErrors: 0, hangupFailures: 0 };
  private readonly hooks: RecordHook[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly writeWaitMs: number;
  private readonly log: Logger;
  private readonly recordTx: (call: NewCall) => CallRow;

  constructor(private readonly opts: CallHandlerOptions) {
    super();
    this.writeWaitMs = opts.writeWaitMs ?? 250;
    this.log = opts.log.child({ module: 'calls' });
    this.recordTx = opts.db.transaction((call: NewCall) => {
      const row = opts.calls.record(call);
      for (const hook of this.hooks) hook(row);
      return row;
    });
  }

  /**
   * Run the record path once, rolled back, at start: the first execution of each statement
   * (and of the number parser) is several times slower than later ones, and the first call
   * after a power cut deserves the same short window between hang-up and commit as any other.
   */
  warmUp(): void {
    const sample: NewCall = {
      number: normalizeNumber('+919812345678', this.opts.country).e164,
      numberRaw: '+919812345678',
      numberValid: true,
      withheld: false,
      numberSource: 'clip',
      modemImei: null,
      simIccid: null,
      port: 'warm-up',
      portLabel: 'warm-up',
      campaign: null,
      rangAt: Date.now(),
      hangupAt: Date.now(),
      hangupLatencyMs: 0,
      callerGaveUp: false,
    };
    const rollback = new Error('warm-up rollback');
    try {
      // Without the hooks: they keep counters outside the database that a rollback would not undo.
      this.opts.db.transaction(() => {
        this.opts.calls.record(sample);
        throw rollback;
      })();
    } catch (err) {
      if (err !== rollback) throw err;
    }
  }

  addRecordHook(hook: RecordHook): void {
    this.hooks.push(hook);
  }

  attach(modem: Modem): void {
    modem.on('call', (call) => this.onCall(call));
  }

  /** Wait until every hang-up in progress has ended and its call is recorded (shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private onCall(call: ModemCall): void {
    let row: CallRow | null | undefined;
    let timer: NodeJS.Timeout | undefined;
    const recordOnce = (writtenAt: number | null): void => {
      if (row !== undefined) {
        if (row !== null && writtenAt !== null) this.fillHangup(row, call, writtenAt);
        return;
      }
      clearTimeout(timer);
      row = this.recordNow(call, writtenAt);
      if (row) this.announce(row);
    };
    if (call.callerGaveUp) {
      recordOnce(null);
      return;
    }
    // Hang up before anything else: this is the caller's money.
    const done = call.modem.hangUp({ onWritten: (t) => recordOnce(t) });
    if (row === undefined) timer = setTimeout(() => recordOnce(null), this.writeWaitMs);
    const work = done
      .then((ok) => {
        recordOnce(null);
        if (!ok) {
          this.stats.hangupFailures++;
          this.log.warn({ modem: call.modem.label, cycle: call.cycle }, 'the modem did not confirm the hang-up');
        }
      })
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  private recordNow(call: ModemCall, writtenAt: number | null): CallRow | null {
    const info = call.modem.info;
    const normal =
      call.number === null
        ? null
        : normalizeNumber(call.number, this.opts.country, call.numberType === null ? {} : { typeOfAddress: call.numberType });
    const entry: NewCall = {
      number: normal?.e164 ?? null,
      numberRaw: call.number,
      numberValid: normal === null ? true : normal.valid,
      withheld: call.withheld,
      numberSource: call.source,
      modemImei: info.imei,
      simIccid: info.iccid,
      port: info.port,
      portLabel: info.label,
      campaign: info.campaign,
      rangAt: toWallClock(call.rangAt),
      hangupAt: writtenAt === null ? null : toWallClock(writtenAt),
      hangupLatencyMs: writtenAt === null ? null : round2(writtenAt - call.knownAt),
      callerGaveUp: call.callerGaveUp,
    };
    const log = this.log.child({ modem: info.label, cycle: call.cycle });
    let row: CallRow;
    try {
      row = this.recordTx(entry);
    } catch (err) {
      // The disk failed: the caller was still hung up on; say so loudly, keep going.
      this.stats.writeErrors++;
      log.error({ err: describeError(err), number: entry.number ? maskNumber(entry.number) : null }, 'could not record a call');
      return null;
    }
    this.stats.recorded++;
    log.info(
      {
        callId: row.id,
        number: row.number ? maskNumber(row.number) : null,
        withheld: row.withheld,
        source: row.numberSource,
        latencyMs: row.hangupLatencyMs,
        repeat: row.repeat,
      },
      'call recorded',
    );
    return row;
  }

  /** Tell listeners (page, metrics, demo); one that throws must not undo or repeat the record. */
  private announce(row: CallRow): void {
    try {
      this.emit('recorded', row);
    } catch (err) {
      this.log.error({ err: describeError(err), callId: row.id }, 'a listener failed on a recorded call');
    }
  }

  /** The hang-up left after the row was written (the modem was busy with another command). */
  private fillHangup(row: CallRow, call: ModemCall, writtenAt: number): void {
    try {
      this.opts.calls.setHangup(row.id, toWallClock(writtenAt), round2(writtenAt - call.knownAt));
    } catch (err) {
      this.log.error({ err: describeError(err), callId: row.id }, 'could not record the hang-up time');
    }
  }
}

/**
 * `performance.now()` milliseconds → epoch milliseconds, against the wall clock as it is now:
 * the Pi has no real-time clock, so the clock jumps when NTP first syncs after a power cut,
 * and `performance.timeOrigin` would keep the old offset for the life of the process.
 */
export function toWallClock(perfMs: number): number {
  return Math.round(Date.now() - (performance.now() - perfMs));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
