import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, describeError, ErrorCodes } from '../../errors.js';
import { maskNumber, normalizeNumber } from '../../phone/normalize.js';
import type { WebRuntime } from '../app.js';
import { wantsHtml } from '../auth.js';
import { badRequest } from '../query.js';

/** A 501: the action exists on the page but the part of the box behind it does not yet. */
function notAvailable(what: string): AppError & { statusCode: number } {
  return Object.assign(new AppError(ErrorCodes.NOT_AVAILABLE, `${what} is not available on this box yet`), { statusCode: 501 });
}

/** A 409: the part of the box that carries out the action refused it. */
function refused(message: string, cause: unknown): AppError & { statusCode: number } {
  return Object.assign(new AppError(ErrorCodes.ACTION_FAILED, `${message}: ${describeError(cause)}`, { cause }), { statusCode: 409 });
}

function field(req: FastifyRequest, name: string, max: number): string | undefined {
  const body = req.body;
  if (body === null || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw badRequest(`${name} must be text of at most ${max} characters`);
  return v.trim();
}

/** A form goes back to its page with a notice; a JSON client gets JSON. */
function done(req: FastifyRequest, reply: FastifyReply, back: string, notice: string, json: Record<string, unknown>): FastifyReply {
  if (wantsHtml(req)) return reply.redirect(`${back}?notice=${notice}`, 303);
  return reply.send({ ok: true, ...json });
}

/**
 * Admin actions, `POST /api/actions/<name>`, from the page's forms (with the session's CSRF
 * token) or from a script (JSON, basic auth). A viewer gets 403 from the auth hook; an
 * action whose part of the box does not exist yet answers 501 and says so.
 */
export function actionRoutes(rt: WebRuntime): FastifyPluginAsync {
  const admin = { config: { access: 'admin' as const } };
  const labels = (): string[] => rt.deps.status().modems.map((m) => m.label);
  const modemField = (req: FastifyRequest, required: boolean): string | undefined => {
    const modem = field(req, 'modem', 64);
    if (modem === undefined) {
      if (required) throw badRequest('modem is required: the label of a line, such as line-1');
      return undefined;
    }
    if (!labels().includes(modem)) throw badRequest(`modem: no line is called "${modem.slice(0, 64)}" (lines: ${labels().join(', ')})`);
    return modem;
  };

  return async (app) => {
    app.post('/api/actions/restart-modem', admin, async (req, reply) => {
      const modem = modemField(req, true) as string;
      if (!rt.deps.restartModem) throw notAvailable('restarting a modem');
      if (!rt.deps.restartModem(modem)) throw badRequest(`${modem} is stopped and cannot be restarted`);
      const by = req.principal?.name ?? '?';
      req.log.warn({ modem, by }, 'modem restart requested from the status page');
      rt.deps.events?.add({ level: 'info', source: modem, kind: 'modem-restart', params: { by } });
      return done(req, reply, '/modems', 'restart', { modem });
    });

    app.post('/api/actions/test-sms', admin, async (req, reply) => {
      const sms = rt.providers.sms;
      const to = field(req, 'to', 40);
      const modem = modemField(req, false);
      if (to === undefined) throw badRequest('to is required: the phone number to send the test SMS to');
      const number = normalizeNumber(to, rt.deps.country ?? 'IN');
      if (!number.valid || number.e164 === null) throw badRequest(`to: "${to.slice(0, 40)}" is not a phone number the box can send to (${number.reason ?? 'invalid'})`);
      if (!sms?.sendTest) throw notAvailable('sending a test SMS');
      const by = req.principal?.name ?? '?';
      let id: string;
      try {
        ({ id } = await sms.sendTest(number.e164, { ...(modem ? { modem } : {}), requestedBy: by }));
      } catch (err) {
        throw refused('the test SMS could not be queued', err);
      }
      rt.deps.events?.add({ level: 'info', source: modem ?? 'sms', kind: 'test-sms', params: { to: maskNumber(number.e164), by } });
      return done(req, reply, '/modems', 'test-sms', { id, to: number.e164 });
    });

    app.post('/api/actions/sync-now', admin, async (req, reply) => {
      const sync = rt.providers.sync;
      if (!sync?.syncNow) throw notAvailable('syncing with headquarters');
      const by = req.principal?.name ?? '?';
      try {
        await sync.syncNow();
      } catch (err) {
        throw refused('sync could not start', err);
      }
      rt.deps.events?.add({ level: 'info', source: 'hq', kind: 'sync-now', params: { by } });
      return done(req, reply, '/', 'sync-now', {});
    });
  };
}
