/**
 * The page's data: one `Overview` built from the box's parts and the optional providers, so
 * that the overview page, the modem cards, the live updates and /api/overview all say the
 * same thing. Numbers here are whole; masking for viewers happens where they are shown.
 */
import type { EventParams } from '../events/event-log.js';
import { unreadableLines } from '../events/watch.js';
import type { Logger } from '../log.js';
import type { ModemCounters, ModemInfo } from '../modem/modem.js';
import type { CallReport, LineCallStats } from '../store/call-report.js';
import { localMidnight } from '../store/call-report.js';
import type { CallRow, CallStore } from '../store/calls.js';
import type { ReasonKind } from './i18n.js';
import type { Providers, SmsCounts, SmsModemUsage, SyncStatus } from './providers.js';
import type { SyncStatus as HqSyncStatus } from '../sync/service.js';

/** The box and its modems as `App.status()` reports them. */
export interface StatusSnapshot {
  box: string;
  name: string | null;
  version: string;
  uptimeSeconds: number;
  modems: (ModemInfo & { counters: ModemCounters })[];
  /** HQ sync: connection, backlog, last ack, last error (incl. a refused login), disk space. */
  sync?: HqSyncStatus | null;
}

/** One reason the box is not simply "all working". */
export interface Reason {
  level: 'warning' | 'problem';
  kind: ReasonKind;
  params: EventParams;
}

export type Verdict = 'ok' | 'warning' | 'problem';

/** A modem card's data. */
export interface ModemView extends ModemInfo {
  counters: ModemCounters;
  /** 0–4, from the signal in dBm (0 also when unknown). */
  bars: number;
  calls: LineCallStats;
  /** Null when no SMS provider says (yet). */
  sms: SmsModemUsage | null;
  /** Lines the box could not read (garbage, over-long, unparsable caller id, stray results). */
  unreadable: number;
}

export interface DiskSpace {
  free: number;
  total: number;
}

export interface Overview {
  now: number;
  box: { id: string; name: string | null; version: string; uptimeSeconds: number };
  verdict: Verdict;
  reasons: Reason[];
  today: { calls: number; uniqueCallers: number; newVolunteers: number | null };
  sms: SmsCounts | null;
  sync: SyncStatus | null;
  disk: DiskSpace | null;
  hourly: { hourStart: number; calls: number }[];
  modems: ModemView[];
  recentCalls: CallRow[];
  callsNotSaved: number;
}

/** What the model is built from. */
export interface OverviewSources {
  log: Logger;
  status: () => StatusSnapshot;
  calls: CallStore;
  report: CallReport;
  providers: Providers;
  /** Calls that could not be written since start (the call handler's counter). */
  callsNotSaved?: () => number;
  disk?: () => DiskSpace | null;
  now?: () => number;
}

/** Signal in dBm → bars, as a phone shows them (GSM thresholds). */
export function signalBars(dbm: number | null): number {
  if (dbm === null) return 0;
  if (dbm >= -73) return 4;
  if (dbm >= -83) return 3;
  if (dbm >= -93) return 2;
  if (dbm >= -105) return 1;
  return 0;
}

/** Below this the line drops calls and SMS: worth a technician's visit. */
export const WEAK_SIGNAL_DBM = -103;
/** A modem still starting after this long is worth mentioning. */
const SLOW_START_MS = 30_000;
const MINUTE = 60_000;
const MiB = 1024 * 1024;

/**
 * The health verdict and its reasons, in the order a technician should act on them.
 * Pure: the same inputs give the same reasons (tested without a box).
 */
