import type { FastifyPluginAsync } from 'fastify';
import { assets } from '../assets/index.js';

/**
 * The style sheet and the live script, public (they hold nothing about the box) and cached
 * for a year: their URLs change whenever their content does.
 */
export function staticRoutes(): FastifyPluginAsync {
  return async (app) => {
    for (const a of Object.values(assets)) {
      app.get(a.url, { config: { access: 'public' } }, async (_req, reply) =>
        reply.header('cache-control', 'public, max-age=31536000, immutable').type(a.type).send(a.body),
      );
    }
  };
}
