/**
 * Shared parts of the sync integration tests: a box database with calls in it, the box's sync
 * service against a broker, and an HQ collector with its store. Everything real: SQLite files,
 * a mosquitto process, the collector's own code.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { callSyncPayload } from '../../../src/calls/sync-record.js';
import { validateConfig, type Config } from '../../../src/config/load.js';
import { PUSHABLE_KEYS } from '../../../src/config/schema.js';
import { Collector, type CollectorOptions } from '../../../src/hq/collector.js';
import { validateHqConfig, type HqConfig } from '../../../src/hq/config.js';
import { openHqStore } from '../../../src/hq/open-store.js';
import type { HqStore } from '../../../src/hq/store.js';
import { createLogger, silentLogger, type Logger } from '../../../src/log.js';
import { CallStore, type CallRow } from '../../../src/store/calls.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { stableJson, SyncLog } from '../../../src/store/sync-log.js';
import { SyncService, type SyncTuning } from '../../../src/sync/service.js';
import { nextEvent } from '../../helpers/wait.js';

/** A silent logger, or one at `TEST_LOG` level on stderr. */
export function testLog(): Logger {
  return process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG, destination: process.stderr }) : silentLogger();
}

/** Fast timers for tests; the defaults are for a Pi on mobile data. */
export const fastTuning: Partial<SyncTuning> = { pollMs: 50, connectTimeoutMs: 5000, stableMs: 1000, diskEveryMs: 1000 };

/** A box configuration with sync on (the modem is never opened: tests use the sync service alone). */
export function boxConfig(dir: string, mqtt: Record<string, unknown>, extra: Record<string, unknown> = {}): Config {
  return validateConfig(
    {
      box: { id: 'test-box' },
      database: join(dir, 'box.db'),
      modems: [{ port: '/dev/null-modem' }],
      mqtt: { batchSize: 500, maxDelaySeconds: 0, ackTimeoutSeconds: 3, reconnectMinSeconds: 1, reconnectMaxSeconds: 2, drainSpreadSeconds: 0, ...mqtt },
      ...extra,
    },
    'test',
    dir,
  ).config;
}

/** Realistic call rows (numbers, modems, campaign), recorded with their sync records the way the app does. */
export function recordCalls(db: Db, count: number, start = 0): CallRow[] {
  const calls = new CallStore(db);
  const log = new SyncLog(db);
  const rows: CallRow[] = [];
  db.transaction(() => {
    for (let i = start; i < start + count; i++) {
      const withheld = i % 17 === 0;
      const row = calls.record({
        number: withheld ? null : `+9198${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}`,
        numberRaw: null,
        numberValid: true,
        withheld,
        numberSource: 'clip',
        modemImei: i % 2 === 0 ? '867162020000011' : '867162020000022',
        simIccid: i % 2 === 0 ? '8991000900111111111' : '8991000900222222222',
        port: '/dev/ttyUSB2',
        portLabel: i % 2 === 0 ? 'line-1' : 'line-2',
        campaign: i % 2 === 0 ? 'rally-posters' : null,
        rangAt: 1_718_000_000_000 + i * 1500,
        hangupAt: null,
        hangupLatencyMs: null,
        callerGaveUp: false,
      });
      log.append(row.id, 'call', callSyncPayload(row));
      rows.push(row);
    }
  })();
  return rows;
}

/**
 * Many sync records fast: one prepared statement, one transaction (the 100,000-record backlog).
 * Payloads are real call payloads; no `calls` rows (the sync worker reads only `sync_log`).
 */
export function appendSyncRecords(db: Db, count: number): void {
  const insert = db.prepare(`INSERT INTO sync_log (id, type, payload, created_at) VALUES (?, 'call', ?, ?)`);
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      const payload = {
        at: 1_718_000_000_000 + i * 1500 + (i % 997),
        number: i % 17 === 0 ? null : `+9198${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}`,
        withheld: i % 17 === 0,
        modem: i % 2 === 0 ? '867162020000011' : '867162020000022',
        sim: i % 2 === 0 ? '8991000900111111111' : '8991000900222222222',
        port: i % 2 === 0 ? 'line-1' : 'line-2',
        id,
        type: 'call',
      };
      insert.run(id, stableJson(payload), now);
    }
  })();
}

/** The box side: its database and the sync service (not started). */
export function boxSync(config: Config, tuning: Partial<SyncTuning> = {}, log = testLog()): { db: Db; sync: SyncService } {
  const db = openDatabase(config.database);
  const sync = new SyncService({
    db,
    config,
    fileConfig: config,
    log,
    version: 'test',
    pushable: PUSHABLE_KEYS,
    currentConfig: () => config,
    applyConfig: () => undefined,
    tuning: { ...fastTuning, ...tuning },
  });
  return { db, sync };
}

/** Collector settings for a test broker. */
export function hqConfig(url: string, extra: Record<string, unknown> = {}, broker: Record<string, unknown> = {}): HqConfig {
  return validateHqConfig({ broker: { url, reconnectMinSeconds: 1, reconnectMaxSeconds: 2, ...broker }, ...extra }, 'hq-test', '/');
}

/** A started collector (connected and subscribed) with its store. */
export async function startCollector(
  config: HqConfig,
  options: Partial<Pick<CollectorOptions, 'afterCommit'>> & { store?: HqStore } = {},
): Promise<{ collector: Collector; store: HqStore; stop: () => Promise<void> }> {
  const store = options.store ?? openHqStore(config);
  const collector = new Collector({ config, store, log: testLog(), ...(options.afterCommit ? { afterCommit: options.afterCommit } : {}) });
  const up = nextEvent(collector, 'up', () => true, 10_000);
  await collector.start();
  await up;
  return {
    collector,
    store,
    stop: async () => {
      await collector.stop();
      await store.close();
    },
  };
}

/** Sync log rows of the box, by state. */
export function boxCounts(db: Db): { total: number; synced: number; rejected: number; unsynced: number } {
  return db
    .prepare(
      `SELECT COUNT(*) AS total, COUNT(synced_at) AS synced, COUNT(rejected) AS rejected,
         SUM(CASE WHEN synced_at IS NULL AND rejected IS NULL THEN 1 ELSE 0 END) AS unsynced FROM sync_log`,
    )
    .get() as { total: number; synced: number; rejected: number; unsynced: number };
}

/**
 * Cleanups that run last-registered-first (node:test runs `t.after` hooks in the order they
 * were added): the box stops before its database closes, the broker after its clients.
 */
export function cleanups(t: { after: (fn: () => Promise<void>) => void }): (fn: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await fn();
  });
  return (fn) => {
    stack.push(fn);
  };
}
