/**
 * What the sync worker (src/sync) needs besides `sync_log`:
 * - `sync_batches`: a batch's exact wire bytes until HQ acknowledges it, so a re-send after a
 *   timeout, a reconnect or a restart is byte-identical. A batch is a contiguous `seq` range
 *   (batches are cut from the oldest unbatched rows, and seq only grows), so membership is
 *   `seq BETWEEN seq_from AND seq_to AND batch_id = id` and the ack updates by primary key range.
 * - `sync_pushed_config`: the last configuration HQ pushed and the box accepted, so a restart
 *   keeps it (the retained MQTT message may arrive only later, or never while offline).
 * - indexes that keep /api/status cheap with a backlog of millions: the backlog is counted as
 *   "rows above the last batch" (seq only grows, batches are cut in order) plus the records of
 *   open batches, never by walking the backlog; rejected rows have their own small index.
 */
export const migration003 = {
  version: 3,
  name: 'sync',
  sql: `
CREATE TABLE sync_batches (
  id           TEXT    PRIMARY KEY,
  seq_from     INTEGER NOT NULL,
  seq_to       INTEGER NOT NULL,
  records      INTEGER NOT NULL,
  bytes        INTEGER NOT NULL,
  json_bytes   INTEGER NOT NULL,
  compressed   INTEGER NOT NULL,
  payload      BLOB,
  created_at   INTEGER NOT NULL,
  sends        INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER,
  acked_at     INTEGER,
  inserted     INTEGER,
  duplicates   INTEGER,
  rejected     INTEGER
) STRICT;

CREATE INDEX sync_batches_open ON sync_batches (seq_from) WHERE acked_at IS NULL;
CREATE INDEX sync_batches_seq_to ON sync_batches (seq_to);

CREATE INDEX sync_log_unsynced ON sync_log (seq) WHERE synced_at IS NULL;
CREATE INDEX sync_log_rejected ON sync_log (seq) WHERE rejected IS NOT NULL;

CREATE TABLE sync_pushed_config (
  slot        INTEGER PRIMARY KEY CHECK (slot = 1),
  push_id     TEXT    NOT NULL,
  config      TEXT    NOT NULL,
  received_at INTEGER NOT NULL
) STRICT;
`,
};
