import type { FastifyPluginAsync } from 'fastify';
import { AppError, ErrorCodes } from '../../errors.js';
import type { SmsStatusView, SmsView } from '../../sms/service.js';
import { SMS_STATUSES, type SmsStatus } from '../../store/outbox.js';
import { badRequest, parseLimit, queryText } from '../query.js';
import { numberFor } from './calls.js';

/** What the SMS routes read; the App passes its `SmsService`. */
export interface SmsReadModel {
  list(query: { status?: SmsStatus; limit: number }): SmsView[];
  /** The `sms` block of `/api/status`: counts by status, why messages wait, each line. */
  status(): SmsStatusView;
}

/** The part of `WebDeps` the SMS route uses. */
export interface SmsRouteDeps {
  sms?: SmsReadModel;
}

function isStatus(s: string): s is SmsStatus {
  return (SMS_STATUSES as readonly string[]).includes(s);
}

/**
 * `GET /api/sms?status=&limit=`: messages newest first (id, to, text, parts, status,
 * attempts, modem, lastError, queuedAt, sentAt, deliveredAt, …), each with its parts and,
 * for a queued message, why it waits (quiet hours, blackout until …, daily limit). Viewers
 * see numbers masked, as in `/api/calls`.
 */
export function smsRoutes(deps: SmsRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/sms', async (req) => {
      const sms = deps.sms;
      if (!sms) throw Object.assign(new AppError(ErrorCodes.BAD_REQUEST, 'SMS is not set up on this box'), { statusCode: 404 });
      const q = req.query as Record<string, unknown>;
      const limit = parseLimit(q.limit);
      let status: SmsStatus | undefined;
      if (q.status !== undefined && q.status !== '') {
        const s = queryText(q.status, 'status').toLowerCase();
        if (!isStatus(s)) throw badRequest(`status must be one of ${SMS_STATUSES.join(', ')}, got "${s.slice(0, 40)}"`);
        status = s;
      }
      const messages = sms.list(status === undefined ? { limit } : { limit, status });
      return { messages: messages.map((m) => ({ ...m, to: numberFor(req.principal, m.to) })) };
    });
  };
}
