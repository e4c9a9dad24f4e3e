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
 * The record is committed in the same turn of the event loop as the hang-up command is handed
 * to the port (`serialport` writes it on libuv's thread pool, so the bytes leave while this
 * thread commits), and always before the modem's answer to the hang-up is read. Calls whose
 * numbers arrived in the same turn (a burst on several modems) are written together, after
 * every one of their hang-ups went out: one fsync for all, and no caller's hang-up waits for
 * another caller's fsync. On a Pi's SD card an fsync takes milliseconds, and at the campaign
 * peak several modems deliver a number in the same turn (docs/STORAGE.md).
 */
export class CallHandler extends EventEmitter<CallHandlerEvents> {
  readonly stats: CallHandlerStats = { recorded: 0, writeErrors: 0, hangupFailures: 0 };
  private readonly hooks: RecordHook[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly writeWaitMs: number;
  private readonly log: Logger;
  private readonly recordTx: (call: NewCall) => CallRow;
  private readonly recordManyTx: (batch: readonly { call: ModemCall; entry: NewCall }[]) => (CallRow | null)[];
  /** Calls waiting for the commit at the end of this turn. */
  private queued: QueuedRecord[] = [];
  private flushScheduled = false;

  constructor(private readonly opts: CallHandlerOptions) {
    super();
    this.writeWaitMs = opts.writeWaitMs ?? 250;
    this.log = opts.log.child({ module: 'calls' });
    const recordOne = (call: NewCall): CallRow => {
      const row = opts.calls.record(call);
      for (const hook of this.hooks) hook(row);
      return row;
    };
    this.recordTx = opts.db.transaction(recordOne);
    // Each call in its own savepoint (a nested transaction), so a call the database refuses is
    // rolled back alone and the others still commit, each record hook having run once.
    this.recordManyTx = opts.db.transaction((batch: readonly { call: ModemCall; entry: NewCall }[]) =>
      batch.map(({ call, entry }) => {
        try {
          return this.recordTx(entry);
        } catch (err) {
          // SQLite rolls the whole transaction back on some errors (a full disk, I/O): nothing
          // of the batch is written then, and each call is tried again on its own.
          if (!opts.db.inTransaction) throw err;
          this.writeFailed(call, entry, err);
          return null;
        }
      }),
    );
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
    this.flush();
  }

  private onCall(call: ModemCall): void {
    // undefined: not yet written; null: writing it failed (logged, counted).
    let row: CallRow | null | undefined;
    let queued: QueuedRecord | undefined;
    let timer: NodeJS.Timeout | undefined;
    const recordOnce = (writtenAt: number | null): void => {
      if (row !== undefined) {
        if (row !== null && writtenAt !== null) this.fillHangup(row, call, writtenAt);
        return;
      }
      if (queued) {
        // The hang-up left while the row waited for the end of the turn: it goes in the row.
        if (writtenAt !== null) queued.writtenAt ??= writtenAt;
        return;
      }
      clearTimeout(timer);
      queued = {
        call,
        writtenAt,
        done: (r) => {
          row = r;
          if (r) this.announce(r);
        },
      };
      this.enqueue(queued);
    };
    if (call.callerGaveUp) {
      recordOnce(null);
      return;
    }
    // Hang up before anything else: this is the caller's money.
    const done = call.modem.hangUp({ onWritten: (t) => recordOnce(t) });
    // Queued already when the hang-up left at once; otherwise written after writeWaitMs anyway.
    if (queued === undefined) timer = setTimeout(() => recordOnce(null), this.writeWaitMs);
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

  private enqueue(record: QueuedRecord): void {
    this.queued.push(record);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate runs right after the I/O callbacks of this turn: every number that arrived
    // in it has had its hang-up handed to the port, and no reply from a modem is read before
    // the commit.
    setImmediate(() => this.flush());
  }

  /**
   * Write the calls waiting for the end of this turn now. For a process about to exit (its
   * `exit` event: `process.exit`, an uncaught exception), where no later turn comes.
   */
  writePending(): void {
    this.flush();
  }

  /**
   * Commit every queued call in one transaction, each in its own savepoint, so one call the
   * database refuses does not take the others of its turn with it. Should the transaction
   * itself fail, each is tried on its own.
   */
  private flush(): void {
    this.flushScheduled = false;
    const records = this.queued;
    if (records.length === 0) return;
    this.queued = [];
    const entries = records.map((r) => this.entryFor(r.call, r.writtenAt));
    let rows: (CallRow | null)[] | null = null;
    if (records.length > 1) {
      const errorsBefore = this.stats.writeErrors;
      try {
        rows = this.recordManyTx(records.map((r, i) => ({ call: r.call, entry: entries[i] as NewCall })));
      } catch (err) {
        // Nothing of the batch was written; its failures are counted again below.
        this.stats.writeErrors = errorsBefore;
        this.log.warn({ err: describeError(err), calls: records.length }, 'recording calls together failed; recording each on its own');
      }
    }
    rows ??= records.map((r, i) => this.recordEntry(r.call, entries[i] as NewCall));
    records.forEach((r, i) => {
      const row = rows[i] ?? null;
      if (row) this.logRecorded(r.call, row);
    });
    records.forEach((r, i) => r.done(rows[i] ?? null));
  }

  private entryFor(call: ModemCall, writtenAt: number | null): NewCall {
    const info = call.modem.info;
    const normal =
      call.number === null
        ? null
        : normalizeNumber(call.number, this.opts.country, call.numberType === null ? {} : { typeOfAddress: call.numberType });
    return {
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
  }

  private recordEntry(call: ModemCall, entry: NewCall): CallRow | null {
    try {
      return this.recordTx(entry);
    } catch (err) {
      this.writeFailed(call, entry, err);
      return null;
    }
  }

  /** The disk failed: the caller was still hung up on; say so loudly, keep going. */
  private writeFailed(call: ModemCall, entry: NewCall, err: unknown): void {
    this.stats.writeErrors++;
    this.log
      .child({ modem: call.modem.info.label, cycle: call.cycle })
      .error({ err: describeError(err), number: entry.number ? maskNumber(entry.number) : null }, 'could not record a call');
  }

  private logRecorded(call: ModemCall, row: CallRow): void {
    this.stats.recorded++;
    this.log.child({ modem: call.modem.info.label, cycle: call.cycle }).info(
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

interface QueuedRecord {
  call: ModemCall;
  /** When the hang-up was handed to the port; null while it has not been (busy modem, caller gone). */
  writtenAt: number | null;
  done: (row: CallRow | null) => void;
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
