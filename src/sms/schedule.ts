/**
 * When the box may send SMS: quiet hours (local time, possibly across midnight), blackout
 * periods (the election-silence period before polling), and the local day that daily limits
 * are counted in. Pure: every function takes the time (epoch milliseconds) and the time zone;
 * the clock is the caller's, so tests move it instead of waiting for the night to pass.
 */

/** A daily window in minutes after local midnight; `start > end` means it spans midnight. */
export interface QuietHours {
  start: number;
  end: number;
  /** As written in the config, for messages (`21:00-09:00`). */
  text: string;
}

/** A period in which nothing is sent. */
export interface Blackout {
  from: number;
  to: number;
  reason: string | null;
}

/** Everything that decides whether sending is allowed at a moment. */
export interface SendWindow {
  quietHours: QuietHours | null;
  blackouts: readonly Blackout[];
  /** IANA zone such as Asia/Kolkata; undefined = the box's own zone (TZ / /etc/localtime). */
  timeZone: string | undefined;
}

/** The outcome of a parse that a config check turns into "expected …, got …". */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const HHMM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/**
 * `"21:00-09:00"` → minutes 1260..540. Empty text is "no quiet hours" (null). Start and end must
 * differ: a window of no length and one of the whole day read the same, so neither is guessed.
 */
export function parseQuietHours(text: string): Parsed<QuietHours | null> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const phrase = 'a daily window written as HH:MM-HH:MM in 24-hour local time, such as "21:00-09:00", or "" for none';
  const halves = trimmed.split(/\s*[-–]\s*/);
  if (halves.length !== 2) return { ok: false, expected: phrase };
  const [a, b] = halves.map((h) => HHMM.exec(h));
  if (!a || !b) return { ok: false, expected: phrase };
  const start = Number(a[1]) * 60 + Number(a[2]);
  const end = Number(b[1]) * 60 + Number(b[2]);
  if (start === end) return { ok: false, expected: `${phrase}, with the start and end different` };
  return { ok: true, value: { start, end, text: `${fmtMinutes(start)}-${fmtMinutes(end)}` } };
}

/**
 * An ISO 8601 date and time with its offset: `2027-02-10T18:00+05:30` (seconds optional, `Z`
 * for UTC, a space instead of `T` accepted). The offset is required: a blackout is a legal
 * period, and "18:00 in which zone?" must not depend on how the Pi's clock was set up.
 */
