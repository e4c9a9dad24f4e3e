/**
 * Everything the box does about HQ, behind one start/stop/status: the MQTT link, the sync
 * worker, pushed configuration, the retained state and status messages, retention and the disk
 * guard. The app starts it right after the database and stops it right before the database
 * closes. Without `mqtt.url` only the local parts run (backlog count, retention, disk guard):
 * records wait in the database and go once a broker is configured.
 */
import type { Config } from '../config/load.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { databaseId, type Db } from '../store/db.js';
import { BatchStore, type BacklogCounts } from './batch-store.js';
import { displayUrl, MqttLink, type LinkMessage, type LinkState } from './mqtt-link.js';
import { parseTopic, topicFor, type ConfigEvent } from './protocol.js';
import { RemoteConfig, type RemoteConfigStatus } from './remote-config.js';
import { DiskGuard, pruneSynced, type DiskStatus } from './retention.js';
import { SyncWorker, type RetryingStatus, type SyncCounters } from './sync-worker.js';

/** Knobs that are not configuration keys (tests and the benchmark turn them). */
export interface SyncTuning {
  pollMs: number;
  maxInFlight: number;
  maxBatchBytes: number;
  connectTimeoutMs: number;
  /** A connection that lasted this long resets the reconnect backoff. */
  stableMs: number;
  retentionEveryMs: number;
  diskEveryMs: number;
}

const DEFAULT_TUNING: SyncTuning = {
  pollMs: 1000,
  maxInFlight: 4,
  maxBatchBytes: 512 * 1024,
  connectTimeoutMs: 30_000,
  stableMs: 30_000,
  retentionEveryMs: 6 * 3600_000,
  diskEveryMs: 60_000,
};

export interface SyncServiceOptions {
  db: Db;
  /** The configuration in force at start (mqtt, retention, box and database are read once). */
  config: Config;
  /** The configuration from the file alone, for pushed configuration to be laid over. */
  fileConfig: Config;
  log: Logger;
  version: string;
  /** Keys HQ may push. */
  pushable: readonly string[];
  /** The configuration in force now. */
  currentConfig: () => Config;
  /** Puts a new configuration in force (the app's onConfigChange). */
  applyConfig: (next: Config, changed: string[]) => void;
  /** The box summary in the retained `status` message (modems, calls). */
  statusSummary?: () => Record<string, unknown>;
  tuning?: Partial<SyncTuning>;
}

/** The `sync` object of /api/status. */
export interface SyncStatus {
  /** False without `mqtt.url`: records wait on the box. */
  enabled: boolean;
  /** The broker address, without credentials. */
  broker: string | null;
  state: LinkState;
  connected: boolean;
  connectedSince: number | null;
  /** When `connected` last changed: "HQ unreachable for 3 h". */
  since: number | null;
  /** The broker refused the username/password (or client id) at the last attempt. */
  authFailed: boolean;
  /** What is wrong now, in words (connection, login, TLS file, database), or null. */
  lastError: string | null;
  lastErrorAt: number | null;
  nextAttemptAt: number | null;
  /** Records HQ has not acknowledged yet. */
  backlog: number;
  /** Of those, not yet cut into a batch. */
  unsent: number;
  /** Batches sent (or to be re-sent) and waiting for HQ's ack. */
  inFlight: number;
  /** Records HQ rejected (alone, or with a whole batch HQ dead-lettered): kept on the box and flagged. */
  rejected: number;
  /** Batches HQ keeps answering `retry` for (its database refuses them, or is down); null when none. */
  retrying: RetryingStatus | null;
  oldestUnsyncedAt: number | null;
  lastAckAt: number | null;
  /** MQTT bytes sent and received since start: what sync costs on the SIM's data plan. */
  mqttBytesOut: number;
  mqttBytesIn: number;
  disk: DiskStatus & { warning: string | null };
  config: RemoteConfigStatus | null;
  counters: SyncCounters | null;
}

