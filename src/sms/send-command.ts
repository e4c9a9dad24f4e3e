import type { Config } from '../config/load.js';
import { silentLogger } from '../log.js';
import { openDatabase } from '../store/db.js';
import { OptOutStore } from '../store/optouts.js';
import { SyncLog } from '../store/sync-log.js';
import { SmsOutbox } from './outbox.js';
import type { QueueSmsResult } from './types.js';

/** What `missedcall send` did, with a message for the person. */
export type ManualSendResult =
  | { ok: true; id: string; parts: number; to: string; message: string }
  | { ok: false; reason: Exclude<QueueSmsResult, { queued: true }>['reason']; message: string };

const WHY: Record<Exclude<QueueSmsResult, { queued: true }>['reason'], (to: string) => string> = {
  'invalid-number': (to) => `"${to}" is not a phone number the box can send to; write it like 9812345678 or +919812345678`,
  'empty-text': () => 'the text is empty; give the message with --text "…"',
  'too-long': () => 'the text is too long: at most 10 SMS parts (1530 plain characters, or 670 in Hindi and other scripts)',
  'opted-out': (to) => `${to} has opted out (sent STOP); the box does not send to it`,
};

/**
 * `missedcall send`: queue one message in the box's database (the file named by the config),
 * as kind `manual`. The running box notices it within a second and sends it like a reply,
 * with the same limits, quiet hours and blackouts; if the box is not running, it goes out
 * when it starts. Opens and closes the database itself (SQLite's busy timeout covers the
 * moment the running box holds the write lock).
 */
export function queueManualSms(config: Config, to: string, text: string): ManualSendResult {
  const db = openDatabase(config.database);
  try {
    const syncLog = new SyncLog(db);
    const outbox = new SmsOutbox({ db, syncLog, optOuts: new OptOutStore(db, syncLog), country: config.country, log: silentLogger() });
    const result = outbox.enqueue({ to, text, kind: 'manual' });
    if (!result.queued) return { ok: false, reason: result.reason, message: WHY[result.reason](to) };
    const row = outbox.get(result.id);
    const dest = row?.to ?? to;
    return {
      ok: true,
      id: result.id,
      parts: result.parts,
      to: dest,
      message: `queued ${result.id}: ${result.parts} SMS part${result.parts === 1 ? '' : 's'} to ${dest}; the running box sends it (see GET /api/sms)`,
    };
  } finally {
    db.close();
  }
}