export function parseInstant(text: string): Parsed<number> {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}:?\d{2})$/i.exec(text.trim());
  const phrase = 'a date and time with its UTC offset, such as 2027-02-10T18:00+05:30';
  if (!m) return { ok: false, expected: phrase };
  const [, y, mo, d, h, mi, s, zone] = m;
  const offset = zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${offset}`;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return { ok: false, expected: phrase };
  // Date.parse rolls 2027-02-30 over to March; a person meant something else.
  const back = new Date(at + offsetMinutes(offset) * 60_000);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() + 1 !== Number(mo)) return { ok: false, expected: `${phrase} (a real calendar date)` };
  return { ok: true, value: at };
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** True when the name is a time zone this Node knows (IANA, such as Asia/Kolkata). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

interface ZoneParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      ...(timeZone === undefined ? {} : { timeZone }),
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(key, f);
  }
  return f;
}

/** The wall-clock reading in a zone at an instant. */
export function zoneParts(at: number, timeZone: string | undefined): ZoneParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** `2026-11-28`: the local date the daily limit counts in. */
export function localDay(at: number, timeZone: string | undefined): string {
  const p = zoneParts(at, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `21:05` local. */
export function localTime(at: number, timeZone: string | undefined): string {
  const p = zoneParts(at, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant a wall-clock reading happens in a zone (the earlier one in a DST overlap). */
export function zonedToEpoch(p: Omit<ZoneParts, 'second'> & { second?: number }, timeZone: string | undefined): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second ?? 0);
  // Two rounds settle the offset, including on the day a DST zone changes it.
  let at = wall - offsetAt(wall, timeZone);
  at = wall - offsetAt(at, timeZone);
  return at;
}

function offsetAt(at: number, timeZone: string | undefined): number {
  const p = zoneParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The next local midnight after `at`: when a daily limit starts again. */
export function nextLocalMidnight(at: number, timeZone: string | undefined): number {
  const p = zoneParts(at, timeZone);
  const tomorrow = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return zonedToEpoch({ year: tomorrow.getUTCFullYear(), month: tomorrow.getUTCMonth() + 1, day: tomorrow.getUTCDate(), hour: 0, minute: 0 }, timeZone);
}

/** Whether `at` falls in the quiet hours, and if so when they end. */
export function quietHoursEnd(at: number, quiet: QuietHours, timeZone: string | undefined): number | null {
  const p = zoneParts(at, timeZone);
  const minute = p.hour * 60 + p.minute;
  const inside = quiet.start < quiet.end ? minute >= quiet.start && minute < quiet.end : minute >= quiet.start || minute < quiet.end;
  if (!inside) return null;
  // The end is today when we are before it (the after-midnight half), otherwise tomorrow.
  const dayOffset = minute < quiet.end ? 0 : 1;
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day + dayOffset));
  const target = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: Math.floor(quiet.end / 60), minute: quiet.end % 60 };
  // Quiet hours last until the first instant after `at` whose local time is at or after the
  // end. Usually that is simply the end's wall-clock time. Across a DST change it is not: the
  // end may not exist that night (clocks jump past it, and zonedToEpoch lands an hour early or
  // late), or we may be in the repeated hour after clocks went back, with the end's first
  // occurrence already past. Then walk a minute at a time: only across the hour or two of the
  // change, on the two nights a year it happens.
  let end = zonedToEpoch(target, timeZone);
  if (end <= at || !reached(end, target, timeZone)) {
    end = Math.max(at, end);
    end = end - (end % 60_000) + 60_000;
    for (let i = 0; i < 48 * 60 && !reached(end, target, timeZone); i++) end += 60_000;
  }
  for (let i = 0; i < 48 * 60 && end - 60_000 > at && reached(end - 60_000, target, timeZone); i++) end -= 60_000;
  return end;
}

/** True when the local time at `at` is at or after the wall-clock reading `target`. */
function reached(at: number, target: Omit<ZoneParts, 'second'>, timeZone: string | undefined): boolean {
  const p = zoneParts(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) >= Date.UTC(target.year, target.month - 1, target.day, target.hour, target.minute);
}

/** Why sending is held back right now, and until when. */
export type SendGate =
  | { open: true }
  | { open: false; reason: 'quiet-hours' | 'blackout'; until: number; text: string };

/**
 * Whether SMS may go out at `at`. When not, `until` is when they may (a blackout that ends
 * inside the quiet hours waits for the morning, and back-to-back blackouts are joined), and
 * `text` says why in words for the status page.
 */
export function sendingGate(at: number, window: SendWindow): SendGate {
  let until = at;
  let first: { reason: 'quiet-hours' | 'blackout'; blackout: Blackout | null } | null = null;
  // Each round moves `until` forward past one closed period; a few rounds cover any overlap.
  for (let round = 0; round < 64; round++) {
    const blackout = window.blackouts.find((b) => b.from <= until && until < b.to);
    if (blackout) {
      first ??= { reason: 'blackout', blackout };
      until = blackout.to;
      continue;
    }
    const quietEnd = window.quietHours ? quietHoursEnd(until, window.quietHours, window.timeZone) : null;
    if (quietEnd !== null && quietEnd > until) {
      first ??= { reason: 'quiet-hours', blackout: null };
      until = quietEnd;
      continue;
    }
    break;
  }
  if (!first) return { open: true };
  const when = describeInstant(until, at, window.timeZone);
  const text =
    first.reason === 'blackout'
      ? `blackout${first.blackout?.reason ? ` (${first.blackout.reason})` : ''} until ${when}`
      : `quiet hours (${window.quietHours?.text ?? ''}) until ${when}`;
  return { open: false, reason: first.reason, until, text };
}

/** `09:00` when the same local day, `2027-02-12 18:00` otherwise (local time of the zone). */
export function describeInstant(at: number, now: number, timeZone: string | undefined): string {
  return localDay(at, timeZone) === localDay(now, timeZone) ? localTime(at, timeZone) : `${localDay(at, timeZone)} ${localTime(at, timeZone)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function fmtMinutes(m: number): string {
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}
