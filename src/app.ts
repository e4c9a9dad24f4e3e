import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CallHandler } from './calls/call-handler.js';
import { callSyncPayload } from './calls/sync-record.js';
import type { Config } from './config/load.js';
import { PUSHABLE_KEYS } from './config/schema.js';
import { describeError } from './errors.js';
import { EventLog } from './events/event-log.js';
import { sampleCounters, watchModem } from './events/watch.js';
import type { Logger } from './log.js';
import { Modem, type ModemTimings } from './modem/modem.js';
import { openSerialPort, type PortOpener } from './modem/serial.js';
import { InboundService } from './inbox/service.js';
import { SmsService } from './sms/service.js';
import type { SmsWorkerTimings } from './sms/worker.js';
import { CallStore } from './store/calls.js';
import { openDatabase, type Db } from './store/db.js';
import { EventStore } from './store/events.js';
import { SyncLog } from './store/sync-log.js';
import { SyncService, type SyncTuning } from './sync/service.js';
import { version } from './version.js';
import { buildWebApp, type StatusSnapshot } from './web/app.js';

/**
 * The event log's table, or none (memory only, with a warning) when this database lacks it:
 * a development database migrated past version 5 before that migration existed.
 */
function eventStore(db: Db, log: Logger): { store?: EventStore } {
  try {
    return { store: new EventStore(db) };
  } catch (err) {
    log.warn({ err: describeError(err) }, 'the event log cannot be kept in this database; keeping it in memory only');
    return {};
  }
}

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Real serial ports by default; the demo passes simulated modems. */
  openPort?: PortOpener;
  timings?: Partial<ModemTimings>;
  /** Skip the HTTP server (benchmarks). */
  http?: boolean;
  /** The config file, named on the status page's first-run instructions. */
  configPath?: string;
  /** Sync knobs that are not configuration keys (tests, benchmark). */
  syncTuning?: Partial<SyncTuning>;
  /** SMS timeouts and retry limits (tests shorten them). */
  smsTimings?: Partial<SmsWorkerTimings>;
  /** Epoch-ms clock of the SMS side (quiet hours, blackouts, daily limits); tests move it. */
  clock?: () => number;
}

/**
 * Called when the configuration in force changes (HQ pushed one, or cleared its push), with
 * the key paths whose values changed. A module that reads a pushable key subscribes here.
 */
export type ConfigListener = (next: Config, previous: Config, changed: readonly string[]) => void;

/**
 * The composition root: builds every part from the config and starts and stops them in order.
 * Start: database (migrated) → HQ sync (a pushed configuration restored) → call policy →
 * modems → web. Stop: web → modems (in-flight commands finish) → calls being written → HQ
 * sync (clean MQTT disconnect) → database.
 */
export class App {
  /** The configuration in force: the file, with HQ's last accepted push laid over it. */
  config: Config;
  /** The configuration as read from the file. */
  readonly fileConfig: Config;
  readonly log: Logger;
  readonly modems: Modem[] = [];
  db!: Db;
  calls!: CallStore;
  handler!: CallHandler;
  private readonly writePendingCalls = (): void => {
    if (this.db?.open) this.handler.writePending();
  };
  syncLog!: SyncLog;
  web: FastifyInstance | null = null;
  /** What happened, in words for the status page (kept in the database); set by `start`. */
  events!: EventLog;
  private readonly unwatch: (() => void)[] = [];
  /** Outbox, reply policy, opt-outs and the SMS sender; set by `start`. */
  sms: SmsService | null = null;
  /** Inbound SMS, keywords and volunteers (docs/VOLUNTEERS.md); set by `start`. */
  inbound: InboundService | null = null;
  /** HQ sync (MQTT, retention, disk guard); null until started. */
  sync: SyncService | null = null;
  private readonly configListeners: ConfigListener[] = [];
  private readonly startedAt = Date.now();
  private readonly openPort: PortOpener;

  constructor(private readonly options: AppOptions) {
    this.config = options.config;
    this.fileConfig = options.config;
    this.log = options.log;
    this.openPort = options.openPort ?? openSerialPort;
  }

