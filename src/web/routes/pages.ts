import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { EventLevel } from '../../events/event-log.js';
import { sendPage, type WebRuntime } from '../app.js';
import { html, type SafeHtml } from '../html.js';
import { UnknownCursorError, type Page } from '../providers.js';
import { badRequest, ID_PATTERN, oneOfParam, optionalParam } from '../query.js';
import { page, type ViewContext } from '../views/common.js';
import { callsBody, eventsBody, messagesBody, smsBody, volunteersBody } from '../views/lists.js';
import { modemsBody } from '../views/modems.js';
import { overviewBody } from '../views/overview.js';
import { callCursor } from './calls.js';

/** Rows per page of every list. */
export const PAGE_SIZE = 50;

/** The note shown after an action redirected back here; only known keys, so nothing from the URL is echoed. */
function notice(ctx: ViewContext, raw: unknown): SafeHtml | null {
  const notices = ctx.f.words.notices;
  // Own keys only: `?notice=constructor` must not find Object.prototype's members (a 500).
  if (typeof raw !== 'string' || !Object.hasOwn(notices, raw)) return null;
  const text = notices[raw];
  return text ? html`<p class="notice" role="status">${text}</p>` : null;
}

function query(req: FastifyRequest): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}

/** A provider's page, with an unknown cursor turned into a 400 (it came from the URL). */
function readPage<T>(read: () => Page<T>): Page<T> {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownCursorError) throw badRequest(`before: ${err.message}`);
    throw err;
  }
}

const CURSOR = { pattern: ID_PATTERN, expected: 'an id from a previous page' };
export const EVENT_LEVELS: readonly EventLevel[] = ['info', 'warning', 'problem'];

/** `?before=` for the events list: an event id. */
export function eventCursor(raw: unknown): number | undefined {
  const s = optionalParam(raw, 'before', /^\d{1,12}$/, 'an event id from a previous page');
  return s === undefined ? undefined : Number(s);
}

/** The server-rendered pages. Each list page reads and checks its parameters (400 on nonsense). */
export function pageRoutes(rt: WebRuntime): FastifyPluginAsync {
  const { providers } = rt;
  return async (app) => {
    app.get('/', async (req, reply) => {
      const ctx = rt.context(req);
      const body = html`${notice(ctx, query(req).notice)}${overviewBody(ctx, rt.overview.get(), { syncNow: !!providers.sync?.syncNow })}`;
      return sendPage(reply, page(ctx, { title: ctx.f.words.nav.overview, nav: 'overview', body, live: 'overview' }));
    });

    app.get('/modems', async (req, reply) => {
      const ctx = rt.context(req);
      const body = html`${notice(ctx, query(req).notice)}${modemsBody(ctx, rt.overview.get(), { testSms: !!providers.sms?.sendTest })}`;
      return sendPage(reply, page(ctx, { title: ctx.f.words.nav.modems, nav: 'modems', body, live: 'modems' }));
    });

    app.get('/calls', async (req, reply) => {
      const ctx = rt.context(req);
      const cursor = callCursor(rt.deps.calls, query(req).before);
      const rows = rt.deps.calls.list(cursor ? { limit: PAGE_SIZE, beforeSeq: cursor.seq } : { limit: PAGE_SIZE });
      const next = rows.length === PAGE_SIZE ? (rows[rows.length - 1]?.id ?? null) : null;
      return sendPage(
        reply,
        page(ctx, { title: ctx.f.words.nav.calls, nav: 'calls', body: callsBody(ctx, rows, next, cursor?.id), ...(cursor ? {} : { live: 'calls' }) }),
      );
    });

    app.get('/sms', async (req, reply) => {
      const ctx = rt.context(req);
      const q = query(req);
      const status = optionalParam(q.status, 'status', /^[a-z][a-z_-]{0,19}$/, 'a status word such as sent or failed');
      const before = optionalParam(q.before, 'before', CURSOR.pattern, CURSOR.expected);
      const sms = providers.sms;
      const list = sms
        ? readPage(() => sms.list({ limit: PAGE_SIZE, ...(before ? { before } : {}), ...(status ? { status } : {}) }))
        : null;
      const body = smsBody(ctx, list, { statuses: sms?.statuses?.() ?? [], ...(status ? { status } : {}), ...(before ? { before } : {}) });
      return sendPage(reply, page(ctx, { title: ctx.f.words.nav.sms, nav: 'sms', body }));
    });

    app.get('/messages', async (req, reply) => {
      const ctx = rt.context(req);
      const before = optionalParam(query(req).before, 'before', CURSOR.pattern, CURSOR.expected);
      const messages = providers.messages;
      const list = messages ? readPage(() => messages.list({ limit: PAGE_SIZE, ...(before ? { before } : {}) })) : null;
      return sendPage(reply, page(ctx, { title: ctx.f.words.nav.messages, nav: 'messages', body: messagesBody(ctx, list, before) }));
    });

    app.get('/volunteers', async (req, reply) => {
      const ctx = rt.context(req);
      const q = query(req);
      const pincode = optionalParam(q.pincode, 'pincode', /^\d{1,6}$/, 'up to six digits of a PIN code');
      const interest = optionalParam(q.interest, 'interest', /^[\p{L}\p{M}\p{N} _-]{1,40}$/u, 'a word of up to 40 letters');
      const before = optionalParam(q.before, 'before', CURSOR.pattern, CURSOR.expected);
      const volunteers = providers.volunteers;
      const filter = { ...(pincode ? { pincode } : {}), ...(interest ? { interest } : {}) };
      const list = volunteers ? readPage(() => volunteers.list({ limit: PAGE_SIZE, ...filter, ...(before ? { before } : {}) })) : null;
      const body = volunteersBody(ctx, list, { ...filter, ...(before ? { before } : {}), csv: !!volunteers?.exportAll });
      return sendPage(reply, page(ctx, { title: ctx.f.words.nav.volunteers, nav: 'volunteers', body }));
    });

    app.get('/events', async (req, reply) => {
      const ctx = rt.context(req);
      const q = query(req);
      const level = oneOfParam(q.level, 'level', EVENT_LEVELS, 'info');
      const before = eventCursor(q.before);
      const events = rt.deps.events?.list({ limit: PAGE_SIZE, minLevel: level, ...(before === undefined ? {} : { before }) }) ?? [];
      const next = events.length === PAGE_SIZE ? String(events[events.length - 1]?.id) : null;
      const body = eventsBody(ctx, events, level, next, before === undefined ? undefined : String(before));
      return sendPage(
        reply,
        page(ctx, {
          title: ctx.f.words.eventsHeading,
          nav: 'events',
          body,
          ...(before === undefined ? { live: 'events', ...(level === 'info' ? {} : { liveQuery: `level=${level}` }) } : {}),
        }),
      );
    });
  };
}
