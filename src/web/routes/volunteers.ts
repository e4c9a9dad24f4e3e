import type { FastifyPluginAsync } from 'fastify';
import type { VolunteerStore, VolunteerView } from '../../store/volunteers.js';
import type { Principal } from '../auth.js';
import { badRequest, optionalParam, parseLimit, queryText, UUID_PATTERN } from '../query.js';
import { numberFor } from './calls.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** One volunteer as the JSON API shows it to this principal (viewers get the number masked). */
export function volunteerJson(principal: Principal | null, v: VolunteerView): Record<string, unknown> {
  return {
    id: v.id,
    number: numberFor(principal, v.number),
    name: v.name,
    pincode: v.pincode,
    district: v.district,
    constituency: v.constituency,
    state: v.state,
    interests: v.interests,
    registered: v.joinedAt !== null,
    joinedAt: iso(v.joinedAt),
    updatedAt: iso(v.updatedAt),
    firstCallAt: iso(v.firstCallAt),
    lastCallAt: iso(v.lastCallAt),
    calls: v.calls,
    optedOut: v.optedOut,
    optedOutAt: iso(v.optedOutAt),
    line: v.modem,
    modem: v.modemImei,
    sim: v.simIccid,
  };
}

/**
 * `GET /api/volunteers?interest=&pincode=&q=&limit=&before=&all=`: volunteers, newest first.
 * `pincode` is a whole pincode or its first digits; `q` searches names, districts and
 * constituencies, and for an admin numbers too (by three or more digits): for a viewer, who
 * sees numbers masked, a number search would reveal a whole number a digit at a time.
 * `all=1` includes people who named an interest without completing a JOIN. Every value is
 * bound into SQL, never spliced.
 */
export function volunteersRoutes(deps: { volunteers?: VolunteerStore | undefined }): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/volunteers', async (req) => {
      const store = deps.volunteers;
      if (!store) throw Object.assign(new Error('volunteers are not available on this box'), { statusCode: 501, code: 'MCB_NOT_AVAILABLE' });
      const q = req.query as Record<string, unknown>;
      const limit = parseLimit(q.limit);
      const pincode = optionalParam(q.pincode, 'pincode', /^\d{1,6}$/, 'a pincode or its first digits (1 to 6 digits)');
      const interest = optionalParam(q.interest, 'interest', /^[\p{L}\p{M}\p{N}_-]{1,32}$/u, 'an interest name such as SOCIAL');
      const search = q.q === undefined || q.q === '' ? undefined : queryText(q.q, 'q').trim().slice(0, 100);
      const all = optionalParam(q.all, 'all', /^(0|1|true|false|yes|no)$/, '1 or 0');
      let beforeSeq: number | undefined;
      if (q.before !== undefined && q.before !== '') {
        const before = queryText(q.before, 'before');
        if (!UUID_PATTERN.test(before)) throw badRequest(`before must be the id of a volunteer (from a previous page), got "${before.slice(0, 40)}"`);
        const ref = store.getById(before);
        if (!ref) throw badRequest(`before: no volunteer has the id ${before}`);
        beforeSeq = ref.seq;
      }
      const rows = store.list({
        limit,
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
        ...(pincode === undefined ? {} : { pincode }),
        ...(interest === undefined ? {} : { interest }),
        ...(search === undefined || search === '' ? {} : { q: search, numbers: req.principal?.role === 'admin' }),
        includeUnregistered: all === '1' || all === 'true' || all === 'yes',
      });
      return {
        volunteers: rows.map((v) => volunteerJson(req.principal, v)),
        next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    });
  };
}
