/**
 * Inbound messages and volunteers for the status page (`WebDeps.providers.messages` and
 * `.volunteers`, see src/web/providers.ts). Numbers are returned whole; the page masks them for
 * viewers. Lists are read a page at a time: a statement is never left open across event-loop
 * turns, because better-sqlite3 refuses every other query on the connection while one is
 * (a call could not be recorded during a download).
 */
import type { MessageRow, MessageStore } from '../store/messages.js';
import type { VolunteerStore, VolunteerView } from '../store/volunteers.js';
import {
  UnknownCursorError,
  type MessageItem,
  type MessagesProvider,
  type Page,
  type PageQuery,
  type VolunteerFilter,
  type VolunteerItem,
  type VolunteersProvider,
} from '../web/providers.js';

function messageItem(m: MessageRow): MessageItem {
  return {
    id: m.id,
    from: m.number ?? m.sender ?? '(unreadable)',
    text: m.text ?? `(could not be decoded: ${m.decodeError ?? 'unknown error'})`,
    receivedAt: m.receivedAt,
    modem: m.line.label,
    keyword: m.keyword,
  };
}

function volunteerItem(v: VolunteerView): VolunteerItem {
  return {
    id: v.id,
    number: v.number,
    name: v.name,
    pincode: v.pincode,
    interests: v.interests,
    joinedAt: v.joinedAt ?? v.updatedAt,
    optedOut: v.optedOut,
  };
}

/** The messages list of the page. */
export class MessagesPageProvider implements MessagesProvider {
  constructor(private readonly messages: MessageStore) {}

  list(query: PageQuery): Page<MessageItem> {
    let beforeSeq: number | undefined;
    if (query.before !== undefined) {
      const ref = this.messages.get(query.before);
      if (!ref) throw new UnknownCursorError(query.before);
      beforeSeq = ref.seq;
    }
    const rows = this.messages.list(beforeSeq === undefined ? { limit: query.limit } : { limit: query.limit, beforeSeq });
    return { items: rows.map(messageItem), next: rows.length === query.limit ? (rows[rows.length - 1]?.id ?? null) : null };
  }
}

const EXPORT_PAGE = 500;

/** The volunteers list, count and CSV download of the page. */
export class VolunteersPageProvider implements VolunteersProvider {
  constructor(private readonly volunteers: VolunteerStore) {}

  joinedSince(since: number): number {
    return this.volunteers.joinedSince(since);
  }

  list(query: PageQuery & VolunteerFilter): Page<VolunteerItem> {
    let beforeSeq: number | undefined;
    if (query.before !== undefined) {
      const ref = this.volunteers.getById(query.before);
      if (!ref) throw new UnknownCursorError(query.before);
      beforeSeq = ref.seq;
    }
    const rows = this.volunteers.list({
      limit: query.limit,
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
      ...(query.pincode === undefined ? {} : { pincode: query.pincode }),
      ...(query.interest === undefined ? {} : { interest: query.interest }),
    });
    return { items: rows.map(volunteerItem), next: rows.length === query.limit ? (rows[rows.length - 1]?.id ?? null) : null };
  }

  /** Oldest first, a page of 500 at a time (see the module comment). */
  *exportAll(filter: VolunteerFilter): Generator<VolunteerItem> {
    let afterSeq = 0;
    for (;;) {
      const rows = this.volunteers.list({
        limit: EXPORT_PAGE,
        afterSeq,
        ...(filter.pincode === undefined ? {} : { pincode: filter.pincode }),
        ...(filter.interest === undefined ? {} : { interest: filter.interest }),
      });
      for (const v of rows) yield volunteerItem(v);
      const last = rows[rows.length - 1];
      if (!last || rows.length < EXPORT_PAGE) return;
      afterSeq = last.seq;
    }
  }
}
