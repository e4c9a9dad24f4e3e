/**
 * Everything inbound, put together from the config: the message and volunteer stores, the
 * pincode table, the keyword handler (which answers through the SMS queue and writes STOP and
 * START through the opt-out registry), the inbox that stores and joins messages, and one storage
 * reader per modem. Built after the SMS side (it needs the queue and the opt-outs); `attach`
 * each modem before it starts, `start` after the modems, `stop` before they stop.
 */
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import type { Modem } from '../modem/modem.js';
import type { OptOutRegistry, SmsQueue } from '../sms/types.js';
import { expandTemplate } from '../sms/template.js';
import type { Db } from '../store/db.js';
import { MessageStore } from '../store/messages.js';
import type { SyncLog } from '../store/sync-log.js';
import { VolunteerStore } from '../store/volunteers.js';
import { KeywordHandler, type ReplyKind, type ReplyTexts } from '../volunteers/commands.js';
import { compileRules } from '../volunteers/keywords.js';
import { PlaceTable } from '../volunteers/places.js';
import { MessagesPageProvider, VolunteersPageProvider } from '../volunteers/web-provider.js';
import { Inbox } from './inbox.js';
import { StorageReader } from './storage-reader.js';

export interface InboundServiceOptions {
  config: Config;
  db: Db;
  syncLog: SyncLog;
  /** The outbox (issue 3): keyword answers are queued through it. */
  queue: SmsQueue;
  /** The opt-out list every sender consults (issue 3). */
  optOuts: OptOutRegistry;
  log: Logger;
  /** Wall-clock milliseconds (received times, the parts timeout); tests move it. */
  clock?: () => number;
  /** Storage reader timings (tests shorten them); default from `inbox.storageCheckSeconds`. */
  storageCheckMs?: number;
}

/** The auto-reply texts of the config, with placeholders filled in per line (computed once per line). */
export function replyTexts(config: Config): ReplyTexts {
  const cache = new Map<string, string | null>();
  return (kind: ReplyKind, label: string) => {
    const key = `${kind}|${label}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const template = config.keywords.replies[kind];
    const modem = config.modems.find((m) => m.label === label);
    const text =
      template === undefined
        ? null
        : expandTemplate(template, { box: config.box.id, boxName: config.box.name ?? config.box.id, label, campaign: modem?.campaign ?? null });
    cache.set(key, text);
    return text;
  };
}

/** See the module comment. */
export class InboundService {
  readonly messages: MessageStore;
  readonly volunteers: VolunteerStore;
  readonly places: PlaceTable | null;
  readonly handler: KeywordHandler;
  readonly inbox: Inbox;
  readonly readers = new Map<string, StorageReader>();
  /** For the status page (`WebDeps.providers`). */
  readonly pageProviders: { messages: MessagesPageProvider; volunteers: VolunteersPageProvider };
  private readonly log: Logger;

  constructor(private readonly opts: InboundServiceOptions) {
    const c = opts.config;
    this.log = opts.log.child({ module: 'inbox' });
    this.messages = new MessageStore(opts.db);
    this.volunteers = new VolunteerStore(opts.db);
    this.places = c.volunteers.pincodeTable === undefined ? null : PlaceTable.load(c.volunteers.pincodeTable);
    if (this.places) {
      this.log.info({ file: c.volunteers.pincodeTable, pincodes: this.places.size, skippedRows: this.places.skippedRows }, 'pincode table loaded');
    }
    const k = c.keywords;
    this.handler = new KeywordHandler({
      volunteers: this.volunteers,
      syncLog: opts.syncLog,
      queue: opts.queue,
      optOuts: opts.optOuts,
      rules: compileRules({
        join: k.join,
        stop: k.stop,
        start: k.start,
        help: k.help,
        interests: Object.entries(k.interests ?? {}).map(([name, words]) => ({ name, words })),
      }),
      replies: replyTexts(c),
      places: this.places,
      log: opts.log,
    });
    this.inbox = new Inbox({
      db: opts.db,
      messages: this.messages,
      syncLog: opts.syncLog,
      handler: this.handler,
      country: c.country,
      log: opts.log,
      partsTimeoutMs: c.inbox.partsTimeoutHours * 3_600_000,
      ...(opts.clock ? { now: opts.clock } : {}),
    });
    this.pageProviders = { messages: new MessagesPageProvider(this.messages), volunteers: new VolunteersPageProvider(this.volunteers) };
  }

  /** Read this modem's SMS; call before `modem.start()` so its first initialisation is seen. */
  attach(modem: Modem): StorageReader {
    const reader = new StorageReader({
      modem,
      inbox: this.inbox,
      log: this.opts.log,
      checkIntervalMs: this.opts.storageCheckMs ?? this.opts.config.inbox.storageCheckSeconds * 1000,
    });
    this.readers.set(modem.label, reader);
    reader.start();
    return reader;
  }

  /** Counters for `/api/status`: what was stored, joined, could not be decoded, per line read. */
  status(): { inbox: Inbox['stats']; lines: Record<string, StorageReader['stats']> } {
    return {
      inbox: { ...this.inbox.stats },
      lines: Object.fromEntries([...this.readers].map(([label, r]) => [label, { ...r.stats }])),
    };
  }

  /** Start the sweep that stores long messages whose parts timed out. */
  start(): void {
    this.inbox.start();
  }

  async stop(): Promise<void> {
    this.inbox.stop();
    await Promise.all([...this.readers.values()].map((r) => r.stop()));
  }
}
