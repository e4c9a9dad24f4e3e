import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError, ErrorCodes } from '../../errors.js';
import type { WebRuntime } from '../app.js';
import { CSV_BOM, csvLine } from '../../volunteers/csv.js';
import { optionalParam } from '../query.js';

const CALL_COLUMNS = [
  'id', 'time', 'number', 'number_as_received', 'withheld', 'number_valid', 'line', 'campaign', 'modem_imei', 'sim_iccid',
  'hangup_latency_ms', 'caller_gave_up', 'repeat',
];

function attachment(reply: FastifyReply, name: string): FastifyReply {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store');
}

/** `2026-11-28` in the box's time zone, for file names. */
function today(now: number): string {
  const d = new Date(now);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * CSV downloads for admins (they hold whole phone numbers). Streamed a chunk at a time, so a
 * year of calls neither fills the Pi's memory nor holds the database between chunks.
 */
export function exportRoutes(rt: WebRuntime): FastifyPluginAsync {
  const admin = { config: { access: 'admin' as const } };
  return async (app) => {
    app.get('/export/calls.csv', admin, async (_req, reply) => {
      const box = rt.deps.status().box;
      const report = rt.report;
      async function* lines(): AsyncGenerator<string> {
        yield CSV_BOM + csvLine(CALL_COLUMNS);
        for (const chunk of report.allCalls()) {
          yield chunk
            .map((c) =>
              csvLine([
                c.id, new Date(c.rangAt).toISOString(), c.number, c.numberRaw, c.withheld, c.numberValid, c.portLabel, c.campaign,
                c.modemImei, c.simIccid, c.hangupLatencyMs, c.callerGaveUp, c.repeat,
              ]),
            )
            .join('');
          // Let calls be recorded between chunks.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      return attachment(reply, `calls-${box}-${today(rt.now())}.csv`).send(Readable.from(lines()));
    });

    app.get('/export/volunteers.csv', admin, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const pincode = optionalParam(q.pincode, 'pincode', /^\d{1,6}$/, 'up to six digits of a PIN code');
      const interest = optionalParam(q.interest, 'interest', /^[\p{L}\p{M}\p{N} _-]{1,40}$/u, 'a word of up to 40 letters');
      const volunteers = rt.providers.volunteers;
      if (!volunteers?.exportAll) {
        throw Object.assign(new AppError(ErrorCodes.NOT_AVAILABLE, 'the volunteers export is not available on this box yet'), { statusCode: 501 });
      }
      const rows = volunteers.exportAll({ ...(pincode ? { pincode } : {}), ...(interest ? { interest } : {}) });
      function* lines(): Generator<string> {
        yield CSV_BOM + csvLine(['id', 'number', 'name', 'pincode', 'interests', 'joined', 'opted_out']);
        for (const v of rows) yield csvLine([v.id, v.number, v.name, v.pincode, v.interests.join('; '), new Date(v.joinedAt).toISOString(), v.optedOut]);
      }
      return attachment(reply, `volunteers-${rt.deps.status().box}-${today(rt.now())}.csv`).send(Readable.from(lines()));
    });
  };
}
