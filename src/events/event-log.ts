import { EventEmitter } from 'node:events';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EventStore, StoredEvent } from '../store/events.js';

/** How bad an event is; the page colours only `warning` and `problem`. */
export type EventLevel = 'info' | 'warning' | 'problem';

/**
 * What happened, as a message key the page translates (src/web/i18n.ts, `events`). A part of
 * the box that has no key of its own yet uses `text` with a `text` parameter (shown as is,
 * untranslated) until a key is added.
 */
export type EventKind =
  | 'box-started'
  | 'box-stopping'
  | 'modem-ready'
  | 'modem-recovered'
  | 'modem-no-sim'
  | 'modem-not-registered'
  | 'modem-unresponsive'
  | 'modem-gone'
  | 'modem-restart'
  | 'modem-bad-input'
  | 'modem-timeouts'
  | 'calls-not-saved'
  | 'hangup-unconfirmed'
  | 'login-failed'
  | 'test-sms'
  | 'sync-now'
  | 'text';

/** Message parameters: plain values only (they are stored as JSON and escaped on the page). */
export type EventParams = Record<string, string | number | null>;

/** One entry of the log. Repeats of the same event from the same source are folded into one with a count. */
export interface BoxEvent {
  /** Increasing id for paging (the database row id once saved, or a number above every saved one). */
  id: number;
  /** First occurrence. */
  at: number;
  /** Latest occurrence (equals `at` when `count` is 1). */
  lastAt: number;
  count: number;
  level: EventLevel;
  /** `box`, a modem label (`line-2`), `hq`, `web`, `sms`, … */
  source: string;
  kind: EventKind;
  params: EventParams;
}

/** What `add` takes. */
export interface NewEvent {
  level: EventLevel;
  source: string;
  kind: EventKind;
  params?: EventParams;
}

export interface EventLogOptions {
  log: Logger;
  /** Keeps the log across restarts; without it the log lives in memory only. */
  store?: EventStore;
  /** Events kept in memory (and shown on the page). */
  capacity?: number;
  /** A repeat within this window is folded into the earlier entry. */
  foldWindowMs?: number;
  /** Writes to the store are batched: at most one transaction (one fsync) per this interval. */
  flushMs?: number;
  now?: () => number;
}

export interface EventLogEvents {
  event: [BoxEvent];
}

const LEVELS = new Set<string>(['info', 'warning', 'problem']);

/**
 * The technician's story of the box: modem problems, recoveries, calls that could not be
 * saved, logins that failed. A ring buffer in memory, written to SQLite in batches (events
 * are rare, but a flapping modem must not cost an fsync per flap on the thread that hangs
 * up calls). Folding keeps a modem that fails every few seconds to one line with a count.
 */
export class EventLog extends EventEmitter<EventLogEvents> {
  private readonly items: BoxEvent[] = [];
  private readonly capacity: number;
  private readonly foldWindowMs: number;
  private readonly flushMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly store: EventStore | undefined;
  /** Events waiting to be written, and the row each was saved as. */
  private readonly dirty = new Set<BoxEvent>();
  private readonly savedAs = new WeakMap<BoxEvent, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(options: EventLogOptions) {
    super();
    this.capacity = options.capacity ?? 300;
    this.foldWindowMs = options.foldWindowMs ?? 10 * 60_000;
    this.flushMs = options.flushMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.log = options.log.child({ module: 'events' });
    this.store = options.store;
    if (this.store) this.loadSaved(this.store);
  }

  private loadSaved(store: EventStore): void {
    let saved: StoredEvent[];
    try {
      saved = store.recent(this.capacity);
    } catch (err) {
      this.log.warn({ err: describeError(err) }, 'cannot read the saved event log; starting an empty one');
      return;
    }
    for (const s of saved.reverse()) {
      const event: BoxEvent = {
        id: s.seq,
        at: s.at,
        lastAt: s.lastAt,
        count: s.count,
        level: LEVELS.has(s.level) ? (s.level as EventLevel) : 'info',
        source: s.source,
        kind: s.kind as EventKind,
        params: s.params,
      };
      this.items.push(event);
      this.savedAs.set(event, s.seq);
      this.nextId = Math.max(this.nextId, s.seq + 1);
    }
  }

  /** Record an event (or fold it into the same one from the same source a moment ago). */
  add(input: NewEvent): BoxEvent {
    const now = this.now();
    const params = input.params ?? {};
    const last = this.lastFrom(input.source);
    if (
      last &&
      last.kind === input.kind &&
      last.level === input.level &&
      now - last.lastAt <= this.foldWindowMs &&
      sameParams(last.params, params)
    ) {
      last.count++;
      last.lastAt = now;
      this.changed(last);
      return last;
    }
    const event: BoxEvent = { id: this.nextId++, at: now, lastAt: now, count: 1, level: input.level, source: input.source, kind: input.kind, params };
    this.items.push(event);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    this.changed(event);
    return event;
  }

  /** The newest event from a source, if it is still in memory. */
  lastFrom(source: string): BoxEvent | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const e = this.items[i];
      if (e?.source === source) return e;
    }
    return undefined;
  }

  /**
   * Newest first. `before` is an event id (paging); `minLevel` drops quieter events.
   */
  list(options: { limit?: number; before?: number; minLevel?: EventLevel } = {}): BoxEvent[] {
    const rank = rankOf(options.minLevel ?? 'info');
    const out: BoxEvent[] = [];
    for (let i = this.items.length - 1; i >= 0 && out.length < (options.limit ?? this.capacity); i--) {
      const e = this.items[i] as BoxEvent;
      if (options.before !== undefined && e.id >= options.before) continue;
      if (rankOf(e.level) >= rank) out.push(e);
    }
    return out;
  }

  /** Write pending events now (shutdown). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.store || this.dirty.size === 0) return;
    const batch = [...this.dirty];
    this.dirty.clear();
    try {
      const seqs = this.store.save(
        batch.map((e) => ({
          seq: this.savedAs.get(e) ?? null,
          at: e.at,
          lastAt: e.lastAt,
          count: e.count,
          level: e.level,
          source: e.source,
          kind: e.kind,
          params: e.params,
        })),
      );
      batch.forEach((e, i) => {
        const seq = seqs[i];
        if (seq !== undefined) this.savedAs.set(e, seq);
      });
    } catch (err) {
      // The log is a convenience; the calls table is what must not be lost. Say it once per failure.
      this.log.warn({ err: describeError(err), events: batch.length }, 'cannot save the event log');
    }
  }

  private changed(event: BoxEvent): void {
    this.emit('event', event);
    if (!this.store) return;
    this.dirty.add(event);
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
      this.flushTimer.unref();
    }
  }
}

function rankOf(level: EventLevel): number {
  return level === 'problem' ? 2 : level === 'warning' ? 1 : 0;
}

function sameParams(a: EventParams, b: EventParams): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
