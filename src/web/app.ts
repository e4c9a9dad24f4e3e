import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import type { ModemCounters, ModemInfo } from '../modem/modem.js';
import type { CallStore } from '../store/calls.js';
import { registerAuth } from './auth.js';
import { callsRoutes } from './routes/calls.js';
import { statusRoutes } from './routes/status.js';

export interface StatusSnapshot {
  box: string;
  name: string | null;
  version: string;
  uptimeSeconds: number;
  modems: (ModemInfo & { counters: ModemCounters })[];
}

export interface WebDeps {
  log: Logger;
  status: () => StatusSnapshot;
  calls: CallStore;
}

/**
 * The HTTP side: JSON API now, the status page later. Returns the app without listening, so
 * tests use `app.inject()` and the composition root decides host and port.
 */
export async function buildWebApp(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Widened to fastify's base logger so the instance has fastify's default generics (pino 10's
    // Logger type would make FastifyInstance<…, Logger> incompatible with plugin signatures).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log.child({ module: 'web' }) as FastifyBaseLogger,
    // A technician's page polls; one log line per request would bury the modem events.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  });
  await registerAuth(app);
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.log.error({ err: err.message }, 'web request failed');
    void reply.code(status).send({ error: status === 500 ? 'internal error' : err.message, code: err.code ?? 'MCB_ERROR' });
  });
  await app.register(statusRoutes(deps));
  await app.register(callsRoutes(deps));
  return app;
}
