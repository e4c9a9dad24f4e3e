import type { FastifyPluginAsync } from 'fastify';
import type { WebRuntime } from '../app.js';

/**
 * `GET /metrics`, Prometheus text format. It needs an account like the rest of the API
 * (a viewer is enough): Prometheus sends it with `basic_auth` in its scrape config
 * (docs/WEB.md), and the box remembers a verified credential for a few minutes so scrapes
 * cost no password hashing.
 */
export function metricsRoutes(rt: WebRuntime): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (_req, reply) => {
      const body = await rt.metrics.registry.metrics();
      return reply.header('cache-control', 'no-store').type(rt.metrics.registry.contentType).send(body);
    });
  };
}
