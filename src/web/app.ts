import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { CountryCode } from 'libphonenumber-js';
import type { CallHandler } from '../calls/call-handler.js';
import { ErrorCodes } from '../errors.js';
import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../log.js';
import type { Modem } from '../modem/modem.js';
import { CallReport } from '../store/call-report.js';
import type { Db } from '../store/db.js';
import type { CallStore } from '../store/calls.js';
import type { MessageStore } from '../store/messages.js';
import type { VolunteerStore } from '../store/volunteers.js';
import { registerAuth, wantsHtml, type AuthRuntime, type AuthSettings } from './auth.js';
import { formatter } from './i18n.js';
import { LiveHub } from './live.js';
import { buildMetrics, type WebMetrics } from './metrics.js';
import type { Providers } from './providers.js';
import { actionRoutes } from './routes/actions.js';
import { callsRoutes } from './routes/calls.js';
import { smsRoutes, type SmsReadModel } from './routes/sms.js';
import { messagesRoutes } from './routes/messages.js';
import { volunteersRoutes } from './routes/volunteers.js';
import { exportRoutes } from './routes/export.js';
import { liveRoutes } from './routes/live.js';
import { metricsRoutes } from './routes/metrics.js';
import { pageRoutes } from './routes/pages.js';
import { staticRoutes } from './routes/static.js';
import { statusRoutes } from './routes/status.js';
import { OverviewSource, type DiskSpace, type StatusSnapshot } from './status-model.js';
import { errorPage } from './views/auth-pages.js';
import type { ViewContext } from './views/common.js';

export type { StatusSnapshot } from './status-model.js';

/**
 * What the web side is built from. `status`, `calls` and `report` are the box itself; the
 * rest is optional so that a part not built yet shows as "not available" (see providers.ts).
 */
export interface WebDeps {
  log: Logger;
  status: () => StatusSnapshot;
  calls: CallStore;
  /** Questions about the calls table; built from `db` when not given. */
  report?: CallReport;
  /** The database, for `report` when it is not given. */
  db?: Db;
  /** `/api/sms` and the `sms` block of `/api/status`; absent on a box without the SMS side (tests). */
  sms?: SmsReadModel;
  /** `/api/messages` and `/api/volunteers` (issue 4); absent: they answer 501. */
  inbound?: { messages: MessageStore; volunteers: VolunteerStore; status?: () => Record<string, unknown> };
  /** Accounts (config `http.users`); none: every page shows how to make one. */
  auth?: AuthSettings;
  events?: EventLog;
  providers?: Providers;
  /** The call handler: its `recorded` events drive /metrics and live updates; its counters the health verdict. */
  handler?: Pick<CallHandler, 'on' | 'off' | 'stats'>;
  /** The modems: their state changes drive live updates. */
  modems?: readonly Pick<Modem, 'on' | 'off' | 'label'>[];
  /** Close and reopen a modem's port (admin action); false when there is no such modem. */
  restartModem?: (label: string) => boolean;
  /** The country test-SMS numbers are read in (config `country`). */
  country?: CountryCode;
  disk?: () => DiskSpace | null;
  /** Believe X-Forwarded-* from a reverse proxy on this box (config `http.trustProxy`). */
  trustProxy?: boolean;
  now?: () => number;
}

/** What the routes share. */
export interface WebRuntime {
  deps: WebDeps;
  report: CallReport;
  providers: Providers;
  overview: OverviewSource;
  hub: LiveHub;
  metrics: WebMetrics;
  auth: AuthRuntime;
  now: () => number;
  /** The view context of a request (language, account, CSRF token). */
  context: (req: FastifyRequest) => ViewContext;
}

/** Send a whole HTML page; pages hold personal data, so nothing is cached. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
}

/**
 * The HTTP side: status pages, JSON API, live updates, metrics, behind one auth layer.
 * Returns the app without listening, so tests use `app.inject()` and the composition root
 * decides host and port. Call `app.close()` to end open live streams and listeners.
 */
