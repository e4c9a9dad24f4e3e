import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { EventLevel } from '../../events/event-log.js';
import type { WebRuntime } from '../app.js';
import { SESSION_COOKIE, type Principal } from '../auth.js';
import { eventText, formatter } from '../i18n.js';
import { oneOfParam, parseLimit } from '../query.js';
import type { Overview } from '../status-model.js';
import type { ViewContext } from '../views/common.js';
import { callsRegions, eventsRegions } from '../views/lists.js';
import { modemRegions } from '../views/modems.js';
import { overviewRegions, type Regions } from '../views/overview.js';
import { callJson } from './calls.js';
import { EVENT_LEVELS, eventCursor, PAGE_SIZE } from './pages.js';

const LIVE_PAGES = ['overview', 'modems', 'calls', 'events'] as const;
type LivePage = (typeof LIVE_PAGES)[number];

/**
 * How often an open page is re-rendered to catch what changes without an event (signal and
 * operator from the modem poll, "3 min ago"); it is sent only when it differs from the last.
 */
const RECHECK_MS = 2_000;
/** A comment line this often keeps proxies and phones from dropping a quiet stream. */
const KEEPALIVE_MS = 25_000;
/** Changes closer together than this are sent as one update. */
const THROTTLE_MS = 250;

/** The overview as JSON for this principal: numbers masked for a viewer. */
export function overviewJson(o: Overview, principal: Principal | null): Record<string, unknown> {
  const f = formatter('en');
  return {
    at: new Date(o.now).toISOString(),
    box: o.box,
    verdict: o.verdict,
    reasons: o.reasons.map((r) => ({ level: r.level, kind: r.kind, text: f.words.reasons[r.kind](r.params, f) })),
    today: o.today,
    sms: o.sms,
    sync: o.sync,
    disk: o.disk,
    callsPerHour: o.hourly.map((h) => ({ hour: new Date(h.hourStart).toISOString(), calls: h.calls })),
    modems: o.modems.map((m) => ({
      label: m.label,
      state: m.state,
      stateSince: new Date(m.stateSince).toISOString(),
      signalDbm: m.signalDbm,
      bars: m.bars,
      operator: m.operator,
      registration: m.registration,
      iccid: m.iccid,
      imei: m.imei,
      lastError: m.lastError,
      callsToday: m.calls.callsToday,
      lastCallAt: m.calls.lastCallAt === null ? null : new Date(m.calls.lastCallAt).toISOString(),
      medianHangupLatencyMs: m.calls.medianLatencyMs,
      sms: m.sms,
      unreadableLines: m.unreadable,
    })),
    recentCalls: o.recentCalls.map((c) => callJson(principal, c)),
    callsNotSaved: o.callsNotSaved,
  };
}

/** `/api/live` and the JSON views of the page's data. */
export function liveRoutes(rt: WebRuntime): FastifyPluginAsync {
  const regionsFor = (pageName: LivePage, ctx: ViewContext, level: EventLevel): Regions => {
    switch (pageName) {
      case 'overview':
        return overviewRegions(ctx, rt.overview.get());
      case 'modems':
        return modemRegions(ctx, rt.overview.get());
      case 'calls':
        return callsRegions(ctx, rt.deps.calls.list({ limit: PAGE_SIZE }));
      case 'events':
        return eventsRegions(ctx, rt.deps.events?.list({ limit: PAGE_SIZE, minLevel: level }) ?? []);
    }
  };
  /** The page's regions as JSON, and the part that says whether anything visible changed. */
  const update = (req: FastifyRequest, pageName: LivePage, level: EventLevel): { json: string; content: string } => {
    const ctx = rt.context(req);
    const regions = Object.fromEntries(Object.entries(regionsFor(pageName, ctx, level)).map(([k, v]) => [k, v.value]));
    const content = JSON.stringify(regions);
    return { json: JSON.stringify({ version: rt.hub.version, updated: ctx.f.words.updated(ctx.f.time(ctx.now, ctx.now)), regions }), content };
  };
  const streams = new Set<ServerResponse>();

  return async (app) => {
    // Open streams would keep the server from closing.
    app.addHook('preClose', async () => {
      for (const res of streams) res.end();
      streams.clear();
    });

    /**
     * The regions of a page, freshly rendered for this account and language: as a stream of
     * server-sent events (`event: update`), or once as JSON with `?once=1` (the polling fallback).
     */
    app.get('/api/live', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const pageName = oneOfParam(q.page, 'page', LIVE_PAGES, 'overview');
      const level = oneOfParam(q.level, 'level', EVENT_LEVELS, 'info');
      if (q.once !== undefined) return reply.header('cache-control', 'no-store').type('application/json').send(update(req, pageName, level).json);
      const session = req.principal?.session ?? null;
      const token = req.cookies[SESSION_COOKIE];
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // nginx would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      streams.add(res);
      let lastContent = '';
      let lastWrite = 0;
      let pending: NodeJS.Timeout | undefined;
      const send = (force: boolean): void => {
        pending = undefined;
        // A session that ended (logout, expiry, dropped for newer ones) ends its stream before
        // anything more is rendered for it; the page then finds the 401. Asked of the store at
        // each send: the session object itself does not learn of a logout.
        if (session && rt.auth.sessions.get(token) !== session) {
          res.end();
          return;
        }
        try {
          const u = update(req, pageName, level);
          if (force || u.content !== lastContent) {
            res.write(`event: update\ndata: ${u.json}\n\n`);
            lastContent = u.content;
            lastWrite = Date.now();
          } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
            res.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
        } catch (err) {
          req.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'live update failed');
          res.end();
        }
      };
      const timer = setInterval(() => send(false), RECHECK_MS);
      const onChange = (): void => {
        pending ??= setTimeout(() => send(true), THROTTLE_MS);
      };
      rt.hub.on('change', onChange);
      res.on('close', () => {
        streams.delete(res);
        rt.hub.off('change', onChange);
        clearInterval(timer);
        clearTimeout(pending);
      });
      // Reconnect quickly after a restart of the box.
      res.write('retry: 2000\n\n');
      send(true);
    });

    /** `GET /api/overview`: everything the overview shows, as data. */
    app.get('/api/overview', async (req) => overviewJson(rt.overview.get(), req.principal));

    /** `GET /api/events?level=&limit=&before=`: the event log, newest first, in English. */
    app.get('/api/events', async (req) => {
      const q = req.query as Record<string, unknown>;
      const level = oneOfParam(q.level, 'level', EVENT_LEVELS, 'info');
      const limit = parseLimit(q.limit);
      const before = eventCursor(q.before);
      const events = rt.deps.events?.list({ limit, minLevel: level, ...(before === undefined ? {} : { before }) }) ?? [];
      const f = formatter('en');
      return {
        events: events.map((e) => ({
          id: e.id,
          at: new Date(e.at).toISOString(),
          lastAt: new Date(e.lastAt).toISOString(),
          count: e.count,
          level: e.level,
          source: e.source,
          kind: e.kind,
          text: eventText(f, e.kind, e.params),
        })),
        next: events.length === limit ? (events[events.length - 1]?.id ?? null) : null,
        available: rt.deps.events !== undefined,
      };
    });
  };
}
