#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { App } from './app.js';
import { readPassword, setAccount } from './auth/passwd.js';
import { ConfigError, exampleConfig, loadConfig } from './config/load.js';
import { runDemo } from './demo.js';
import { AppError, describeError } from './errors.js';
import { runHqCommand } from './hq/commands.js';
import { createLogger, type Logger } from './log.js';
import { queueManualSms } from './sms/send-command.js';
import { runExportCommand } from './volunteers/export-command.js';
import { version } from './version.js';

const USAGE = `missedcall ${version} — missed-call box for USB GSM modems

Usage:
  missedcall run --config <file>     run the box (modems from the config file)
  missedcall demo [--calls <n>] [--port <http port>] [--verbose]
                                     the whole box on two simulated modems
  missedcall example-config          print a commented example config.yaml
  missedcall send --config <file> --to <number> --text <text>
                                     queue an SMS; the running box sends it
  missedcall hq --config <hq.yaml>   run an HQ collector (docs/SYNC.md)
  missedcall hq-report --config <hq.yaml> [--days <n>] [--utc-offset +05:30] [--json]
                                     totals per box and per day, gaps in any box's sequence
  missedcall hq-config --config <hq.yaml> --box <id> (--file <yaml> | --clear) [--wait <s>]
                                     push configuration to a box (exit 1 rejected, 3 no answer)
  missedcall passwd --config <file> --user <name> --role viewer|admin
                                     add a status-page account or change its password
                                     (asked without echo, or read from standard input)
  missedcall export --config <file> --what callers|volunteers --out <file.csv>
                   [--since <YYYY-MM-DD>] [--include-opted-out]
                                     CSV for follow-up (UTF-8 with BOM, opens in Excel)
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
  const app = new App({ config, log, configPath: path });
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

/** `passwd`: add or change a status-page account in the config file (src/auth/passwd.ts). */
async function passwd(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, user: { type: 'string', short: 'u' }, role: { type: 'string', short: 'r' } },
    strict: true,
  });
  if (!values.config || !values.user) throw new UsageError('missedcall passwd: --config <file> and --user <name> are required (and --role viewer|admin)');
  const role = values.role ?? 'viewer';
  if (role !== 'viewer' && role !== 'admin') throw new UsageError(`missedcall passwd: --role must be viewer or admin, got "${role}"`);
  let result;
  try {
    const password = await readPassword(process.stdin, process.stderr);
    result = await setAccount({ file: values.config, user: values.user, role, password });
  } catch (err) {
    // Every refusal here is something the person must change (exit 2), never a crash.
    throw err instanceof ConfigError || !(err instanceof AppError) ? err : new UsageError(`missedcall passwd: ${err.message}`);
  }
  process.stdout.write(`${result.action === 'added' ? 'added' : 'changed'} ${role} account "${values.user}" in ${result.path}; restart the box to use it (sudo systemctl restart missedcall)\n`);
  if (result.readableByOthers) process.stderr.write(`note: ${result.path} can be read by other users of this machine; password hashes are secrets: chmod 600 ${result.path}\n`);
}

/** `send`: queue one SMS in the box's database; bad arguments exit 2, an opted-out number 1. */
async function send(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, to: { type: 'string' }, text: { type: 'string' } },
    strict: true,
  });
  if (!values.config || !values.to || values.text === undefined) {
    throw new UsageError('missedcall send: --config <file>, --to <number> and --text <text> are all required');
  }
  const { config } = loadConfig(values.config);
  const result = queueManualSms(config, values.to, values.text);
  if (result.ok) {
    process.stdout.write(`${result.message}\n`);
    return;
  }
  if (result.reason === 'opted-out') {
    process.stderr.write(`missedcall send: not queued: ${result.message}\n`);
    process.exit(1);
  }
  throw new UsageError(`missedcall send: not queued: ${result.message}`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'run':
      return run(rest);
    case 'demo':
      return demo(rest);
    case 'example-config':
      // The starting point for a real box: `missedcall example-config > config.yaml`.
      process.stdout.write(exampleConfig());
      return;
    case 'hq':
    case 'hq-report':
    case 'hq-config':
      return runHqCommand(command, rest, { usage: (message) => new UsageError(message), onShutdown });
    case 'passwd':
      return passwd(rest);
    case 'send':
      return send(rest);
    case 'export':
      return runExportCommand(rest, { usage: (message) => new UsageError(message) });
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