export async function buildWebApp(deps: WebDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const providers = deps.providers ?? {};
  const report = deps.report ?? (deps.db ? new CallReport(deps.db) : null);
  if (!report) throw new Error('buildWebApp needs `report` or `db`');
  const app = Fastify({
    // Widened to fastify's base logger so the instance has fastify's default generics (pino 10's
    // Logger type would make FastifyInstance<…, Logger> incompatible with plugin signatures).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log.child({ module: 'web' }) as FastifyBaseLogger,
    // A technician's page polls; one log line per request would bury the modem events.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: deps.trustProxy ?? false,
    // Forms and action bodies are a few hundred bytes; nothing needs more.
    bodyLimit: 16 * 1024,
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      // Not helmet's defaults: those include upgrade-insecure-requests, which would break a box served over plain HTTP on a LAN.
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // The box is reached by address over HTTP; a TLS proxy in front sets HSTS itself.
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, { global: false });

  const overview = new OverviewSource({
    log: deps.log,
    status: deps.status,
    calls: deps.calls,
    report,
    providers,
    ...(deps.handler ? { callsNotSaved: () => deps.handler?.stats.writeErrors ?? 0 } : {}),
    ...(deps.disk ? { disk: deps.disk } : {}),
    now,
  });
  const hub = new LiveHub(overview);
  const unwatch = hub.watch({
    ...(deps.handler ? { handler: deps.handler } : {}),
    ...(deps.modems ? { modems: deps.modems } : {}),
    ...(deps.events ? { events: deps.events } : {}),
  });
  const metrics = buildMetrics({ status: deps.status, report, providers, ...(deps.handler ? { handler: deps.handler } : {}), now });
  const onRecorded = metrics.recorded.bind(metrics);
  deps.handler?.on('recorded', onRecorded);
  app.addHook('onClose', async () => {
    unwatch();
    deps.handler?.off('recorded', onRecorded);
  });

  const context = (req: FastifyRequest): ViewContext => {
    const s = deps.status();
    const p = req.principal;
    return {
      f: formatter(req.lang),
      user: p ? { name: p.name, role: p.role } : null,
      csrf: p?.session?.csrf ?? null,
      path: req.url,
      now: now(),
      box: { id: s.box, name: s.name },
      version: s.version,
    };
  };

  const auth = await registerAuth(app, {
    log: deps.log,
    settings: deps.auth ?? { users: [] },
    ...(deps.events ? { events: deps.events } : {}),
    context,
    now,
  });

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    // 4xx say what the request got wrong; 501 that a part of the box is not built yet. Anything else is ours.
    const status = err.statusCode && ((err.statusCode >= 400 && err.statusCode < 500) || err.statusCode === 501) ? err.statusCode : 500;
    if (status === 500) deps.log.error({ err: err.message, url: req.url.split('?')[0] }, 'web request failed');
    const message = status === 500 ? 'internal error' : err.message;
    if (wantsHtml(req)) return sendPage(reply, errorPage(context(req), message), status);
    return reply.code(status).send({ error: message, code: err.code ?? 'MCB_ERROR' });
  });
  app.setNotFoundHandler((req, reply) => {
    if (wantsHtml(req)) return sendPage(reply, errorPage(context(req), formatter(req.lang).words.notFound), 404);
    return reply.code(404).send({ error: `no such address: ${req.method} ${req.url.split('?')[0] ?? ''}`, code: ErrorCodes.NOT_FOUND });
  });

  const rt: WebRuntime = { deps, report, providers, overview, hub, metrics, auth, now, context };
  await app.register(staticRoutes());
  await app.register(statusRoutes(deps));
  await app.register(callsRoutes(deps));
  await app.register(smsRoutes(deps));
  await app.register(messagesRoutes({ messages: deps.inbound?.messages }));
  await app.register(volunteersRoutes({ volunteers: deps.inbound?.volunteers }));
  await app.register(pageRoutes(rt));
  await app.register(liveRoutes(rt));
  await app.register(actionRoutes(rt));
  await app.register(exportRoutes(rt));
  await app.register(metricsRoutes(rt));
  return app;
}
