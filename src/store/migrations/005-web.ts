/**
 * The status page's event log: what happened to the box, in words a technician reads
 * ("line-2: no SIM card"). Kept on disk so the story survives a power cut; pruned to the
 * newest few thousand rows by the writer. Not synced to HQ and never holds a whole phone number.
 */
export const migration005 = {
  version: 5,
  name: 'web-events',
  sql: `
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  last_at    INTEGER NOT NULL,
  count      INTEGER NOT NULL DEFAULT 1,
  level      TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  params     TEXT    NOT NULL
) STRICT;
`,
};