export class SyncService {
  private readonly log: Logger;
  private readonly tuning: SyncTuning;
  private readonly store: BatchStore;
  private readonly disk: DiskGuard;
  private readonly link: MqttLink | null = null;
  private readonly worker: SyncWorker | null = null;
  private readonly remote: RemoteConfig | null = null;
  private readonly events: ConfigEvent[] = [];
  private readonly box: string;
  private readonly prefix: string;
  private timers: NodeJS.Timeout[] = [];
  private diskWasLow = false;
  private retention: Promise<unknown> | null = null;
  private configChain: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly o: SyncServiceOptions) {
    this.log = o.log.child({ module: 'sync' });
    this.tuning = { ...DEFAULT_TUNING, ...o.tuning };
    this.store = new BatchStore(o.db);
    const c = o.config;
    this.box = c.box.id;
    this.prefix = c.mqtt.topicPrefix;
    this.disk = new DiskGuard(c.database, c.retention.minFreeMb * 1024 * 1024, Math.min(30_000, this.tuning.diskEveryMs));
    const url = c.mqtt.url;
    if (url === undefined) return;
    const topic = (kind: Parameters<typeof topicFor>[2]): string => topicFor(this.prefix, this.box, kind);
    const offline: LinkMessage = { topic: topic('state'), payload: '{"state":"offline"}', qos: 1, retain: true };
    this.link = new MqttLink({
      url,
      clientId: this.box,
      username: c.mqtt.username,
      password: c.mqtt.password,
      tls: { ca: c.mqtt.ca, cert: c.mqtt.cert, key: c.mqtt.key },
      keepaliveSeconds: c.mqtt.keepaliveSeconds,
      connectTimeoutMs: this.tuning.connectTimeoutMs,
      backoff: { minMs: c.mqtt.reconnectMinSeconds * 1000, maxMs: c.mqtt.reconnectMaxSeconds * 1000 },
      stableMs: this.tuning.stableMs,
      will: offline,
      birth: { ...offline, payload: '{"state":"online"}' },
      subscriptions: [
        { topic: topic('ack'), qos: 1 },
        { topic: topic('config'), qos: 1 },
      ],
      log: o.log,
    });
    this.worker = new SyncWorker({
      db: o.db,
      transport: this.link,
      log: o.log,
      box: this.box,
      dbId: databaseId(o.db),
      topicPrefix: this.prefix,
      batchSize: c.mqtt.batchSize,
      maxDelayMs: c.mqtt.maxDelaySeconds * 1000,
      ackTimeoutMs: c.mqtt.ackTimeoutSeconds * 1000,
      compress: c.mqtt.compress,
      maxInFlight: this.tuning.maxInFlight,
      maxBatchBytes: this.tuning.maxBatchBytes,
      pollMs: this.tuning.pollMs,
      drainSpreadMs: c.mqtt.drainSpreadSeconds * 1000,
    });
    this.remote = new RemoteConfig({
      db: o.db,
      log: o.log,
      file: o.fileConfig,
      pushable: o.pushable,
      current: o.currentConfig,
      apply: o.applyConfig,
      report: (event) => this.report(event),
    });
  }

  /**
   * The configuration HQ pushed last (stored in the database) laid over the file, or null. The
   * app calls this before building anything that reads the configuration. Only while sync is
   * configured: removing `mqtt.url` also takes the box back from HQ's control.
   */
  restorePushedConfig(): Config | null {
    return this.remote?.restore() ?? null;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.tuning.retentionEveryMs, () => this.runRetention());
    every(this.tuning.diskEveryMs, () => this.checkDisk());
    this.runRetention();
    this.checkDisk();
    if (!this.link || !this.worker) {
      this.log.info('mqtt.url is not set: sync is off; records wait in the database');
      return;
    }
    const link = this.link;
    const worker = this.worker;
    link.on('up', () => {
      worker.onUp();
      this.flushEvents();
      this.publishStatus();
    });
    link.on('down', () => worker.onDown());
    link.on('message', (topic, payload) => this.onMessage(topic, payload));
    every(this.o.config.mqtt.statusIntervalSeconds * 1000, () => this.publishStatus());
    worker.start();
    link.start();
  }

  /** Stops sending and disconnects cleanly (retained `offline`, so no Last Will). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.worker) await this.worker.stop();
    if (this.link) await this.link.stop({ topic: topicFor(this.prefix, this.box, 'state'), payload: '{"state":"offline"}', qos: 1, retain: true });
    if (this.retention) await this.retention;
    this.started = false;
  }

  /** A new record was appended (optional; the worker polls anyway). */
  nudge(): void {
    this.worker?.nudge();
  }

  /** The status page's "sync now": send what waits without waiting for maxDelaySeconds. */
  syncNow(): void {
    this.worker?.flushNow();
  }

  status(): SyncStatus {
    const counts = this.backlogCounts();
    const link = this.link?.status();
    const worker = this.worker?.status();
    const disk = this.disk.check();
    const retrying = worker?.retrying ?? null;
    return {
      enabled: this.link !== null,
      broker: this.o.config.mqtt.url === undefined ? null : displayUrl(this.o.config.mqtt.url),
      state: link?.state ?? 'off',
      connected: link?.state === 'connected',
      connectedSince: link?.connectedSince ?? null,
      since: link?.since ?? null,
      authFailed: link?.authFailed ?? false,
      // A batch HQ keeps refusing is what is wrong now even while the connection is fine.
      lastError: link?.lastError ?? (retrying !== null && retrying.inARow >= 3 ? retryingText(retrying) : null) ?? worker?.lastError ?? null,
      lastErrorAt: link?.lastErrorAt ?? null,
      nextAttemptAt: link?.nextAttemptAt ?? null,
      backlog: counts.backlog,
      unsent: counts.unbatched,
      inFlight: counts.openBatches,
      rejected: counts.rejected,
      retrying,
      oldestUnsyncedAt: counts.oldestCreatedAt,
      lastAckAt: worker?.lastAckAt ?? null,
      mqttBytesOut: link?.bytesOut ?? 0,
      mqttBytesIn: link?.bytesIn ?? 0,
      disk: { ...disk, warning: diskWarning(disk) },
      config: this.remote?.status() ?? null,
      counters: worker?.counters ?? null,
    };
  }

  /** Cheap at any backlog size (see BatchStore.counts), so never cached. */
  private backlogCounts(): BacklogCounts {
    return this.store.counts();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(this.prefix, topic);
    if (parsed?.box !== this.box) return;
    const failed = (err: unknown): void => this.log.error({ err: describeError(err), topic }, 'could not handle a message from HQ');
    if (parsed.kind === 'ack') this.worker?.onAckMessage(payload).catch(failed);
    // Config messages one at a time, in the order they came: the last one pushed wins.
    else if (parsed.kind === 'config' && this.remote) {
      const remote = this.remote;
      this.configChain = this.configChain.then(() => remote.onMessage(payload)).catch(failed);
    }
  }

  /** Events go out when connected; a few wait in memory otherwise (the status shows the outcome too). */
  private report(event: ConfigEvent): void {
    this.events.push(event);
    if (this.events.length > 20) this.events.shift();
    this.flushEvents();
  }

  private flushEvents(): void {
    const link = this.link;
    if (!link?.up) return;
    const topic = topicFor(this.prefix, this.box, 'events');
    for (const event of this.events.splice(0)) {
      link.publish(topic, JSON.stringify(event), { qos: 1 }).catch(() => {
        this.events.unshift(event);
      });
    }
  }

  private publishStatus(): void {
    const link = this.link;
    if (!link?.up) return;
    const counts = this.backlogCounts();
    const status = {
      version: this.o.version,
      box: this.box,
      db: databaseId(this.o.db),
      at: Date.now(),
      backlog: counts.backlog,
      rejected: counts.rejected,
      lastAckAt: this.worker?.status().lastAckAt ?? null,
      diskLow: this.disk.check().low,
      ...(this.o.statusSummary?.() ?? {}),
    };
    link.publish(topicFor(this.prefix, this.box, 'status'), JSON.stringify(status), { qos: 1, retain: true }).catch(() => undefined);
  }

  private runRetention(): void {
    if (this.retention) return;
    const days = this.o.config.retention.days;
    this.retention = pruneSynced(this.o.db, days)
      .then((r) => {
        if (r.records > 0 || r.batches > 0) this.log.info({ ...r, days }, 'pruned records HQ acknowledged long ago');
      })
      .catch((err: unknown) => this.log.error({ err: describeError(err) }, 'retention failed'))
      .finally(() => {
        this.retention = null;
      });
  }

  private checkDisk(): void {
    const disk = this.disk.check(true);
    if (disk.low !== this.diskWasLow) {
      this.diskWasLow = disk.low;
      if (disk.low) this.log.warn({ freeBytes: disk.freeBytes, thresholdBytes: disk.thresholdBytes, path: disk.path }, diskWarning(disk) ?? 'disk low');
      else this.log.info({ freeBytes: disk.freeBytes }, 'disk space is fine again');
    }
  }
}

