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
   * How long the write waits for the hang-up to leave. Normally it leaves at once; when the
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
 * in one transaction. The hang-up never waits for the disk.
 */
export class CallHandler extends EventEmitter<CallHandlerEvents> {
  readonly stats: CallHandlerStats = { recorded: 0, writeErrors: 0, hangupFailures: 0 };
  private readonly hooks: RecordHook[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly writeWaitMs: number;
  private readonly log: Logger;
  private readonly recordTx: (call: NewCall) => CallRow;
  private readonly recordManyTx: (calls: NewCall[]) => CallRow[];
  private batch: { entry: NewCall; resolve: (row: CallRow) => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly opts: CallHandlerOptions) {
    super();
    this.writeWaitMs = opts.writeWaitMs ?? 250;
    this.log = opts.log.child({ module: 'calls' });
    this.recordTx = opts.db.transaction((call: NewCall) => {
      const row = opts.calls.record(call);
      for (const hook of this.hooks) hook(row);
      return row;
    });
    this.recordManyTx = opts.db.transaction((calls: NewCall[]) => calls.map((c) => this.recordTx(c)));
  }

  addRecordHook(hook: RecordHook): void {
    this.hooks.push(hook);
  }

  attach(modem: Modem): void {
    modem.on('call', (call) => this.onCall(call));
  }

  /** Wait until every call being recorded is on disk (shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Group commit without a timer: calls whose hang-up went out in this turn of the event loop
   * are written together by `setImmediate`, which runs after every pending serial read was
   * handled. So every modem's hang-up leaves before any fsync, and a burst of calls costs
   * one fsync instead of one each; with one call at a time it is a plain commit.
   */
  private write(entry: NewCall): Promise<CallRow> {
    return new Promise((resolve, reject) => {
      this.batch.push({ entry, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.batch.splice(0);
    let rows: CallRow[] | null = null;
    try {
      rows = this.recordManyTx(batch.map((b) => b.entry));
    } catch (err) {
      this.log.warn({ err: describeError(err), calls: batch.length }, 'group commit failed; writing the calls one by one');
    }
    if (rows) {
      batch.forEach((b, i) => b.resolve(rows[i] as CallRow));
      return;
    }
    for (const b of batch) {
      try {
        b.resolve(this.recordTx(b.entry));
      } catch (err) {
        b.reject(err);
      }
    }
  }

  private onCall(call: ModemCall): void {
    // Hang up before anything else: this is the caller's money.
    const hang = call.callerGaveUp ? null : call.modem.hangUp();
    const work = this.record(call, hang).finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  private async record(call: ModemCall, hang: ReturnType<Modem['hangUp']> | null): Promise<void> {
    const writtenAt = hang ? await within(hang.written, this.writeWaitMs) : null;
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
      row = await this.write(entry);
    } catch (err) {
      // The disk failed: the caller was still hung up on; say so loudly, keep going.
      this.stats.writeErrors++;
      log.error({ err: describeError(err) }, 'could not record a call');
      return;
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
    this.emit('recorded', row);
    if (hang && writtenAt === null) {
      const late = await hang.written;
      if (late !== null) {
        try {
          this.opts.calls.setHangup(row.id, toWallClock(late), round2(late - call.knownAt));
        } catch (err) {
          log.error({ err: describeError(err), callId: row.id }, 'could not record the hang-up time');
        }
      }
    }
    if (hang && !(await hang.done)) {
      this.stats.hangupFailures++;
      log.warn({ callId: row.id }, 'the modem did not confirm the hang-up');
    }
  }
}

/** `performance.now()` milliseconds → epoch milliseconds. */
export function toWallClock(perfMs: number): number {
  return Math.round(performance.timeOrigin + perfMs);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The value if the promise settles within `ms`, else null (the promise keeps running). */
async function within<T>(p: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
