/**
 * The one place where requests are authenticated and authorised. Every route is registered
 * after this hook and says its access in its config (`public`, `user` — the default — or
 * `admin`), so a route that forgets to say anything is closed, not open.
 *
 * - A browser logs in with a password (scrypt hashes from config `http.users`) and gets a
 *   session cookie (httpOnly, SameSite=Strict, Secure when the request came over HTTPS).
 * - Scripts and Prometheus use HTTP basic auth with the same accounts. A verified
 *   credential is remembered for a few minutes (keyed by a keyed hash, never the password),
 *   so a scraper every 15 s does not cost a scrypt each time on a Raspberry Pi.
 * - Wrong passwords answer 401; after a few for one account from one address (or a few more
 *   from one address in all), each further try must wait (429 with Retry-After). A try is
 *   counted before its password is checked, one address gets one check at a time, and a
 *   success clears only its own account; at most two scrypt checks run at once in all. See
 *   `LoginGuard` and `VerifySlots`.
 * - A viewer may look; only an admin may act (403 otherwise).
 * - Every POST except the login form needs the session's CSRF token (form field `_csrf` or
 *   header `x-csrf-token`); a POST with basic auth must be JSON, which a page on another
 *   site cannot send without a CORS preflight this server never grants. Requests a browser
 *   marks cross-site are refused outright.
 * - With no account configured, nothing but the first-run page is served (see docs/WEB.md).
 */
import { createHmac, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyPassword } from '../auth/password.js';
import { ErrorCodes, type ErrorCode } from '../errors.js';
import type { EventLog } from '../events/event-log.js';
import type { Logger } from '../log.js';
import { formatter, parseLang, type Lang } from './i18n.js';
import { LoginGuard, VerifySlots, type GuardVerdict } from './login-guard.js';
import { csrfMatches, SessionStore, type Role, type Session } from './sessions.js';
import { errorPage, loginPage, setupPage } from './views/auth-pages.js';
import type { ViewContext } from './views/common.js';

/** One account from config `http.users`. */
export interface WebUser {
  name: string;
  role: Role;
  passwordHash: string;
}

/** The account settings the web app needs. */
export interface AuthSettings {
  users: readonly WebUser[];
  /** How long a login lasts. Default 12. */
  sessionHours?: number;
  /** The config file, for the first-run page's command line. */
  configPath?: string | null;
}

/** Who made a request. */
export interface Principal {
  name: string;
  role: Role;
  via: 'session' | 'basic';
  /** The session (for its CSRF token); null with basic auth. */
  session: Session | null;
}

/** Who may call a route. */
export type Access = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every non-public route. */
    principal: Principal | null;
    /** From the language cookie. */
    lang: Lang;
  }
  interface FastifyContextConfig {
    /** Who may call the route; default `user`. */
    access?: Access;
  }
}

export const SESSION_COOKIE = 'mcb_session';
export const LANG_COOKIE = 'mcb_lang';
const BASIC_CACHE_MS = 5 * 60_000;

/** True for the machine-readable side (JSON answers, 401 instead of a redirect to the login page). */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url === '/api' || url.startsWith('/metrics');
}

/**
 * A local path to come back to after login; anything else (another host, `//x`, `/\x`, control
 * characters or DEL) becomes `/`. Characters beyond ASCII (and spaces) are percent-encoded as a
 * browser would: the path ends up in a `Location` header, which may carry only ASCII (Node
 * refuses the header otherwise, which was a 500).
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 500) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || [...value].some((ch) => ch < ' ' || ch === '\x7f')) return '/';
  try {
    // Per code point (the `u` flag), so a surrogate pair is encoded whole; a lone one throws.
    return value.replace(/[^!-~]/gu, (ch) => encodeURIComponent(ch));
  } catch {
    return '/';
  }
}

/** An HTML answer for pages and for forms posted from them; JSON for everything else. */
export function wantsHtml(req: FastifyRequest): boolean {
  if (!isApiPath(req.url)) return true;
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** False when the browser says the request comes from a page on another host. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return true;
  // An opaque origin (sandboxed frame, file://) is never one of our pages.
  if (origin === 'null') return false;
  try {
    // Both through URL, so that a default port written out (`:80`) compares equal to one left out.
    return new URL(origin).host === new URL(`${req.protocol}://${req.host}`).host;
  } catch {
    return false;
  }
}

