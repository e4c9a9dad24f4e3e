/**
 * `missedcall hq-report`: totals per box, per day, gaps in any box's sequence, rejected
 * records and dead letters, as plain text for a person (or `--json` for a script).
 */
import type { HqReport } from './store.js';

/** `+05:30` → 330; `-03:00` → -180. Returns null for anything else. */
export function parseUtcOffset(text: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60 || Number(m[3]) > 59) return null;
  return m[1] === '-' ? -minutes : minutes;
}

/** A report as aligned text tables. */
export function formatReport(r: HqReport, options: { utcOffset: string; sinceDays: number | null }): string {
  const out: string[] = [];
  const when = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z');
  out.push('Totals per box');
  out.push(
    table(
      ['box', 'records', 'calls', 'databases', 'first call', 'last call', 'last received'],
      r.boxes.map((b) => [b.box, b.records, b.calls, b.databases, when(b.firstAt), when(b.lastAt), when(b.lastReceivedAt)]),
    ),
  );
  out.push('');
  out.push(`Per day (UTC${options.utcOffset}${options.sinceDays === null ? '' : `, last ${options.sinceDays} days`})`);
  out.push(table(['day', 'box', 'records', 'calls'], r.days.map((d) => [d.day, d.box, d.records, d.calls])));
  out.push('');
  if (r.gaps.length === 0) {
    out.push('Gaps: none (every box database is complete up to the highest record HQ has from it)');
  } else {
    out.push('Gaps (records missing below the highest HQ has from that box database)');
    out.push(table(['box', 'db', 'missing seq', 'count'], r.gaps.map((g) => [g.box, g.db, g.from === g.to ? `${g.from}` : `${g.from}..${g.to}`, g.to - g.from + 1])));
  }
  out.push('');
  out.push(r.rejected.length === 0 ? 'Rejected records: none' : 'Rejected records (kept on the box, flagged)');
  if (r.rejected.length > 0) out.push(table(['box', 'records'], r.rejected.map((x) => [x.box, x.records])));
  out.push('');
  out.push(r.deadLetters.length === 0 ? 'Dead letters: none' : 'Dead letters (malformed messages, not stored as records)');
  if (r.deadLetters.length > 0) out.push(table(['reason', 'count', 'last'], r.deadLetters.map((d) => [d.reason, d.count, when(d.lastAt)])));
  return out.join('\n');
}

function table(head: string[], rows: (string | number)[][]): string {
  if (rows.length === 0) return '  (none)';
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => `  ${r.map((c, i) => (typeof rows[0]?.[i] === 'number' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd())
    .join('\n');
}
