import type { FastifyPluginAsync } from 'fastify';
import { maskNumber } from '../../phone/normalize.js';
import type { MessageRow, MessageStore } from '../../store/messages.js';
import type { Principal } from '../auth.js';
import { badRequest, parseLimit, queryText, UUID_PATTERN } from '../query.js';
import { numberFor } from './calls.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/**
 * One inbound message as the JSON API shows it. `text` is exactly what was sent (any script,
 * possibly HTML: whoever renders it escapes it); `sender` is the raw sender when it is not a
 * phone number (a company's name). An undecodable PDU has `text` null, `error` and `pdu`; the
 * `pdu` only for an admin, because its originating address is the sender's whole number.
 */
export function messageJson(principal: Principal | null, m: MessageRow): Record<string, unknown> {
  const admin = principal?.role === 'admin';
  return {
    id: m.id,
    number: numberFor(principal, m.number),
    // A sender the box could not read as a number may still be mostly digits (a national
    // number): masked for a viewer like any number.
    sender: m.number === null && m.sender !== null ? (admin || !/\d{3}/.test(m.sender) ? m.sender : maskNumber(m.sender)) : null,
    text: m.text,
    receivedAt: iso(m.receivedAt),
    sentAt: iso(m.sentAt),
    parts: m.parts,
    partial: m.partial,
    missingParts: m.missingParts,
    keyword: m.keyword,
    outcome: m.outcome,
    replyId: m.replyId,
    error: m.decodeError,
    pdu: m.decodeError === null || !admin ? null : m.pdu,
    line: m.line.label,
    modem: m.line.imei,
    sim: m.line.iccid,
  };
}

/** `GET /api/messages?limit=&before=`: inbound messages, newest first. */
export function messagesRoutes(deps: { messages?: MessageStore | undefined }): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/messages', async (req) => {
      const store = deps.messages;
      if (!store) throw Object.assign(new Error('inbound messages are not available on this box'), { statusCode: 501, code: 'MCB_NOT_AVAILABLE' });
      const q = req.query as Record<string, unknown>;
      const limit = parseLimit(q.limit);
      let beforeSeq: number | undefined;
      if (q.before !== undefined && q.before !== '') {
        const before = queryText(q.before, 'before');
        if (!UUID_PATTERN.test(before)) throw badRequest(`before must be the id of a message (from a previous page), got "${before.slice(0, 40)}"`);
        const ref = store.get(before);
        if (!ref) throw badRequest(`before: no message has the id ${before}`);
        beforeSeq = ref.seq;
      }
      const rows = store.list(beforeSeq === undefined ? { limit } : { limit, beforeSeq });
      return {
        messages: rows.map((m) => messageJson(req.principal, m)),
        next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    });
  };
}
