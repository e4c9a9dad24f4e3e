/**
 * `missedcall export`: callers or volunteers as a CSV a call centre opens in Excel — UTF-8 with
 * a byte-order mark (so Hindi names show correctly), a header row, CRLF line ends, times in the
 * box's local time, opted-out numbers left out unless asked for. Rows are read from SQLite one
 * at a time and written in 64 kB chunks that wait for the disk, so 100,000 rows (or a million)
 * take the same memory. The file appears under its name only when complete (written as
 * `<name>.partial`, then renamed). It keeps a statement open between chunks, so give it a database
 * connection of its own (the CLI opens one), never the running box's.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { zonedToEpoch, zoneParts } from '../sms/schedule.js';
import type { Db } from '../store/db.js';
import { VolunteerStore, type CallerView, type ExportQuery, type VolunteerView } from '../store/volunteers.js';
import { CSV_BOM, csvLine } from './csv.js';

export type ExportWhat = 'callers' | 'volunteers';

export interface ExportOptions {
  db: Db;
  what: ExportWhat;
  out: string;
  /** Only rows active since this instant (callers: last call; volunteers: joined or changed). */
  since?: number;
  includeOptedOut?: boolean;
  /** IANA zone for the times in the file; default the box's own. */
  timeZone?: string;
  /** Called every `progressEvery` rows and once at the end. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

export interface ExportResult {
  file: string;
  rows: number;
  bytes: number;
  ms: number;
}

const CHUNK = 64 * 1024;

export const CALLER_COLUMNS = [
  'number', 'first_call', 'last_call', 'calls', 'first_line', 'first_sim', 'volunteer', 'name', 'pincode', 'district',
  'constituency', 'interests', 'opted_out', 'opted_out_at',
] as const;

export const VOLUNTEER_COLUMNS = [
  'number', 'name', 'pincode', 'district', 'constituency', 'state', 'interests', 'joined', 'updated', 'first_call',
  'last_call', 'calls', 'line', 'sim', 'opted_out', 'opted_out_at',
] as const;

/**
 * `YYYY-MM-DD HH:MM:SS` in a zone, the form Excel reads as a date. The zone's offset is looked up
 * once per hour of time (Intl is slow, and 100,000 rows have 300,000 times).
 */
export function localTimeFormatter(timeZone: string | undefined): (at: number | null) => string | null {
  const offsets = new Map<number, number>();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (at) => {
    if (at === null) return null;
    const hour = Math.floor(at / 3_600_000);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      const p = zoneParts(at, timeZone);
      offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(hour, offset);
    }
    const d = new Date(at + offset);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
}

/**
 * `2026-11-01` → local midnight of that day in the zone; an ISO date-time with an offset
 * (`2026-11-01T09:00+05:30`) as written. Null when it is neither.
 */
export function parseSince(text: string, timeZone: string | undefined): number | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
    return zonedToEpoch({ year: y, month: m, day: d, hour: 0, minute: 0 }, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) return null;
  const at = Date.parse(text.trim().replace(' ', 'T'));
  return Number.isNaN(at) ? null : at;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function callerLine(c: CallerView, t: (at: number | null) => string | null): string {
  return csvLine([
    c.number, t(c.firstCallAt), t(c.lastCallAt), c.calls, c.firstLine, c.firstSim, yesNo(c.registered), c.name, c.pincode,
    c.district, c.constituency, c.interests.join('; '), yesNo(c.optedOut), t(c.optedOutAt),
  ]);
}

function volunteerLine(v: VolunteerView, t: (at: number | null) => string | null): string {
  return csvLine([
    v.number, v.name, v.pincode, v.district, v.constituency, v.state, v.interests.join('; '), t(v.joinedAt), t(v.updatedAt),
    t(v.firstCallAt), t(v.lastCallAt), v.calls, v.modem, v.simIccid, yesNo(v.optedOut), t(v.optedOutAt),
  ]);
}

/** Write the export; see the module comment. */
export async function exportCsv(opts: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const store = new VolunteerStore(opts.db);
  const query: ExportQuery = { includeOptedOut: opts.includeOptedOut ?? false, ...(opts.since === undefined ? {} : { since: opts.since }) };
  const t = localTimeFormatter(opts.timeZone);
  const total = opts.what === 'callers' ? store.countCallersForExport(query) : store.countVolunteersForExport(query);
  const every = opts.progressEvery ?? 10_000;
  const partial = `${opts.out}.partial`;
  const stream = createWriteStream(partial, { encoding: 'utf8' });
  // Set by the stream's error event, which TypeScript cannot see assigning a local.
  const state: { failed: Error | null } = { failed: null };
  stream.on('error', (err) => (state.failed = err));
  const check = (): void => {
    if (state.failed) throw state.failed;
  };
  let rows = 0;
  let bytes = 0;
  let buffer = CSV_BOM + csvLine(opts.what === 'callers' ? CALLER_COLUMNS : VOLUNTEER_COLUMNS);
  const flush = async (): Promise<void> => {
    check();
    bytes += Buffer.byteLength(buffer);
    const ok = stream.write(buffer);
    buffer = '';
    if (!ok) await drained(stream);
    check();
  };
  try {
    const lines: Iterable<string> =
      opts.what === 'callers'
        ? mapIter(store.exportCallers(query), (c) => callerLine(c, t))
        : mapIter(store.exportVolunteers(query), (v) => volunteerLine(v, t));
    for (const line of lines) {
      buffer += line;
      rows++;
      if (buffer.length >= CHUNK) await flush();
      if (rows % every === 0) opts.onProgress?.(rows, total);
    }
    await flush();
    stream.end();
    await once(stream, 'finish');
    await rename(partial, opts.out);
  } catch (err) {
    stream.destroy();
    await rm(partial, { force: true });
    throw err;
  }
  opts.onProgress?.(rows, total);
  return { file: opts.out, rows, bytes, ms: Math.round(performance.now() - started) };
}

/** The stream can take more (or failed: the caller checks). No listener is left behind. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

function* mapIter<T, U>(items: Iterable<T>, f: (t: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}
