import type { FastifyPluginAsync } from 'fastify';
import type { WebDeps } from '../app.js';
import { syncStatusJson } from '../../sync/service.js';

/** `GET /api/status`: the box and every modem, as a technician needs them. */
export function statusRoutes(deps: WebDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/status', async () => {
      const s = deps.status();
      return {
        box: s.box,
        name: s.name,
        version: s.version,
        uptimeSeconds: s.uptimeSeconds,
        modems: s.modems.map((m) => ({
          port: m.port,
          label: m.label,
          campaign: m.campaign,
          state: m.state,
          stateSince: new Date(m.stateSince).toISOString(),
          vendor: m.vendor,
          manufacturer: m.manufacturer,
          model: m.model,
          revision: m.revision,
          imei: m.imei,
          iccid: m.iccid,
          operator: m.operator,
          registered: m.registered,
          registration: m.registration,
          signalDbm: m.signalDbm,
          lastError: m.lastError,
          counters: m.counters,
        })),
        sync: s.sync ? syncStatusJson(s.sync) : null,
        ...(deps.sms ? { sms: deps.sms.status() } : {}),
        ...(deps.inbound?.status ? { inbound: deps.inbound.status() } : {}),
      };
    });
  };
}