export interface AuthDeps {
  log: Logger;
  settings: AuthSettings;
  events?: EventLog;
  /** For the login and first-run pages. */
  context: (req: FastifyRequest) => ViewContext;
  now?: () => number;
}

/** What the auth layer exposes to routes and tests. */
export interface AuthRuntime {
  sessions: SessionStore;
  guard: LoginGuard;
  /** The global cap on concurrent password checks. */
  slots: VerifySlots;
}

/** Why a password was not even checked: the address must wait, or the box is busy checking others. */
type NotChecked = Extract<GuardVerdict, { allowed: false }>;

interface CachedBasic {
  user: WebUser;
  until: number;
}

/** Register the cookie parser, the auth hook and the login/logout/language routes. */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps): Promise<AuthRuntime> {
  const now = deps.now ?? Date.now;
  const users = new Map(deps.settings.users.map((u) => [u.name, u]));
  const sessions = new SessionStore({ ttlMs: (deps.settings.sessionHours ?? 12) * 3_600_000, now });
  const guard = new LoginGuard({ now });
  const slots = new VerifySlots();
  const basicKey = randomBytes(32);
  const basicCache = new Map<string, CachedBasic>();
  const log = deps.log.child({ module: 'web-auth' });

  if (users.size === 0) {
    log.warn(
      `no accounts in http.users: the status page and the API are locked until you run "missedcall passwd --config ${deps.settings.configPath ?? '<config file>'} --user admin --role admin" and restart the box`,
    );
  }

  await app.register(fastifyCookie);
  app.decorateRequest('principal', null);
  app.decorateRequest('lang', 'en');

  const secure = (req: FastifyRequest): boolean => req.protocol === 'https';

  const failedLogin = (req: FastifyRequest, name: string, known: boolean, failures: number): void => {
    // Only account names are shown (events page, log): what a stranger typed as a name may be a
    // password typed in the wrong box, or words meant for whoever reads the page.
    const params: Record<string, string> = known ? { user: name, ip: req.ip } : { ip: req.ip };
    deps.events?.add({ level: 'warning', source: 'web', kind: 'login-failed', params });
    log.warn({ ip: req.ip, user: known ? name : 'unknown user', failures }, 'wrong password');
  };

  /**
   * Checks a password under the guard: counted before the check, one check at a time per
   * address, at most a few at once in all. The account, null (wrong password or no such
   * account), or why it was not checked.
   */
  const checkPassword = async (req: FastifyRequest, name: string, password: string): Promise<WebUser | null | NotChecked> => {
    const user = users.get(name) ?? null;
    const attempt = await guard.begin(req.ip, user === null ? null : user.name);
    if (!('settle' in attempt)) return attempt;
    let outcome: 'success' | 'failure' | 'unchecked' = 'failure';
    try {
      const ok = await slots.run(() => verifyPassword(password, user?.passwordHash ?? null));
      if (ok === null) {
        outcome = 'unchecked';
        return { allowed: false, retryAfterSeconds: 1, reason: 'busy' };
      }
      outcome = ok && user ? 'success' : 'failure';
    } finally {
      const failures = attempt.settle(outcome);
      if (outcome === 'failure') failedLogin(req, name, user !== null, failures);
    }
    return outcome === 'success' ? user : null;
  };

  /** Basic credentials → the account, or null (wrong), or why the password was not checked. */
  const fromBasic = async (req: FastifyRequest, header: string): Promise<WebUser | null | NotChecked> => {
    let decoded: string;
    try {
      decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    } catch {
      return null;
    }
    // Keyed by the credentials, not the header's spelling: spaces or padding variants of a
    // right password are the same cache entry, never a fresh check.
    const cacheKey = createHmac('sha256', basicKey).update(decoded).digest('base64');
    const cached = basicCache.get(cacheKey);
    if (cached && cached.until > now()) return cached.user;
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const user = await checkPassword(req, decoded.slice(0, colon), decoded.slice(colon + 1));
    if (user === null || !('passwordHash' in user)) return user;
    if (basicCache.size > 100) basicCache.clear();
    basicCache.set(cacheKey, { user, until: now() + BASIC_CACHE_MS });
    return user;
  };

  const unauthorised = (req: FastifyRequest, reply: FastifyReply, message: string): FastifyReply => {
    if (!wantsHtml(req)) {
      // The live stream and the page's own fetches must not pop up the browser's password dialog.
      const fromPage = req.headers.accept?.includes('text/event-stream') || req.url.startsWith('/api/live');
      if (!fromPage) void reply.header('www-authenticate', 'Basic realm="missedcall", charset="UTF-8"');
      return reply.code(401).send({ error: message, code: ErrorCodes.UNAUTHORISED });
    }
    return reply.redirect(`/login?next=${encodeURIComponent(safeNext(req.url))}`, 303);
  };

  const forbidden = (req: FastifyRequest, reply: FastifyReply, code: ErrorCode, english: string, local?: string): FastifyReply => {
    void reply.code(403);
    if (!wantsHtml(req)) return reply.send({ error: english, code });
    return reply.type('text/html; charset=utf-8').send(errorPage(deps.context(req), local ?? english));
  };

  const tooMany = (req: FastifyRequest, reply: FastifyReply, why: NotChecked, next = '/'): FastifyReply => {
    const seconds = why.retryAfterSeconds;
    void reply.header('retry-after', String(seconds)).code(429);
    const words = formatter(req.lang).words.login;
    if (isApiPath(req.url)) {
      const error = why.reason === 'busy' ? `too many password checks at once; try again in ${seconds} s` : `too many wrong passwords; try again in ${seconds} s`;
      return reply.send({ error, code: ErrorCodes.LOCKED });
    }
    return reply.type('text/html; charset=utf-8').send(loginPage(deps.context(req), { next, error: why.reason === 'busy' ? words.busy : words.locked(seconds) }));
  };

  app.addHook('onRequest', async (req, reply) => {
    req.lang = parseLang(req.cookies[LANG_COOKIE]);
    const access: Access = req.routeOptions.config.access ?? 'user';
    if (access === 'public') return;
    if (users.size === 0) {
      if (isApiPath(req.url)) {
        return reply.code(401).send({ error: 'no accounts are configured on this box yet: run "missedcall passwd" (see docs/WEB.md)', code: ErrorCodes.NO_ACCOUNTS });
      }
      return reply.code(503).type('text/html; charset=utf-8').send(setupPage(deps.context(req), deps.settings.configPath ?? null));
    }
    // A browser says when a request comes from another site; no page of ours does that.
    if (req.headers['sec-fetch-site'] === 'cross-site') return forbidden(req, reply, ErrorCodes.FORBIDDEN, 'cross-site request refused');
    let principal: Principal | null = null;
    const token = req.cookies[SESSION_COOKIE];
    const session = sessions.get(token);
    if (session) {
      const user = users.get(session.user);
      // An account removed or given another role in config (after a restart) ends its sessions.
      if (user && user.role === session.role) principal = { name: session.user, role: session.role, via: 'session', session };
    }
    const authorization = req.headers.authorization;
    if (!principal && typeof authorization === 'string' && /^basic /i.test(authorization)) {
      const user = await fromBasic(req, authorization);
      if (user && 'allowed' in user) return tooMany(req, reply, user);
      if (!user) return unauthorised(req, reply, 'wrong user name or password');
      principal = { name: user.name, role: user.role, via: 'basic', session: null };
    }
    if (!principal) return unauthorised(req, reply, 'log in first (session cookie) or use HTTP basic auth');
    req.principal = principal;
    if (access === 'admin' && principal.role !== 'admin') {
      return forbidden(req, reply, ErrorCodes.FORBIDDEN, 'only an admin may do this', formatter(req.lang).words.forbidden);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (!sameOrigin(req)) return forbidden(req, reply, ErrorCodes.FORBIDDEN, 'request from another site refused');
      if (principal.via === 'basic' && !(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return forbidden(req, reply, ErrorCodes.FORBIDDEN, 'with basic auth, send actions as JSON (Content-Type: application/json)');
      }
      // A session's CSRF token may be in the form body, which is parsed after this hook: see preHandler.
    }
    return undefined;
  });

  // The CSRF token of a form is in the body, which fastify parses after onRequest.
  app.addHook('preHandler', async (req, reply) => {
    const p = req.principal;
    if (!p || p.via !== 'session' || req.method === 'GET' || req.method === 'HEAD') return undefined;
    const body = req.body as Record<string, unknown> | undefined;
    const sent = req.headers['x-csrf-token'] ?? body?._csrf;
    if (!p.session || !csrfMatches(p.session, sent)) {
      return forbidden(req, reply, ErrorCodes.CSRF, 'the form expired or came from elsewhere: reload the page and try again', formatter(req.lang).words.login.expired);
    }
    return undefined;
  });

  app.get('/login', { config: { access: 'public' } }, async (req, reply) => {
    if (users.size === 0) return reply.code(503).type('text/html; charset=utf-8').send(setupPage(deps.context(req), deps.settings.configPath ?? null));
    const q = req.query as Record<string, unknown>;
    return reply.type('text/html; charset=utf-8').send(loginPage(deps.context(req), { next: safeNext(q.next) }));
  });

  app.post(
    '/login',
    { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const w = formatter(req.lang).words;
      if (users.size === 0) return reply.code(503).type('text/html; charset=utf-8').send(setupPage(deps.context(req), deps.settings.configPath ?? null));
      if (!sameOrigin(req) || req.headers['sec-fetch-site'] === 'cross-site') return forbidden(req, reply, ErrorCodes.FORBIDDEN, 'request from another site refused');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const name = typeof body.user === 'string' ? body.user.trim().slice(0, 64) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 256) : '';
      const next = safeNext(body.next);
      const user = await checkPassword(req, name, password);
      if (user && 'allowed' in user) return tooMany(req, reply, user, next);
      if (!user) {
        return reply.code(401).type('text/html; charset=utf-8').send(loginPage(deps.context(req), { next, error: w.login.wrong, user: name }));
      }
      const { token } = sessions.create(user.name, user.role);
      log.info({ user: user.name, role: user.role, ip: req.ip }, 'logged in');
      void reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: secure(req),
        maxAge: (deps.settings.sessionHours ?? 12) * 3600,
      });
      return reply.redirect(next, 303);
    },
  );

  app.post('/logout', async (req, reply) => {
    sessions.destroy(req.cookies[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(req) });
    return reply.redirect('/login', 303);
  });

  // A link, not a form: switching language changes nothing but how the page reads.
  app.get('/lang/:lang', { config: { access: 'public' } }, async (req, reply) => {
    const { lang } = req.params as { lang: string };
    const q = req.query as Record<string, unknown>;
    void reply.setCookie(LANG_COOKIE, parseLang(lang), { path: '/', sameSite: 'lax', secure: secure(req), maxAge: 365 * 86400 });
    return reply.redirect(safeNext(q.next), 303);
  });

  return { sessions, guard, slots };
}
