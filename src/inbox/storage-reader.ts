/**
 * Reads one modem's SMS storage into the inbox: `+CMTI` → `AT+CMGR` → stored → `AT+CMGD`;
 * `+CMT` (the PDU delivered directly, never stored on the SIM); and `AT+CMGL=4` whenever the
 * modem (re)initialises, so what arrived while the box was off or the modem unplugged is read.
 *
 * A full SIM stops announcing new messages without a word (the network keeps them until the
 * SIM reports free memory), so the reader also asks `AT+CPMS?` now and then, and when the
 * storage holds more than it should, lists and empties it. A message is deleted from the SIM
 * only after `Inbox.receive` has committed it; if the box dies in between, the re-read copy is
 * recognised by its fingerprint and only deleted.
 *
 * Delivery reports the modem keeps instead of printing them (`+CDSI: "SR",<i>` with `+CNMI`
 * ds=2, or `+CMTI: "SR",<i>`) are read the same way from the `SR` storage, handed to the outbox
 * as a `+CDS` would be, and deleted; mem1 then goes back to the message storage.
 *
 * All work for one modem runs one command at a time from a small queue, so a burst of `+CMTI`
 * never floods the AT engine ahead of a hang-up (hang-ups are urgent and go before queued work).
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { AtEngine, Urc } from '../at/engine.js';
import { AtError } from '../at/errors.js';
import { parseCdsi, parseCmgl, parseCmgr, parseCmtHeader, parseCmti, parseCpms, type StorageUsage } from '../at/parsers/index.js';
import { describeError, ErrorCodes } from '../errors.js';
import type { Logger } from '../log.js';
import type { Modem } from '../modem/modem.js';
import type { ReceivingLine } from '../store/messages.js';
import { tpduLength, type Inbox, type ReceiveResult } from './inbox.js';

export interface StorageReaderOptions {
  modem: Modem;
  inbox: Inbox;
  log: Logger;
  /** How often `AT+CPMS?` checks for messages nobody announced (full SIM, lost +CMTI). Default 60 s. */
  checkIntervalMs?: number;
  /** Timeout of `AT+CMGL=4`, which on a full SIM prints a few kilobytes at modem speed. Default 30 s. */
  listTimeoutMs?: number;
}

export interface StorageReaderStats {
  read: number;
  deleted: number;
  direct: number;
  scans: number;
  /** Times the storage was found full. */
  fullFound: number;
  /** Headers that came without a PDU line: nothing stored or deleted, read again by a later scan. */
  noPdu: number;
  /** Delivery reports read from the modem's report storage (`+CDSI`) and handed to the outbox. */
  reports: number;
  errors: number;
}

export interface StorageReaderEvents {
  /** A scan finished (tests and the status page). */
  scanned: [{ listed: number; deleted: number }];
  /** One storage check finished, with what `AT+CPMS?` said. */
  checked: [StorageUsage[]];
}

interface ReadJob {
  storage: string | null;
  index: number;
}

// Vendor "message memory full" indications that reach us as unknown lines (Huawei ^SMMEMFULL,
// SIMCom +CIEV: "SMSFULL"/"MESSAGE", Quectel +QIND: "smsfull" when not filtered as noise).
const MEMORY_FULL = /SMMEMFULL|SMSFULL|MEMFULL/i;

/** See the module comment. */
export class StorageReader extends EventEmitter<StorageReaderEvents> {
  readonly stats: StorageReaderStats = { read: 0, deleted: 0, direct: 0, scans: 0, fullFound: 0, noPdu: 0, reports: 0, errors: 0 };
  private readonly modem: Modem;
  private readonly inbox: Inbox;
  private readonly log: Logger;
  private readonly checkIntervalMs: number;
  private readonly listTimeoutMs: number;
  private readonly reads = new Map<string, ReadJob>();
  private scanWanted = false;
  private checkWanted = false;
  private running: Promise<void> | null = null;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  /** The engine the modem last finished initialising on: before that, PDU mode is not set. */
  private readyEngine: AtEngine | null = null;
  /** What `AT+CPMS` was last set to or read as (mem1: where CMGR/CMGL/CMGD look). */
  private mem1: string | null = null;
  /** The storage new messages go to (mem3), listed too when it differs from mem1. */
  private mem3: string | null = null;
  /** Messages left on the SIM on purpose (drafts, sent copies): a check ignores this many. */
  private foreign = 0;