  async start(): Promise<void> {
    let c = this.config;
    this.db = openDatabase(c.database);
    this.calls = new CallStore(this.db);
    this.syncLog = new SyncLog(this.db);
    this.events = new EventLog({ log: this.log, ...eventStore(this.db, this.log) });
    this.events.add({ level: 'info', source: 'box', kind: 'box-started', params: { version } });
    // Sync starts right after the database: a pushed configuration stored by the last run is
    // in force before anything below reads the configuration.
    this.onConfigChange((next) => {
      this.log.level = next.log.level;
    });
    this.sync = new SyncService({
      db: this.db,
      config: c,
      fileConfig: this.fileConfig,
      log: this.log,
      version,
      pushable: PUSHABLE_KEYS,
      currentConfig: () => this.config,
      applyConfig: (next, changed) => this.applyConfig(next, changed),
      statusSummary: () => ({ modems: this.modems.map((m) => ({ label: m.info.label, state: m.info.state, operator: m.info.operator, signalDbm: m.info.signalDbm })) }),
      ...(this.options.syncTuning ? { tuning: this.options.syncTuning } : {}),
    });
    const pushed = this.sync.restorePushedConfig();
    if (pushed) this.applyConfig(pushed, []);
    c = this.config;
    this.sync.start();
    this.handler = new CallHandler({ db: this.db, calls: this.calls, country: c.country, log: this.log });
    // A call hung up on is written at the end of its event-loop turn; a process that exits in
    // that turn (a second Ctrl-C, an uncaught exception) writes it on the way out.
    process.on('exit', this.writePendingCalls);
    // Headquarters hears of every call through the sync log, written in the call's transaction.
    this.handler.addRecordHook((row) => this.syncLog.append(row.id, 'call', callSyncPayload(row)));
    // The reply is queued in the call's transaction too (docs/SMS.md); a crash keeps both or neither.
    const sms = new SmsService({ config: c, db: this.db, syncLog: this.syncLog, log: this.log, ...(this.options.clock ? { clock: this.options.clock } : {}), ...(this.options.smsTimings ? { timings: this.options.smsTimings } : {}) });
    this.sms = sms;
    this.handler.addRecordHook((row) => sms.onCall(row));
    this.onConfigChange((next) => sms.applyConfig(next));
    // Keyword answers go through the outbox, STOP/START through its opt-out list.
    const inbound = new InboundService({ config: c, db: this.db, syncLog: this.syncLog, queue: sms.outbox, optOuts: sms.optOuts, log: this.log, ...(this.options.clock ? { clock: this.options.clock } : {}) });
    this.inbound = inbound;
    this.log.info({ box: c.box.id, version, database: c.database, modems: c.modems.length }, 'starting');
    this.handler.warmUp();
    for (const m of c.modems) {
      const modem = new Modem({
        port: m.port,
        label: m.label,
        campaign: m.campaign ?? null,
        baudRate: m.baudRate,
        profile: m.profile,
        openPort: this.openPort,
        log: this.log,
        ring: { clipWaitMs: c.calls.clipWaitMs, cycleGapMs: c.calls.ringCycleGapMs, sameCallGuardMs: 3000 },
        timings: { pollMs: c.modemPoll.intervalSeconds * 1000, ...this.options.timings },
      });
      this.handler.attach(modem);
      inbound.attach(modem);
      this.modems.push(modem);
      this.unwatch.push(watchModem(this.events, modem));
      modem.start();
    }
    // After the modems: the sender needs them; it waits for each to be ready on its own.
    sms.start(this.modems);
    inbound.start();
    const handler = this.handler;
    this.unwatch.push(
      sampleCounters({
        events: this.events,
        modems: this.modems.map((m) => ({ label: m.label, counters: () => m.counters, state: () => m.info.state })),
        handlerStats: () => handler.stats,
      }),
    );
    if (this.options.http !== false) {
      const database = c.database;
      this.web = await buildWebApp({
        log: this.log,
        status: () => this.status(),
        calls: this.calls,
        db: this.db,
        sms,
        // Sync shows on the page only where it is configured; without mqtt.url there is nothing to be down.
        providers: { sms: sms.pageProvider, ...inbound.pageProviders, ...(this.sync ? { sync: this.sync } : {}) },
        inbound: { messages: inbound.messages, volunteers: inbound.volunteers, status: () => inbound.status() },
        auth: { users: c.http.users, sessionHours: c.http.sessionHours, configPath: this.options.configPath ?? null },
        events: this.events,
        handler: this.handler,
        modems: this.modems,
        restartModem: (label) => this.modems.find((m) => m.label === label)?.restart() ?? false,
        country: c.country,
        disk: () => {
          const fs = statfsSync(dirname(database));
          return { free: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize };
        },
        trustProxy: c.http.trustProxy,
      });
      try {
        await this.web.listen({ host: c.http.host, port: c.http.port });
      } catch (err) {
        await this.stop();
        throw new Error(
          `cannot serve the status API on ${c.http.host}:${c.http.port}: ${describeError(err)} (is another missedcall running? change http.port)`,
        );
      }
    }
  }

  status(): StatusSnapshot {
    return {
      box: this.config.box.id,
      name: this.config.box.name ?? null,
      version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      modems: this.modems.map((m) => ({ ...m.info, counters: m.counters })),
      sync: this.sync?.status() ?? null,
    };
  }

  /** Subscribe to configuration changes pushed by HQ; returns the unsubscribe function. */
  onConfigChange(listener: ConfigListener): () => void {
    this.configListeners.push(listener);
    return () => {
      const i = this.configListeners.indexOf(listener);
      if (i >= 0) this.configListeners.splice(i, 1);
    };
  }

  /** Puts a configuration in force and tells every listener; one failing listener does not stop the others. */
  private applyConfig(next: Config, changed: readonly string[]): void {
    const previous = this.config;
    this.config = next;
    for (const listener of [...this.configListeners]) {
      try {
        listener(next, previous, changed);
      } catch (err) {
        this.log.error({ err: describeError(err), changed }, 'a module could not apply the new configuration');
      }
    }
  }

  /** The address the web server listens on (tests ask for port 0). */
  address(): string | null {
    const a = this.web?.server.address();
    return a && typeof a === 'object' ? `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : null;
  }

  async stop(): Promise<void> {
    this.log.info('stopping');
    this.events?.add({ level: 'info', source: 'box', kind: 'box-stopping' });
    if (this.web) await this.web.close().catch(() => undefined);
    this.web = null;
    // Before the modems: the part in flight finishes (bounded by the AT+CMGS timeout), no new one starts.
    if (this.sms) await this.sms.stop();
    if (this.inbound) await this.inbound.stop();
    await Promise.all(this.modems.map((m) => m.stop()));
    if (this.handler) await this.handler.drain();
    // Last before the database: calls written during shutdown stay in the log for the next run.
    if (this.sync) await this.sync.stop();
    this.sync = null;
    for (const unwatch of this.unwatch.splice(0)) unwatch();
    if (this.db?.open) this.events?.flush();
    process.off('exit', this.writePendingCalls);
    if (this.db?.open) this.db.close();
    this.log.info('stopped');
  }
}
