import type { FastifyPluginAsync } from 'fastify';
import { maskNumber } from '../../phone/normalize.js';
import type { CallRow, CallStore } from '../../store/calls.js';
import type { Principal } from '../auth.js';
import { badRequest, parseLimit, queryText, UUID_PATTERN } from '../query.js';

/** A call's number as this principal may see it: whole for an admin, masked for a viewer. */
export function numberFor(principal: Principal | null, number: string | null): string | null {
  if (number === null) return null;
  return principal?.role === 'admin' ? number : maskNumber(number);
}

/** `?before=<call id>` → the cursor's seq, or undefined; a 400 for anything else. */
export function callCursor(calls: CallStore, raw: unknown): { id: string; seq: number } | undefined {
  if (raw === undefined || raw === '') return undefined;
  const before = queryText(raw, 'before');
  if (!UUID_PATTERN.test(before)) throw badRequest(`before must be the id of a call (from a previous page), got "${before.slice(0, 40)}"`);
  const ref = calls.get(before);
  if (!ref) throw badRequest(`before: no call has the id ${before}`);
  return { id: before, seq: ref.seq };
}

/** One call as the JSON API shows it to this principal. */
export function callJson(principal: Principal | null, r: CallRow): Record<string, unknown> {
  return {
    id: r.id,
    number: numberFor(principal, r.number),
    numberRaw: numberFor(principal, r.numberRaw),
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
  };
}

/**
 * `GET /api/calls?limit=&before=`: newest first; `before` is the id of the last call already
 * seen. Viewers get numbers masked, as on the page.
 */
export function callsRoutes(deps: { calls: CallStore }): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/calls', async (req) => {
      const q = req.query as Record<string, unknown>;
      const limit = parseLimit(q.limit);
      const cursor = callCursor(deps.calls, q.before);
      const rows = deps.calls.list(cursor === undefined ? { limit } : { limit, beforeSeq: cursor.seq });
      return {
        calls: rows.map((r) => callJson(req.principal, r)),
        next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    });
  };
}