  constructor(options: StorageReaderOptions) {
    super();
    this.modem = options.modem;
    this.inbox = options.inbox;
    this.log = options.log.child({ module: 'inbox', modem: options.modem.label });
    this.checkIntervalMs = options.checkIntervalMs ?? 60_000;
    this.listTimeoutMs = options.listTimeoutMs ?? 30_000;
  }

  /** Listen to the modem; call before `modem.start()` so the first initialisation is seen. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.modem.on('urc', this.onUrc);
    this.modem.on('initialised', this.onInitialised);
    this.timer = setInterval(() => this.request('check'), this.checkIntervalMs);
    this.timer.unref();
  }

  /** Stop listening and wait for the command in progress (bounded by its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.modem.off('urc', this.onUrc);
    this.modem.off('initialised', this.onInitialised);
    this.readyEngine?.off('unknown', this.onUnknownLine);
    await this.running;
  }

  /** Ask for a storage check now (as the periodic timer does). */
  checkNow(): void {
    this.request('check');
  }

  private readonly onInitialised = (): void => {
    const engine = this.modem.engine;
    if (engine !== this.readyEngine) {
      this.readyEngine?.off('unknown', this.onUnknownLine);
      engine?.on('unknown', this.onUnknownLine);
      // A new port: whatever was selected before is gone with the old connection.
      this.mem1 = null;
      this.mem3 = null;
    }
    this.readyEngine = engine;
    this.request('scan');
  };

  private readonly onUnknownLine = (line: string): void => {
    if (!MEMORY_FULL.test(line)) return;
    this.log.warn({ line: line.slice(0, 60) }, 'the modem says its message memory is full; reading it now');
    this.request('scan');
  };

  private readonly onUrc = (u: Urc): void => {
    switch (u.name) {
      case 'cmti': {
        const info = parseCmti(u.line);
        if (!info) {
          this.log.warn({ line: u.line.slice(0, 60) }, 'unparsable +CMTI; checking the storage instead');
          this.request('check');
          return;
        }
        this.enqueueRead(info);
        return;
      }
      case 'cdsi': {
        const info = parseCdsi(u.line);
        if (!info) {
          this.stats.errors++;
          this.log.warn({ line: u.line.slice(0, 60) }, 'unparsable +CDSI; that delivery report stays in the modem');
          return;
        }
        this.enqueueRead(info);
        return;
      }
      case 'cmt':
        this.onDirect(u);
        return;
      default:
        return;
    }
  };

  /** Read the message (or stored report) at this storage index; a second indication for it is one read. */
  private enqueueRead(info: { storage: string; index: number }): void {
    this.reads.set(`${info.storage}:${info.index}`, { storage: info.storage, index: info.index });
    this.kick();
  }

  /** `+CMT: ,<len>` + PDU: the message exists only in this line, so it is stored at once. */
  private onDirect(u: Urc): void {
    const header = parseCmtHeader(u.line);
    const pdu = u.body[0];
    if (pdu === undefined) {
      this.stats.errors++;
      this.log.warn({ line: u.line.slice(0, 60) }, '+CMT came without its PDU line; the message could not be read');
      return;
    }
    try {
      this.stats.direct++;
      this.deliver(pdu, header?.length ?? null);
    } catch (err) {
      this.stats.errors++;
      this.log.error({ err: describeError(err) }, 'could not store a directly delivered message');
    }
  }

