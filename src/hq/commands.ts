/**
 * The HQ side of the command line (src/cli.ts dispatches here):
 * - `missedcall hq --config hq.yaml` runs a collector until SIGINT/SIGTERM;
 * - `missedcall hq-report --config hq.yaml [--days N] [--utc-offset +05:30] [--json]`;
 * - `missedcall hq-config --config hq.yaml --box <id> (--file <yaml> | --clear) [--wait <s>] [--force]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { parse as parseYaml } from 'yaml';

import { ConfigError } from '../config/load.js';
import { createLogger, type Logger } from '../log.js';
import { BOX_ID_PATTERN } from '../sync/protocol.js';
import { Collector } from './collector.js';
import { loadHqConfig } from './config.js';
import { openHqStore } from './open-store.js';
import { checkPush, pushConfig } from './push-config.js';
import { formatReport, parseUtcOffset } from './report.js';

export interface HqCommandDeps {
  /** Makes the error that exits with code 2 (bad arguments). */
  usage: (message: string) => Error;
  /** Installs the SIGINT/SIGTERM handler that stops cleanly. */
  onShutdown: (stop: () => Promise<void>, log: Logger) => void;
  out?: (text: string) => void;
}

/** Runs `hq`, `hq-report` or `hq-config`. Sets `process.exitCode` for outcomes that are not errors. */
export async function runHqCommand(command: 'hq' | 'hq-report' | 'hq-config', argv: string[], deps: HqCommandDeps): Promise<void> {
  const out = deps.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  if (command === 'hq') return collect(argv, deps);
  if (command === 'hq-report') return report(argv, deps, out);
  return pushCommand(argv, deps, out);
}

async function collect(argv: string[], deps: HqCommandDeps): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, strict: true });
  if (!values.config) throw deps.usage('missedcall hq: --config <hq.yaml> is required (see docs/SYNC.md)');
  const config = loadHqConfig(values.config);
  const log = createLogger({ level: config.log.level });
  const store = openHqStore(config);
  const collector = new Collector({ config, store, log });
  deps.onShutdown(async () => {
    await collector.stop();
    await store.close();
    log.info({ ...collector.stats }, 'collector stopped');
  }, log);
  await collector.start();
}

async function report(argv: string[], deps: HqCommandDeps, out: (text: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, days: { type: 'string' }, 'utc-offset': { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  if (!values.config) throw deps.usage('missedcall hq-report: --config <hq.yaml> is required');
  const offsetText = values['utc-offset'] ?? '+05:30';
  const offset = parseUtcOffset(offsetText);
  if (offset === null) throw deps.usage(`--utc-offset must look like +05:30, got "${offsetText}"`);
  const days = values.days === undefined ? null : Number(values.days);
  if (days !== null && (!Number.isInteger(days) || days < 1)) throw deps.usage(`--days must be a positive whole number, got "${values.days}"`);
  const config = loadHqConfig(values.config);
  const store = openHqStore(config);
  try {
    await store.init();
    const r = await store.report({ utcOffsetMinutes: offset, ...(days === null ? {} : { since: Date.now() - days * 86_400_000 }) });
    out(values.json ? JSON.stringify(r, null, 2) : formatReport(r, { utcOffset: offsetText, sinceDays: days }));
  } finally {
    await store.close();
  }
}

async function pushCommand(argv: string[], deps: HqCommandDeps, out: (text: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      box: { type: 'string' },
      file: { type: 'string' },
      clear: { type: 'boolean' },
      wait: { type: 'string' },
      force: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.config || !values.box || (values.file === undefined) === (values.clear !== true)) {
    throw deps.usage('missedcall hq-config: --config <hq.yaml>, --box <id> and one of --file <yaml> or --clear are required');
  }
  if (!BOX_ID_PATTERN.test(values.box)) throw deps.usage(`--box must be a box id such as varanasi-01, got "${values.box}"`);
  const waitSeconds = values.wait === undefined ? 30 : Number(values.wait);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw deps.usage(`--wait must be a whole number of seconds, got "${values.wait}"`);
  const config = loadHqConfig(values.config);
  let push: Record<string, unknown> | null = null;
  if (values.file !== undefined) {
    let data: unknown;
    try {
      data = parseYaml(readFileSync(values.file, 'utf8'));
    } catch (err) {
      throw new ConfigError(values.file, [{ path: '', message: `cannot read it as YAML: ${(err as Error).message}` }], { cause: err });
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ConfigError(values.file, [{ path: '', message: 'expected keys to push, nested as in the box\'s config file, such as "reply:" with "text: …" under it' }]);
    }
    push = data as Record<string, unknown>;
    if (values.force !== true) checkPush(push);
  }
  const result = await pushConfig({ hq: config, box: values.box, push, waitMs: waitSeconds * 1000 });
  const what = push === null ? `clear ${result.id}` : `config ${result.id}`;
  if (result.outcome === null) {
    out(`${values.box}: ${what} published (retained); ${waitSeconds > 0 ? `no answer within ${waitSeconds} s — the box gets it when it next connects` : 'not waiting for an answer'}`);
    process.exitCode = waitSeconds > 0 ? 3 : 0;
    return;
  }
  const o = result.outcome;
  if (o.status === 'rejected') {
    out(`${values.box}: rejected ${what}; the configuration in force stays:`);
    for (const p of o.problems) out(`  ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    process.exitCode = 1;
    return;
  }
  out(`${values.box}: ${o.status} (${o.changed.length === 0 ? 'nothing changed' : `changed: ${o.changed.join(', ')}`})`);
}
