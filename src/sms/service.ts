import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import type { Modem } from '../modem/modem.js';
import type { CallRow } from '../store/calls.js';
import type { Db } from '../store/db.js';
import { OptOutStore } from '../store/optouts.js';
import type { SmsRow, SmsStatus } from '../store/outbox.js';
import type { SyncLog } from '../store/sync-log.js';
import { SmsOutbox } from './outbox.js';
import { ReplyPolicy, type ReplyStats } from './reply-policy.js';
import { modemRole, smsSettings } from './settings.js';
import { SmsPageProvider } from './web-provider.js';
import { SmsWorker, type SmsStatusSnapshot, type SmsWorkerTimings } from './worker.js';

/** What the SMS side is built from (the App passes its database, sync log and clock). */
export interface SmsServiceOptions {
  /** Replaced by `applyConfig` when HQ pushes a configuration. */
  config: Config;
  db: Db;
  syncLog: SyncLog;
  log: Logger;
  /** Epoch milliseconds; tests move it to cross quiet hours, blackouts and days. */
  clock?: () => number;
  timings?: Partial<SmsWorkerTimings>;
}

/** One message as `/api/sms` shows it. Times are ISO 8601 (UTC). */
export interface SmsView {
  id: string;
  kind: string;
  to: string;
  text: string;
  parts: number;
  status: SmsStatus;
  attempts: number;
  modem: string | null;
  sim: string | null;
  lastError: string | null;
  templateId: string | null;
  callId: string | null;
  queuedAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  nextAttemptAt: string | null;
  /** Why a queued message is not going out now (quiet hours, blackout, daily limit, …). */
  waiting: string | null;
  partDetails: { part: number; status: string; reference: number | null; attempts: number; lastError: string | null }[];
}

/** The `sms` block of `/api/status`. */
export interface SmsStatusView {
  counts: Record<SmsStatus, number>;
  waiting: { code: string; reason: string; until: string | null } | null;
  oldestWaitingAt: string | null;
  dailyLimitPerSim: number;
  lines: {
    label: string;
    role: string;
    sim: string | null;
    state: string;
    sending: { sms: string; part: number; parts: number } | null;
    sentToday: number;
    limitReached: boolean;
    pausedUntil: string | null;
    reason: string | null;
  }[];
  replies: ReplyStats;
  reports: SmsStatusSnapshot['reports'];
  /** Errors the worker caught and logged instead of crashing (a database error); see docs/SMS.md. */
  errors: SmsStatusSnapshot['errors'];
  optedOut: number;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/**
 * Everything SMS, put together from the config: the opt-out list, the outbox, the reply
 * policy (a record hook of the call handler) and the worker that sends through the modems.
 * Created before the modems (messages left in `sending` by a crash are queued again at once);
 * `start` once the modems exist, `stop` before they are stopped.
 */
export class SmsService {
  readonly optOuts: OptOutStore;
  readonly outbox: SmsOutbox;
  readonly replies: ReplyPolicy;
  /** The outbox for the status page (`WebDeps.providers.sms`). */
  readonly pageProvider: SmsPageProvider;
  worker: SmsWorker | null = null;

  constructor(private readonly opts: SmsServiceOptions) {
    const clock = opts.clock ?? Date.now;
    this.optOuts = new OptOutStore(opts.db, opts.syncLog);
    this.outbox = new SmsOutbox({ db: opts.db, syncLog: opts.syncLog, optOuts: this.optOuts, country: opts.config.country, log: opts.log, clock });
    this.replies = new ReplyPolicy({ config: opts.config, db: opts.db, outbox: this.outbox, optOuts: this.optOuts, log: opts.log, clock });
    this.pageProvider = new SmsPageProvider(this, () => this.opts.config.box.id);
    this.outbox.recover();
    if (!opts.config.reply) opts.log.warn('no "reply:" section in the configuration: calls are counted but callers get no SMS');
  }

  /** A new configuration is in force (HQ pushed reply text, limits, quiet hours or blackouts). */
  applyConfig(next: Config): void {
    this.opts.config = next;
    this.replies.configure(next);
    this.worker?.configure(smsSettings(next));
  }

  /** Record hook for the call handler: runs in the call's transaction. */
  onCall(row: CallRow): void {
    this.replies.onCall(row);
  }

  start(modems: readonly Modem[]): void {
    const roles = new Map(this.opts.config.modems.map((m) => [m.label, modemRole(m)]));
    this.worker = new SmsWorker({
      outbox: this.outbox,
      optOuts: this.optOuts,
      lines: modems.map((modem) => ({ modem, role: roles.get(modem.label) ?? 'both' })),
      settings: smsSettings(this.opts.config),
      log: this.opts.log,
      ...(this.opts.clock ? { clock: this.opts.clock } : {}),
      ...(this.opts.timings ? { timings: this.opts.timings } : {}),
    });
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
  }

  /** Newest first, for `/api/sms`. */
  list(query: { status?: SmsStatus; limit: number }): SmsView[] {
    return this.outbox.store.list(query).map((row) => this.view(row));
  }

  view(row: SmsRow): SmsView {
    return {
      id: row.id,
      kind: row.kind,
      to: row.to,
      text: row.text,
      parts: row.parts,
      status: row.status,
      attempts: row.attempts,
      modem: row.modem,
      sim: row.simIccid,
      lastError: row.lastError,
      templateId: row.templateId,
      callId: row.callId,
      queuedAt: new Date(row.queuedAt).toISOString(),
      sentAt: iso(row.sentAt),
      deliveredAt: iso(row.deliveredAt),
      failedAt: iso(row.failedAt),
      nextAttemptAt: row.status === 'queued' ? iso(row.nextAttemptAt) : null,
      waiting: this.worker?.explain(row) ?? (row.status === 'queued' ? 'the SMS sender has not started' : null),
      partDetails: this.outbox.parts(row.id).map((p) => ({
        part: p.part,
        status: p.status,
        reference: p.messageReference,
        attempts: p.attempts,
        lastError: p.lastError,
      })),
    };
  }

  status(): SmsStatusView {
    const s = this.worker?.status() ?? null;
    return {
      counts: s?.counts ?? this.outbox.store.counts(),
      waiting: s?.waiting ? { code: s.waiting.code, reason: s.waiting.reason, until: iso(s.waiting.until) } : null,
      oldestWaitingAt: iso(s?.oldestWaitingAt ?? this.outbox.store.oldestWaiting()),
      dailyLimitPerSim: smsSettings(this.opts.config).dailyLimitPerSim,
      lines: (s?.lines ?? []).map((l) => ({
        label: l.label,
        role: l.role,
        sim: l.iccid,
        state: l.state,
        sending: l.sending,
        sentToday: l.sentToday,
        limitReached: l.limitReached,
        pausedUntil: iso(l.pausedUntil),
        reason: l.reason,
      })),
      replies: structuredClone(this.replies.stats),
      reports: s?.reports ?? { matched: 0, unmatched: 0, bad: 0 },
      errors: s?.errors ?? { schedule: 0, reports: 0, commits: 0, sends: 0 },
      optedOut: this.optOuts.count(),
    };
  }
}