export function healthReasons(input: {
  now: number;
  modems: readonly Pick<ModemView, 'label' | 'state' | 'stateSince' | 'signalDbm' | 'lastError'>[];
  sync: SyncStatus | null;
  sms: SmsCounts | null;
  disk: DiskSpace | null;
  callsNotSaved: number;
}): { verdict: Verdict; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const { now } = input;
  if (input.callsNotSaved > 0) reasons.push({ level: 'problem', kind: 'calls-not-saved', params: { count: input.callsNotSaved } });
  const working = input.modems.filter((m) => m.state === 'ready');
  if (input.modems.length > 0 && working.length === 0 && input.modems.some((m) => m.state !== 'stopped')) {
    reasons.push({ level: 'problem', kind: 'no-modem-ready', params: {} });
  }
  for (const m of input.modems) {
    switch (m.state) {
      case 'no-sim':
        reasons.push({ level: 'problem', kind: 'modem-state', params: { label: m.label, state: m.state, detail: /PIN/i.test(m.lastError ?? '') ? 'pin' : null } });
        break;
      case 'not-registered':
      case 'unresponsive':
      case 'gone':
        reasons.push({ level: 'problem', kind: 'modem-state', params: { label: m.label, state: m.state } });
        break;
      case 'opening':
      case 'initialising':
        if (now - m.stateSince > SLOW_START_MS) reasons.push({ level: 'warning', kind: 'modem-state', params: { label: m.label, state: m.state } });
        break;
      case 'ready':
        if (m.signalDbm !== null && m.signalDbm < WEAK_SIGNAL_DBM) {
          reasons.push({ level: 'warning', kind: 'weak-signal', params: { label: m.label, dbm: m.signalDbm } });
        }
        break;
      case 'stopped':
        break;
    }
  }
  const sync = input.sync;
  if (sync && sync.enabled !== false) {
    if (!sync.connected) {
      const since = sync.since ?? null;
      const down = since === null ? null : now - since;
      if (down === null || down > 5 * MINUTE) {
        reasons.push({
          level: down !== null && down > 24 * 60 * MINUTE ? 'problem' : 'warning',
          kind: 'sync-down',
          params: { since, now, backlog: sync.backlog },
        });
      }
    } else if (sync.backlog > 0 && (sync.lastAckAt === null || now - sync.lastAckAt > 30 * MINUTE)) {
      reasons.push({ level: 'warning', kind: 'sync-behind', params: { backlog: sync.backlog, lastAckAt: sync.lastAckAt, now } });
    }
  }
  if (input.sms) {
    if (input.sms.failedToday > 0) reasons.push({ level: 'warning', kind: 'sms-failed', params: { count: input.sms.failedToday } });
    if (input.sms.queued > 100) reasons.push({ level: 'warning', kind: 'sms-queue', params: { count: input.sms.queued } });
  }
  if (input.disk) {
    const { free, total } = input.disk;
    if (free < 200 * MiB || free < total * 0.05) reasons.push({ level: 'problem', kind: 'disk-low', params: { free } });
    else if (free < 1024 * MiB || free < total * 0.1) reasons.push({ level: 'warning', kind: 'disk-low', params: { free } });
  }
  // Problems first, keeping the order above within a level.
  reasons.sort((a, b) => (a.level === b.level ? 0 : a.level === 'problem' ? -1 : 1));
  const verdict: Verdict = reasons.some((r) => r.level === 'problem') ? 'problem' : reasons.length > 0 ? 'warning' : 'ok';
  return { verdict, reasons };
}

/**
 * Builds the overview, at most once per `maxAgeMs` (several phones and the live stream ask
 * at once; the box has better things to do than answer the same queries for each), and again
 * at once after `invalidate()` (a call came in, a modem changed state).
 */
export class OverviewSource {
  private cached: Overview | null = null;
  private builtAt = 0;
  private readonly now: () => number;

  constructor(
    private readonly src: OverviewSources,
    private readonly maxAgeMs = 1000,
  ) {
    this.now = src.now ?? Date.now;
  }

  invalidate(): void {
    this.cached = null;
  }

  get(): Overview {
    const now = this.now();
    if (this.cached && now - this.builtAt < this.maxAgeMs) return this.cached;
    this.cached = this.build(now);
    this.builtAt = now;
    return this.cached;
  }

  /** A provider that throws must not take the whole page down: its part shows as not available. */
  private safely<T>(what: string, read: () => T): T | null {
    try {
      return read();
    } catch (err) {
      this.src.log.warn({ err: err instanceof Error ? err.message : String(err), part: what }, 'status page: a data source failed');
      return null;
    }
  }

  private build(now: number): Overview {
    const { src } = this;
    const status = src.status();
    const midnight = localMidnight(now);
    const p = src.providers;
    const today = src.calls.countSinceTime(midnight);
    const lines = src.report.lineStats(
      status.modems.map((m) => m.label),
      midnight,
    );
    const smsUsage = p.sms?.usageByModem ? this.safely('sms usage', () => p.sms?.usageByModem?.(midnight) ?? null) : null;
    const modems: ModemView[] = status.modems.map((m) => ({
      ...m,
      bars: signalBars(m.signalDbm),
      calls: lines.get(m.label) ?? { callsToday: 0, lastCallAt: null, medianLatencyMs: null },
      sms: smsUsage?.get(m.label) ?? null,
      unreadable: unreadableLines(m.counters),
    }));
    const sms = p.sms ? this.safely('sms', () => p.sms?.counts(midnight) ?? null) : null;
    const sync = p.sync ? this.safely('sync', () => p.sync?.status() ?? null) : null;
    const newVolunteers = p.volunteers ? this.safely('volunteers', () => p.volunteers?.joinedSince(midnight) ?? null) : null;
    const disk = src.disk ? this.safely('disk', () => src.disk?.() ?? null) : null;
    const callsNotSaved = src.callsNotSaved?.() ?? 0;
    const { verdict, reasons } = healthReasons({ now, modems, sync, sms, disk, callsNotSaved });
    return {
      now,
      box: { id: status.box, name: status.name, version: status.version, uptimeSeconds: status.uptimeSeconds },
      verdict,
      reasons,
      today: { calls: today.calls, uniqueCallers: today.uniqueCallers, newVolunteers },
      sms,
      sync,
      disk,
      hourly: src.report.callsPerHour(now),
      modems,
      recentCalls: src.calls.list({ limit: 5 }),
      callsNotSaved,
    };
  }
}
