import type { FastifyInstance } from 'fastify';
import { CallHandler } from './calls/call-handler.js';
import { callSyncPayload } from './calls/sync-record.js';
import type { Config } from './config/load.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';
import { Modem, type ModemTimings } from './modem/modem.js';
import { openSerialPort, type PortOpener } from './modem/serial.js';
import { CallStore } from './store/calls.js';
import { openDatabase, type Db } from './store/db.js';
import { SyncLog } from './store/sync-log.js';
import { version } from './version.js';
import { buildWebApp, type StatusSnapshot } from './web/app.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Real serial ports by default; the demo passes simulated modems. */
  openPort?: PortOpener;
  timings?: Partial<ModemTimings>;
  /** Skip the HTTP server (benchmarks). */
  http?: boolean;
}

/**
 * The composition root: builds every part from the config and starts and stops them in order.
 * Start: database (migrated) → call policy → modems → web. Stop: web → modems (in-flight
 * commands finish) → calls being written → database.
 */
export class App {
  readonly config: Config;
  readonly log: Logger;
  readonly modems: Modem[] = [];
  db!: Db;
  calls!: CallStore;
  handler!: CallHandler;
  syncLog!: SyncLog;
  web: FastifyInstance | null = null;
  private readonly startedAt = Date.now();
  private readonly openPort: PortOpener;

  constructor(private readonly options: AppOptions) {
    this.config = options.config;
    this.log = options.log;
    this.openPort = options.openPort ?? openSerialPort;
  }

  async start(): Promise<void> {
    const c = this.config;
    this.db = openDatabase(c.database);
    this.calls = new CallStore(this.db);
    this.syncLog = new SyncLog(this.db);
    this.handler = new CallHandler({ db: this.db, calls: this.calls, country: c.country, log: this.log });
    // Headquarters hears of every call through the sync log, written in the call's transaction.
    this.handler.addRecordHook((row) => this.syncLog.append(row.id, 'call', callSyncPayload(row)));
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
      this.modems.push(modem);
      modem.start();
    }
    if (this.options.http !== false) {
      this.web = await buildWebApp({ log: this.log, status: () => this.status(), calls: this.calls });
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
    };
  }

  /** The address the web server listens on (tests ask for port 0). */
  address(): string | null {
    const a = this.web?.server.address();
    return a && typeof a === 'object' ? `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : null;
  }

  async stop(): Promise<void> {
    this.log.info('stopping');
    if (this.web) await this.web.close().catch(() => undefined);
    this.web = null;
    await Promise.all(this.modems.map((m) => m.stop()));
    if (this.handler) await this.handler.drain();
    if (this.db?.open) this.db.close();
    this.log.info('stopped');
  }
}
