/**
 * Everything headquarters must receive, in the box's own order. A row is appended in the
 * same transaction as the fact it reports (a call, an SMS outcome, a message, an opt-out),
 * with its payload frozen as JSON, so a batch re-sent after a timeout is byte-identical.
 * The sync worker (src/sync) owns the columns that say where a row is in its journey.
 */
export const migration002 = {
  version: 2,
  name: 'sync-log',
  sql: `
CREATE TABLE sync_log (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT    NOT NULL UNIQUE,
  type       TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  batch_id   TEXT,
  synced_at  INTEGER,
  rejected   TEXT
) STRICT;

CREATE INDEX sync_log_unbatched ON sync_log (seq) WHERE batch_id IS NULL;
`,
};
