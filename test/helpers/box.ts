import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../src/app.js';
import { validateConfig, type Config } from '../../src/config/load.js';
import { silentLogger, createLogger } from '../../src/log.js';
import type { ModemTimings } from '../../src/modem/modem.js';

/** A temporary folder removed by the returned function. */
export function tempDir(prefix = 'mcb-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Timings short enough for tests, long enough for a loaded CI machine. */
export const testTimings: Partial<ModemTimings> = {
  commandMs: 1500,
  hangupMs: 1500,
  syncMs: 500,
  syncAttempts: 3,
  pollMs: 500,
  recoverMs: 300,
  reconnectMinMs: 100,
  reconnectMaxMs: 500,
};

export function boxConfig(dir: string, modems: { port: string; label?: string; campaign?: string }[], extra: Record<string, unknown> = {}): Config {
  return validateConfig(
    { box: { id: 'test-box' }, country: 'IN', database: join(dir, 'box.db'), modems, http: { host: '127.0.0.1', port: 8080 }, ...extra },
    'test',
    dir,
  ).config;
}

/** The real App on real ports; the HTTP server on a free port. */
export async function startBox(config: Config, options: { http?: boolean; timings?: Partial<ModemTimings> } = {}): Promise<App> {
  config.http.port = 0;
  const log = process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG, destination: process.stderr }) : silentLogger();
  const app = new App({ config, log, timings: { ...testTimings, ...options.timings }, http: options.http ?? true });
  await app.start();
  return app;
}
