import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WEB_ROLES } from '../config/schema.js';

/** What an account may do: a viewer looks (numbers masked), an admin also acts and sees whole numbers. */
export type Role = (typeof WEB_ROLES)[number];

/** A logged-in browser. */
export interface Session {
  user: string;
  role: Role;
  /** The token a form or `fetch` must send back with every POST (CSRF protection). */
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionStoreOptions {
  /** How long a login lasts. */
  ttlMs: number;
  /** Oldest sessions are dropped beyond this many (a box has a handful of technicians). */
  max?: number;
  now?: () => number;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Sessions in memory, keyed by a hash of the cookie's token (so a memory dump or a log of
 * the map does not hand out live cookies). A restart logs everyone out, which is acceptable
 * for a box restarted rarely, and means no session secret has to be kept on the SD card.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions) {
    this.ttlMs = options.ttlMs;
    this.max = options.max ?? 200;
    this.now = options.now ?? Date.now;
  }

  /** Start a session; returns the token for the cookie. */
  create(user: string, role: Role): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = { user, role, csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + this.ttlMs };
    this.sessions.set(digest(token), session);
    while (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    return { token, session };
  }

  /** The live session of a cookie token, or null (unknown, expired: an expired one is removed). */
  get(token: string | undefined): Session | null {
    if (!token || token.length > 100) return null;
    const key = digest(token);
    const session = this.sessions.get(key);
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return null;
    }
    return session;
  }

  destroy(token: string | undefined): void {
    if (token) this.sessions.delete(digest(token));
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Constant-time comparison of a sent CSRF token with the session's. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length === 0) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
