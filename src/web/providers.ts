/**
 * What the status page needs from the parts of the box that are built elsewhere: the SMS
 * outbox (issue 3), inbound messages and volunteers (issue 4), and the HQ sync worker
 * (issue 5). Each is optional: a box without one shows "not available on this box yet" in
 * its place instead of a made-up zero. To plug one in, implement the interface next to the
 * part it describes and pass it in `WebDeps.providers` from `src/app.ts`; nothing in the web
 * layer needs to change (docs/WEB.md, "Plugging in a data source").
 *
 * Times are wall-clock epoch milliseconds. Phone numbers are E.164 (or the raw text when they
 * could not be read); the web layer masks them for viewers, so providers return them whole.
 */

/** One page of a list, newest first. `next` is the cursor for the following page (an id), or null. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A page request: `before` is the `next` cursor of the previous page. */
export interface PageQuery {
  limit: number;
  before?: string;
}

/** Thrown by a provider's `list` when `before` names nothing it knows: the page answers 400. */
export class UnknownCursorError extends Error {
  constructor(cursor: string) {
    super(`no record has the id ${cursor.slice(0, 40)}`);
    this.name = 'UnknownCursorError';
  }
}

/** SMS counts for the overview and /metrics. */
export interface SmsCounts {
  /** Accepted by the network since local midnight. */
  sentToday: number;
  /** Waiting to be sent now (including being retried). */
  queued: number;
  /** Given up since local midnight. */
  failedToday: number;
  /** Every message in the outbox by its status name (for /metrics `missedcall_sms{status}`). */
  byStatus: Record<string, number>;
}

/** One SIM's sending today, for its modem card. */
export interface SmsModemUsage {
  sentToday: number;
  /** The SIM's daily limit, or null when it has none. */
  dailyLimit: number | null;
}

/** One outgoing SMS as the page lists it. */
export interface SmsItem {
  id: string;
  /** The recipient. */
  to: string;
  text: string;
  /** The outbox's own status word (queued, sending, sent, delivered, failed, …). */
  status: string;
  /** The label of the modem that sent it, when one did. */
  modem: string | null;
  createdAt: number;
  sentAt: number | null;
  attempts: number;
  /** Why it failed or is being retried, in words. */
  error: string | null;
}

/** The SMS outbox (issue 3). */
export interface SmsProvider {
  /** Counts for the overview; `since` is local midnight. */
  counts(since: number): SmsCounts;
  /** Per modem label; labels missing from the map show "not available". */
  usageByModem?(since: number): Map<string, SmsModemUsage>;
  list(query: PageQuery & { status?: string }): Page<SmsItem>;
  /** Status words `list` can filter on (for the filter menu). */
  statuses?(): string[];
  /**
   * Queue a test SMS to `to` (E.164), through `modem` (a label) when given. Resolves when
   * it is queued (not when it is delivered) with the outbox id. Absent: the page says the
   * action is not available.
   */
  sendTest?(to: string, options: { modem?: string; requestedBy: string }): Promise<{ id: string }>;
}

/** One message a volunteer sent to the box. */
export interface MessageItem {
  id: string;
  from: string;
  /** Exactly as received: any script, any length, possibly HTML. The page escapes it. */
  text: string;
  receivedAt: number;
  modem: string | null;
  /** What the box made of it (JOIN, STOP, …), or null when it was not a command. */
  keyword: string | null;
}

/** Inbound messages (issue 4). */
export interface MessagesProvider {
  list(query: PageQuery): Page<MessageItem>;
}

/** One volunteer. */
export interface VolunteerItem {
  id: string;
  number: string;
  name: string | null;
  pincode: string | null;
  interests: string[];
  joinedAt: number;
  optedOut: boolean;
}

/** Filters on the volunteers list. */
export interface VolunteerFilter {
  /** Six digits, or a prefix of them. */
  pincode?: string;
  interest?: string;
}

/** Volunteers (issue 4). */
export interface VolunteersProvider {
  /** Joined since `since` (local midnight) for the overview. */
  joinedSince(since: number): number;
  list(query: PageQuery & VolunteerFilter): Page<VolunteerItem>;
  /** Every matching volunteer for the CSV export, oldest first. Absent: no volunteers export. */
  exportAll?(filter: VolunteerFilter): Iterable<VolunteerItem>;
}

/** Where headquarters sync stands; the same fields as `sync` in /api/status. */
export interface SyncStatus {
  /** False when the box is not set up to sync (no `mqtt:` section): the page says so, and it is not a problem. */
  enabled?: boolean;
  connected: boolean;
  /** Records waiting for HQ's acknowledgement. */
  backlog: number;
  lastAckAt: number | null;
  lastError: string | null;
  /** When `connected` last changed, if known: "HQ unreachable for 3 h". */
  since?: number | null;
}

/** The HQ sync worker (issue 5). */
export interface SyncProvider {
  status(): SyncStatus;
  /** Publish the backlog now instead of at the next interval. Absent: the button says not available. */
  syncNow?(): Promise<void> | void;
}

/** Every optional data source of the page. */
export interface Providers {
  sms?: SmsProvider;
  messages?: MessagesProvider;
  volunteers?: VolunteersProvider;
  sync?: SyncProvider;
}
