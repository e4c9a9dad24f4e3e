/**
 * The SMS outbox, its parts, the per-SIM daily counters, and the opt-out list every sender
 * consults. docs/SMS.md explains the states and the restart rule these columns implement.
 *
 * - `sms_outbox`: one row per message. `status` queued → sending → sent → delivered | failed.
 *   `sim_iccid` is set when the first part was accepted: the other parts must leave from the
 *   same SIM, or the phone cannot join them.
 * - `sms_parts`: one row per SMS part. `pending` → `sending` (written before `AT+CMGS` goes to
 *   the modem) → `sent` (the modem answered `+CMGS`; never sent again) → delivered | failed
 *   (status report). A part found in `sending` after a crash is sent again.
 * - `sms_daily`: parts accepted by the network per SIM (ICCID) per local day.
 * - `optouts`: numbers that said STOP (`opted_out` 1) or START again (0), E.164.
 */
export const migration004 = {
  version: 4,
  name: 'sms',
  sql: `
CREATE TABLE sms_outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT    NOT NULL UNIQUE,
  kind            TEXT    NOT NULL,
  recipient       TEXT    NOT NULL,
  text            TEXT    NOT NULL,
  encoding        TEXT    NOT NULL,
  parts           INTEGER NOT NULL,
  concat_ref      INTEGER NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  call_id         TEXT,
  message_id      TEXT,
  template_id     TEXT,
  prefer_modem    TEXT,
  ignore_opt_out  INTEGER NOT NULL DEFAULT 0,
  sim_iccid       TEXT,
  modem           TEXT,
  queued_at       INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at         INTEGER,
  delivered_at    INTEGER,
  failed_at       INTEGER,
  updated_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX sms_outbox_waiting ON sms_outbox (seq) WHERE status IN ('queued', 'sending');
CREATE INDEX sms_outbox_status ON sms_outbox (status, seq);
CREATE INDEX sms_outbox_recipient ON sms_outbox (recipient, queued_at);

CREATE TABLE sms_parts (
  sms_id            TEXT    NOT NULL REFERENCES sms_outbox (id),
  part              INTEGER NOT NULL,
  text              TEXT    NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  modem             TEXT,
  sim_iccid         TEXT,
  message_reference INTEGER,
  last_error        TEXT,
  started_at        INTEGER,
  sent_at           INTEGER,
  report_status     INTEGER,
  reported_at       INTEGER,
  PRIMARY KEY (sms_id, part)
) STRICT;

CREATE INDEX sms_parts_reference ON sms_parts (sim_iccid, message_reference, sent_at) WHERE message_reference IS NOT NULL;

CREATE TABLE sms_daily (
  sim_iccid TEXT    NOT NULL,
  day       TEXT    NOT NULL,
  sent      INTEGER NOT NULL,
  PRIMARY KEY (sim_iccid, day)
) STRICT;

CREATE TABLE optouts (
  number     TEXT PRIMARY KEY,
  opted_out  INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  source     TEXT
) STRICT;
`,
};
