#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { App } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { runDemo } from './demo.js';
import { describeError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { version } from './version.js';

const USAGE = `missedcall ${version} — missed-call box for USB GSM modems

Usage:
  missedcall run --config <file>     run the box (modems from the config file)
  missedcall demo [--calls <n>] [--port <http port>] [--verbose]
                                     the whole box on two simulated modems
  missedcall --version | --help

Exit codes: 0 stopped cleanly, 1 failed, 2 bad configuration or usage.`;

/** Exit code 2: the person must change something (config, arguments) before trying again. */
class UsageError extends Error {}

function fail(log: Logger | null, err: unknown): never {
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (log) log.fatal({ err: describeError(err) }, 'missedcall failed');
  process.stderr.write(`missedcall: ${describeError(err)}\n`);
  process.exit(1);
}

/** Stop cleanly on SIGINT/SIGTERM: in-flight work finished, database closed. A second signal forces. */
function onShutdown(stop: () => Promise<void>, log: Logger): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => fail(log, err),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, strict: true });
  if (!values.config) throw new UsageError('missedcall run: --config <file> is required (see the example in docs/CONFIG.md)');
  const { config, warnings, path } = loadConfig(values.config);
  const log = createLogger({ level: config.log.level });
  for (const w of warnings) log.warn(w);
  log.info({ config: path }, 'configuration loaded');
  const app = new App({ config, log });
  onShutdown(() => app.stop(), log);
  try {
    await app.start();
  } catch (err) {
    fail(log, err);
  }
}

async function demo(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { calls: { type: 'string' }, port: { type: 'string' }, verbose: { type: 'boolean' }, database: { type: 'string' } },
    strict: true,
  });
  const calls = values.calls === undefined ? undefined : Number(values.calls);
  if (calls !== undefined && (!Number.isInteger(calls) || calls < 1)) throw new UsageError(`--calls must be a positive whole number, got "${values.calls}"`);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${values.port}"`);
  // The demo prints its calls on stdout; the log (warnings and worse) goes to stderr.
  const log = createLogger({ level: values.verbose ? 'info' : 'warn', destination: process.stderr });
  const d = await runDemo({ log, httpPort: port, ...(calls === undefined ? {} : { calls }), ...(values.database ? { database: values.database } : {}) });
  onShutdown(() => d.stop(), log);
  await d.done;
  await d.stop();
  process.exit(0);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'run':
      return run(rest);
    case 'demo':
      return demo(rest);
    case '--version':
    case '-v':
      process.stdout.write(`${version}\n`);
      return;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) fail(null, new UsageError(err.message));
  fail(null, err);
});