/** "HQ could not store 1 batch; asked to send it again 5 times in a row since …". */
function retryingText(r: RetryingStatus): string {
  const batches = r.batches === 1 ? '1 batch' : `${r.batches} batches`;
  return `HQ could not store ${batches} and asked for it again ${r.inARow} times in a row since ${new Date(r.since).toISOString()}; next try at ${new Date(r.nextAt).toISOString()} (the records stay on the box)`;
}

function diskWarning(disk: DiskStatus): string | null {
  if (disk.error !== null) return `cannot read the free space of ${disk.path}: ${disk.error}`;
  if (!disk.low || disk.freeBytes === null) return null;
  const mb = (n: number): string => `${Math.floor(n / 1024 / 1024)} MB`;
  return `only ${mb(disk.freeBytes)} free on the disk of the database (warning below ${mb(disk.thresholdBytes)}); the box keeps recording and never deletes what HQ has not acknowledged`;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The `sync` object of GET /api/status: times as ISO text, the disk warning up front, counters
 * as they are. `diskLow`/`diskWarning` are what a technician's page shows in red.
 */
export function syncStatusJson(s: SyncStatus): Record<string, unknown> {
  return {
    enabled: s.enabled,
    broker: s.broker,
    state: s.state,
    connected: s.connected,
    connectedSince: iso(s.connectedSince),
    since: iso(s.since),
    authFailed: s.authFailed,
    lastError: s.lastError,
    lastErrorAt: iso(s.lastErrorAt),
    nextAttemptAt: iso(s.nextAttemptAt),
    backlog: s.backlog,
    unsent: s.unsent,
    inFlight: s.inFlight,
    rejected: s.rejected,
    retrying: s.retrying === null ? null : { batches: s.retrying.batches, inARow: s.retrying.inARow, since: iso(s.retrying.since), nextAt: iso(s.retrying.nextAt) },
    oldestUnsyncedAt: iso(s.oldestUnsyncedAt),
    lastAckAt: iso(s.lastAckAt),
    mqttBytesOut: s.mqttBytesOut,
    mqttBytesIn: s.mqttBytesIn,
    diskLow: s.disk.low,
    diskWarning: s.disk.warning,
    disk: { path: s.disk.path, freeBytes: s.disk.freeBytes, thresholdBytes: s.disk.thresholdBytes, checkedAt: iso(s.disk.checkedAt) },
    config: s.config === null ? null : { ...s.config, pushedAt: iso(s.config.pushedAt) },
    counters: s.counters,
  };
}