  private request(what: 'scan' | 'check'): void {
    if (what === 'scan') this.scanWanted = true;
    else this.checkWanted = true;
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      // Work that came in while the last command finished.
      if (!this.stopped && this.ready() && (this.scanWanted || this.reads.size > 0 || this.checkWanted)) this.kick();
    });
  }

  private ready(): AtEngine | null {
    const engine = this.modem.engine;
    return engine && !engine.isClosed && engine === this.readyEngine ? engine : null;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const engine = this.ready();
      if (!engine || this.stopped) return;
      try {
        if (this.scanWanted) {
          this.scanWanted = false;
          this.checkWanted = false;
          await this.scan(engine);
          continue;
        }
        const [key, job] = this.reads.entries().next().value ?? [];
        if (key !== undefined && job !== undefined) {
          this.reads.delete(key);
          await this.readOne(engine, job);
          continue;
        }
        if (this.checkWanted) {
          this.checkWanted = false;
          await this.check(engine);
          continue;
        }
        return;
      } catch (err) {
        if (err instanceof AtError && (err.code === ErrorCodes.AT_CLOSED || engine.isClosed)) return;
        this.stats.errors++;
        this.log.warn({ err: describeError(err) }, 'reading the SIM storage failed; will check again');
        // Whatever was not read stays on the SIM; the next check or scan finds it.
        return;
      }
    }
  }

  private line(): ReceivingLine {
    const i = this.modem.info;
    return { label: i.label, imei: i.imei, iccid: i.iccid };
  }

  private deliver(pdu: string, length: number | null): ReceiveResult {
    const result = this.inbox.receive(pdu, { line: this.line(), length });
    if (result.kind === 'status-report') {
      // A delivery report kept in the message storage (modems that ignore +CNMI's ds): handed
      // to the outbox exactly as if the modem had printed it as +CDS, which it listens for.
      this.modem.emit('urc', { name: 'cds', line: `+CDS: ${length ?? tpduLength(pdu)}`, body: [pdu.trim()], receivedAt: performance.now() });
    }
    return result;
  }

  /** Point mem1 at `storage` (only when it is not already there). */
  private async select(engine: AtEngine, storage: string | null): Promise<void> {
    if (storage === null || storage === this.mem1) return;
    try {
      await engine.send(`AT+CPMS="${storage}"`);
    } catch (err) {
      // A timeout may come after the modem switched: what it points at is not known any more,
      // so the next read selects again instead of trusting the old value.
      this.mem1 = null;
      throw err;
    }
    this.mem1 = storage;
  }

  private async readStorageInfo(engine: AtEngine): Promise<StorageUsage[]> {
    const res = await engine.send('AT+CPMS?', { allowError: true });
    const usage = res.lines.map(parseCpms).find((u) => u !== null) ?? [];
    this.mem1 = usage[0]?.storage ?? this.mem1;
    this.mem3 = usage[2]?.storage ?? usage[0]?.storage ?? this.mem3;
    return usage;
  }

  private async readOne(engine: AtEngine, job: ReadJob): Promise<void> {
    if (job.storage !== 'SR') return this.readAt(engine, job);
    // The report storage is mem1 only for this read: scans and checks count messages in mem1.
    const previous = this.mem1;
    try {
      await this.readAt(engine, job);
    } finally {
      if (previous !== null && previous !== 'SR' && !engine.isClosed) await this.select(engine, previous);
    }
  }

  private async readAt(engine: AtEngine, job: ReadJob): Promise<void> {
    await this.select(engine, job.storage);
    const res = await engine.send(`AT+CMGR=${job.index}`, { responsePrefix: null, allowError: true });
    if (res.final.kind !== 'ok') {
      // +CMS ERROR: 321 (invalid index): already read and deleted, e.g. by a scan a moment ago.
      this.log.debug({ index: job.index, final: res.final.kind }, 'nothing to read at this index');
      return;
    }
    const at = res.lines.findIndex((l) => /^\+CMGR:/i.test(l));
    const header = at < 0 ? null : parseCmgr(res.lines[at] ?? '');
    if (at < 0) return; // an empty slot answers a bare OK on some modems
    if (header && (header.stat === 2 || header.stat === 3)) return; // a draft or a sent copy, not ours
    const pdu = pduAfter(res.lines, at, CMGR_HEADER);
    if (pdu === null) {
      this.noPdu(job.index, res.lines.slice(at, at + 3));
      return;
    }
    this.stats.read++;
    const result = this.deliver(pdu, header?.length ?? null);
    if (result.kind === 'status-report' && job.storage === 'SR') this.stats.reports++;
    if (result.kind === 'not-inbound') return;
    await this.remove(engine, job.index);
  }

  /**
   * A header came without a PDU line (only a stray modem line, or nothing, after it). Nothing is
   * stored and nothing deleted: storing the stray line as an "undecodable message" and then
   * deleting the slot would lose the real message. It stays on the SIM for the next scan.
   */
  private noPdu(index: number, lines: readonly string[]): void {
    this.stats.errors++;
    this.stats.noPdu++;
    this.log.warn({ index, lines: lines.map((l) => l.slice(0, 60)) }, 'a stored message was listed without its PDU; left on the SIM to be read again');
  }

  private async remove(engine: AtEngine, index: number): Promise<void> {
    const res = await engine.send(`AT+CMGD=${index}`, { allowError: true });
    if (res.final.kind === 'ok') this.stats.deleted++;
    else this.log.warn({ index, final: res.final.kind }, 'the modem refused to delete a stored message; it will be recognised when read again');
  }

  /** List every storage new messages may be in, store each message, then delete it. */
  private async scan(engine: AtEngine): Promise<void> {
    this.stats.scans++;
    const usage = await this.readStorageInfo(engine);
    const storages = [...new Set([this.mem3, this.mem1].filter((s): s is string => s !== null))];
    if (storages.length === 0) storages.push('');
    let listed = 0;
    let deleted = 0;
    let foreign = 0;
    for (const storage of storages) {
      if (storage !== '') await this.select(engine, storage);
      // A full SIM lists for a while, but a silent modem is hung: 5 s without a line ends it.
      const res = await engine.send('AT+CMGL=4', { responsePrefix: null, timeoutMs: this.listTimeoutMs, idleTimeoutMs: 5000, allowError: true });
      if (res.final.kind !== 'ok') {
        this.log.warn({ storage, final: res.final.kind }, 'the modem refused to list its messages');
        continue;
      }
      for (const entry of listEntries(res.lines)) {
        listed++;
        if (entry.stat === 2 || entry.stat === 3) {
          foreign++;
          continue;
        }
        if (entry.pdu === null) {
          // Not counted as foreign: the storage check then sees it and asks for another scan.
          this.noPdu(entry.index, []);
          continue;
        }
        this.stats.read++;
        const result = this.deliver(entry.pdu, entry.length);
        if (result.kind === 'not-inbound') {
          foreign++;
          continue;
        }
        await this.remove(engine, entry.index);
        deleted++;
      }
      // Reading every message can free memory the network was waiting for; re-check the reader's queue.
    }
    this.foreign = foreign;
    if (listed > 0) this.log.info({ listed, deleted, storages, usage: usage.map((u) => `${u.storage ?? '?'} ${u.used}/${u.total}`) }, 'read the SIM storage');
    this.emit('scanned', { listed, deleted });
  }

  /** `AT+CPMS?`: more messages than we left there on purpose means some were never announced. */
  private async check(engine: AtEngine): Promise<void> {
    const usage = await this.readStorageInfo(engine);
    this.emit('checked', usage);
    if (usage.length === 0) {
      // A modem that will not say how full it is: list the storage instead (AT+CMGL=4 is harmless).
      this.scanWanted = true;
      return;
    }
    const relevant = usage.filter((u, i) => i === 0 || i === 2);
    const full = relevant.some((u) => u.total > 0 && u.used >= u.total);
    if (full) {
      this.stats.fullFound++;
      this.log.warn({ usage: relevant.map((u) => `${u.storage ?? '?'} ${u.used}/${u.total}`) }, 'SIM message storage is full; new messages are held by the network until it is emptied');
    }
    if (full || relevant.some((u) => u.used > this.foreign)) this.scanWanted = true;
  }
}

