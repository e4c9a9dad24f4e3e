/**
 * Calls and callers. Times are wall-clock epoch milliseconds (the Pi may boot with a wrong
 * clock; `seq` is the box's own order and does not depend on it).
 */
export const migration001 = {
  version: 1,
  name: 'calls',
  sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE calls (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  id                TEXT    NOT NULL UNIQUE,
  number            TEXT,
  number_raw        TEXT,
  number_valid      INTEGER NOT NULL,
  withheld          INTEGER NOT NULL,
  number_source     TEXT    NOT NULL,
  modem_imei        TEXT,
  sim_iccid         TEXT,
  port              TEXT    NOT NULL,
  port_label        TEXT    NOT NULL,
  campaign          TEXT,
  rang_at           INTEGER NOT NULL,
  hangup_at         INTEGER,
  hangup_latency_ms REAL,
  caller_gave_up    INTEGER NOT NULL DEFAULT 0,
  repeat            INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX calls_rang_at ON calls (rang_at);
CREATE INDEX calls_number ON calls (number, seq);

CREATE TABLE callers (
  number        TEXT PRIMARY KEY,
  first_call_at INTEGER NOT NULL,
  last_call_at  INTEGER NOT NULL,
  calls         INTEGER NOT NULL
) STRICT;
`,
};
