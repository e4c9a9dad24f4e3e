import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { openDatabase } from '../store/db.js';
import { exportCsv, parseSince, type ExportWhat } from './export.js';

/** How the CLI wants usage mistakes reported (its exit code 2). */
export interface ExportCommandIo {
  usage: (message: string) => Error;
  /** Progress and the summary; default standard error, so standard output stays clean. */
  err?: NodeJS.WritableStream;
}

export const EXPORT_USAGE =
  'missedcall export --config <file> --what callers|volunteers --out <file.csv> [--since <YYYY-MM-DD>] [--include-opted-out]';

/** Below this many rows an export is quick and prints only its summary. */
const PROGRESS_FROM = 10_000;

/**
 * `missedcall export`: the callers or volunteers CSV (src/volunteers/export.ts) from the
 * database the config names. Safe while the box runs: it reads a snapshot through its own
 * connection (SQLite WAL) and never holds the write lock.
 */
export async function runExportCommand(argv: string[], io: ExportCommandIo): Promise<void> {
  const err = io.err ?? process.stderr;
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      what: { type: 'string' },
      since: { type: 'string' },
      out: { type: 'string', short: 'o' },
      'include-opted-out': { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.config || !values.what || !values.out) throw io.usage(`missedcall export: --config, --what and --out are required\n  ${EXPORT_USAGE}`);
  if (values.what !== 'callers' && values.what !== 'volunteers') throw io.usage(`missedcall export: --what must be callers or volunteers, got "${values.what}"`);
  const what: ExportWhat = values.what;
  const { config } = loadConfig(values.config);
  const timeZone = config.sms?.timezone;
  let since: number | undefined;
  if (values.since !== undefined) {
    const parsed = parseSince(values.since, timeZone);
    if (parsed === null) throw io.usage(`missedcall export: --since must be a date such as 2026-11-01 (local midnight), or a date and time with its offset such as 2026-11-01T09:00+05:30, got "${values.since}"`);
    since = parsed;
  }
  const db = openDatabase(config.database);
  try {
    let lastShown = -1;
    const result = await exportCsv({
      db,
      what,
      out: values.out,
      ...(since === undefined ? {} : { since }),
      includeOptedOut: values['include-opted-out'] ?? false,
      ...(timeZone === undefined ? {} : { timeZone }),
      onProgress: (done, total) => {
        if (total < PROGRESS_FROM) return;
        const percent = Math.floor((done / Math.max(1, total)) * 100);
        if (percent === lastShown) return;
        lastShown = percent;
        err.write(`missedcall export: ${done.toLocaleString('en-IN')} of ${total.toLocaleString('en-IN')} ${what} (${percent}%)\n`);
      },
    });
    const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
    err.write(
      `missedcall export: wrote ${result.rows.toLocaleString('en-IN')} ${what} to ${result.file} (${Math.round(result.bytes / 1024).toLocaleString('en-IN')} kB) in ${(result.ms / 1000).toFixed(2)} s; peak memory ${peakMb} MB${values['include-opted-out'] ? '' : '; opted-out numbers left out (--include-opted-out to keep them)'}\n`,
    );
  } finally {
    db.close();
  }
}