/** One message of an `AT+CMGL` answer. */
export interface ListEntry {
  index: number;
  stat: number | null;
  length: number | null;
  /** The PDU in hex; null when the header had no PDU line before the next header. */
  pdu: string | null;
}

const CMGR_HEADER = /^\+CMGR:/i;
const CMGL_HEADER = /^\+CMGL:/i;
/** A PDU line: hex digits only. Modem lines that slip in (`^SMMEMFULL: "SM"`, `+CPIN: READY`) never are. */
const HEX_LINE = /^[0-9A-F]+$/i;

/**
 * The PDU of the header at `at`: the first hex-only line after it and before the next header.
 * Null when there is none. The line right after the header is not trusted blindly: vendors
 * print indications between a header and its PDU (Huawei `^SMMEMFULL`, a late `+CPIN`).
 */
export function pduAfter(lines: readonly string[], at: number, header: RegExp): string | null {
  for (let i = at + 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (header.test(line)) return null;
    if (HEX_LINE.test(line)) return line;
  }
  return null;
}

/** `+CMGL: <index>,<stat>,,<len>` lines, each with its PDU (see {@link pduAfter}). */
export function listEntries(lines: readonly string[]): ListEntry[] {
  const out: ListEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = parseCmgl(lines[i] ?? '');
    if (!header) continue;
    out.push({ index: header.index, stat: header.stat, length: header.length, pdu: pduAfter(lines, i, CMGL_HEADER) });
  }
  return out;
}
