/**
 * Calls by line. The status page asks, every few seconds and for every line, for the line's
 * last call and its last 200 hang-up latencies (`CallReport.lineStats`), on the same thread
 * that sends hang-ups. Without an index SQLite walks `calls` backwards by seq until it has
 * enough rows of that line: for a line with no or only old calls, the whole table (220 ms at a
 * million calls). With `(port_label, seq)` each is a seek and a short backward range, and the
 * per-line totals for /metrics read this index instead of the table.
 */
export const migration007 = {
  version: 7,
  name: 'call-indexes',
  sql: `
CREATE INDEX calls_port_label ON calls (port_label, seq);
`,
};
