/**
 * Messages volunteers send to the box, and the volunteers they make (docs/VOLUNTEERS.md).
 *
 * - `messages`: one row per message as people read it: a single SMS, the parts of a long one
 *   joined, a partial message whose missing parts never came (`partial` 1), or a PDU that could
 *   not be decoded (`pdu` + `decode_error`, `text` null). `text` is exactly what was sent.
 *   `fingerprint` is set for single PDUs: a message re-read from the SIM after a crash between
 *   "stored" and "deleted from the SIM" is recognised and not stored twice.
 * - `message_parts`: every part of a concatenated message, as received. Parts wait here
 *   (`message_id` NULL) until all have come or the timeout passes, then keep the id of the
 *   message they became, so a part re-read from the SIM is still recognised by its fingerprint.
 * - `volunteers`: one row per number that joined (or named an interest). Call history is in
 *   `callers` and opt-outs in `optouts`; queries join them, nothing is copied.
 */
export const migration006 = {
  version: 6,
  name: 'inbound',
  sql: `
CREATE TABLE messages (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT    NOT NULL UNIQUE,
  fingerprint    TEXT    UNIQUE,
  number         TEXT,
  sender         TEXT,
  text           TEXT,
  encoding       TEXT,
  sent_at        INTEGER,
  received_at    INTEGER NOT NULL,
  parts          INTEGER NOT NULL DEFAULT 1,
  parts_received INTEGER NOT NULL DEFAULT 1,
  partial        INTEGER NOT NULL DEFAULT 0,
  missing_parts  TEXT,
  concat_ref     INTEGER,
  pdu            TEXT,
  decode_error   TEXT,
  keyword        TEXT,
  outcome        TEXT,
  reply_id       TEXT,
  modem          TEXT    NOT NULL,
  modem_imei     TEXT,
  sim_iccid      TEXT,
  created_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_number ON messages (number, seq);
CREATE INDEX messages_received ON messages (received_at);

CREATE TABLE message_parts (
  fingerprint  TEXT    PRIMARY KEY,
  sim_key      TEXT    NOT NULL,
  sender       TEXT    NOT NULL,
  ref          INTEGER NOT NULL,
  ref_bits     INTEGER NOT NULL,
  total        INTEGER NOT NULL,
  sequence     INTEGER NOT NULL,
  text         TEXT    NOT NULL,
  encoding     TEXT    NOT NULL,
  sent_at      INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  pdu          TEXT    NOT NULL,
  modem        TEXT    NOT NULL,
  modem_imei   TEXT,
  sim_iccid    TEXT,
  message_id   TEXT
) STRICT;

CREATE INDEX message_parts_waiting ON message_parts (sim_key, sender, ref_bits, ref, total) WHERE message_id IS NULL;
CREATE INDEX message_parts_age ON message_parts (received_at) WHERE message_id IS NULL;

CREATE TABLE volunteers (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT    NOT NULL UNIQUE,
  number           TEXT    NOT NULL UNIQUE,
  name             TEXT,
  pincode          TEXT,
  district         TEXT,
  constituency     TEXT,
  state            TEXT,
  interests        TEXT    NOT NULL DEFAULT '[]',
  joined_at        INTEGER,
  updated_at       INTEGER NOT NULL,
  modem            TEXT,
  modem_imei       TEXT,
  sim_iccid        TEXT,
  created_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX volunteers_pincode ON volunteers (pincode);
CREATE INDEX volunteers_updated ON volunteers (updated_at);
CREATE INDEX callers_last_call ON callers (last_call_at);
`,
};
