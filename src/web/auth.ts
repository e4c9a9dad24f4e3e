import type { FastifyInstance } from 'fastify';

/**
 * The one place where requests are authenticated. The foundation serves the API on
 * 127.0.0.1 only (config `http.host`); the status-page issue adds password login here, and
 * every route gets it because every route is registered after this hook.
 */
export async function registerAuth(_app: FastifyInstance): Promise<void> {
  // Deliberately empty until accounts exist; see docs/API.md.
}
