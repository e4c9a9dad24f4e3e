import type { FastifyPluginAsync } from 'fastify';
import { AppError, ErrorCodes } from '../../errors.js';
import type { WebDeps } from '../app.js';

export const MAX_PAGE = 500;

/** A query parameter as text; a repeated parameter (`?a=1&a=2`) is not accepted. */
export function queryText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  throw badRequest('a query parameter was given more than once or is not text');
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function badRequest(message: string): AppError & { statusCode: number } {
  return Object.assign(new AppError(ErrorCodes.BAD_REQUEST, message), { statusCode: 400 });
}

/** `?limit=` → 1..500, default 50; anything else is a 400 naming the value. */
export function parseLimit(raw: unknown, fallback = 50): number {
  if (raw === undefined || raw === '') return fallback;
  const s = queryText(raw);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_PAGE) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_PAGE}, got "${s.slice(0, 40)}"`);
  }
  return Number(s);
}

/** `GET /api/calls?limit=&before=`: newest first; `before` is the id of the last call already seen. */
export function callsRoutes(deps: WebDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/calls', async (req) => {
      const q = req.query as Record<string, unknown>;
      const limit = parseLimit(q.limit);
      let beforeSeq: number | undefined;
      if (q.before !== undefined && q.before !== '') {
        const before = queryText(q.before);
        if (!UUID.test(before)) throw badRequest(`before must be the id of a call (from a previous page), got "${before.slice(0, 40)}"`);
        const ref = deps.calls.get(before);
        if (!ref) throw badRequest(`before: no call has the id ${before}`);
        beforeSeq = ref.seq;
      }
      const rows = deps.calls.list(beforeSeq === undefined ? { limit } : { limit, beforeSeq });
      return {
        calls: rows.map((r) => ({
          id: r.id,
          number: r.number,
          numberRaw: r.numberRaw,
          numberValid: r.numberValid,
          withheld: r.withheld,
          modem: r.modemImei,
          sim: r.simIccid,
          port: r.port,
          label: r.portLabel,
          campaign: r.campaign,
          at: new Date(r.rangAt).toISOString(),
          hangupAt: r.hangupAt === null ? null : new Date(r.hangupAt).toISOString(),
          hangupLatencyMs: r.hangupLatencyMs,
          callerGaveUp: r.callerGaveUp,
          repeat: r.repeat,
        })),
        next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    });
  };
}
