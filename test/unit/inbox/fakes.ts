/**
 * Small in-memory stand-ins for the SMS side's two contracts (src/sms/types.ts), with the
 * same rule the real outbox keeps: nothing goes to an opted-out number unless `ignoreOptOut`.
 * Plus a real SQLite file with every migration, and the inbound parts built on it.
 */
import { join } from 'node:path';
import { Inbox, type MessageHandler } from '../../../src/inbox/inbox.js';
import { silentLogger } from '../../../src/log.js';
import type { OptOutRegistry, QueueSmsRequest, QueueSmsResult, SmsQueue } from '../../../src/sms/types.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { MessageStore, type ReceivingLine } from '../../../src/store/messages.js';
import { SyncLog } from '../../../src/store/sync-log.js';
import { VolunteerStore } from '../../../src/store/volunteers.js';
import { KeywordHandler, type ReplyKind } from '../../../src/volunteers/commands.js';
import { DEFAULT_REPLIES } from '../../../src/volunteers/config.js';
import { compileRules } from '../../../src/volunteers/keywords.js';
import type { PlaceLookup } from '../../../src/volunteers/places.js';
import { tempDir } from '../../helpers/box.js';

export class FakeOptOuts implements OptOutRegistry {
  readonly out = new Map<string, number>();
  readonly changes: { number: string; optedOut: boolean; at: number; source: string }[] = [];

  isOptedOut(number: string): boolean {
    return this.out.has(number);
  }

  optOut(number: string, at: number, source: string): boolean {
    if (this.out.has(number)) return false;
    this.out.set(number, at);
    this.changes.push({ number, optedOut: true, at, source });
    return true;
  }

  optIn(number: string, at: number, source: string): boolean {
    if (!this.out.delete(number)) return false;
    this.changes.push({ number, optedOut: false, at, source });
    return true;
  }
}

export class FakeQueue implements SmsQueue {
  readonly queued: (QueueSmsRequest & { id: string })[] = [];
  readonly refused: QueueSmsRequest[] = [];
  private n = 0;

  constructor(private readonly optOuts: OptOutRegistry) {}

  enqueue(request: QueueSmsRequest): QueueSmsResult {
    if (!request.ignoreOptOut && this.optOuts.isOptedOut(request.to)) {
      this.refused.push(request);
      return { queued: false, reason: 'opted-out' };
    }
    const id = `sms-${++this.n}`;
    this.queued.push({ ...request, id });
    return { queued: true, id, parts: 1 };
  }

  /** Texts queued to a number, in order. */
  to(number: string): string[] {
    return this.queued.filter((q) => q.to === number).map((q) => q.text);
  }
}

export const REPLIES: Record<ReplyKind, string | null> = { ...DEFAULT_REPLIES, other: null };

export const LINE: ReceivingLine = { label: 'line-1', imei: '867162020000011', iccid: '8991000900111111111' };

export interface InboxEnv {
  db: Db;
  inbox: Inbox;
  messages: MessageStore;
  volunteers: VolunteerStore;
  optOuts: FakeOptOuts;
  queue: FakeQueue;
  clock: { now: number };
  syncTypes: () => string[];
}

/** A real database file in a temporary folder, removed with the test. */
export function inboxEnv(
  t: import('node:test').TestContext,
  options: { places?: PlaceLookup | null; handler?: MessageHandler; partsTimeoutMs?: number } = {},
): InboxEnv {
  const { dir, remove } = tempDir('mcb-inbox-');
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => {
    if (db.open) db.close();
    remove();
  });
  const syncLog = new SyncLog(db);
  const messages = new MessageStore(db);
  const volunteers = new VolunteerStore(db);
  const optOuts = new FakeOptOuts();
  const queue = new FakeQueue(optOuts);
  const clock = { now: Date.UTC(2026, 10, 28, 7, 0, 0) };
  const handler =
    options.handler ??
    new KeywordHandler({
      volunteers,
      syncLog,
      queue,
      optOuts,
      rules: compileRules({ join: ['JOIN', 'जॉइन'], stop: ['STOP', 'रोकें'], start: ['START'], help: ['HELP'], interests: [{ name: 'SOCIAL', words: ['सोशल'] }] }),
      replies: (kind) => REPLIES[kind],
      places: options.places ?? null,
      log: silentLogger(),
    });
  const inbox = new Inbox({
    db,
    messages,
    syncLog,
    handler,
    country: 'IN',
    log: silentLogger(),
    partsTimeoutMs: options.partsTimeoutMs ?? 24 * 3_600_000,
    now: () => clock.now,
  });
  const syncTypes = (): string[] => (db.prepare(`SELECT type FROM sync_log ORDER BY seq`).all() as { type: string }[]).map((r) => r.type);
  return { db, inbox, messages, volunteers, optOuts, queue, clock, syncTypes };
}
