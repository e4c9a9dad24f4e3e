/**
 * Slows password guessing: a client address gets a few free mistakes, then must wait before
 * each further try, twice as long each time (capped). A try while waiting is refused without
 * checking the password at all, so a guesser gains nothing by hammering. A success clears
 * the address. Bounded in memory; forgotten after a quiet period.
 */
export interface LoginGuardOptions {
  freeFailures?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** An address with no failure for this long starts afresh. */
  forgetAfterMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export type GuardVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class LoginGuard {
  private readonly entries = new Map<string, Entry>();
  private readonly freeFailures: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: LoginGuardOptions = {}) {
    this.freeFailures = options.freeFailures ?? 3;
    this.firstDelayMs = options.firstDelayMs ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** May this address try a password now? */
  check(address: string): GuardVerdict {
    const e = this.current(address);
    const now = this.now();
    if (!e || e.lockedUntil <= now) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((e.lockedUntil - now) / 1000)) };
  }

  /** A wrong password from this address; returns how many in a row. */
  failed(address: string): number {
    const now = this.now();
    const e = this.current(address) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    e.failures++;
    e.lastFailure = now;
    if (e.failures >= this.freeFailures) {
      const delay = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** (e.failures - this.freeFailures));
      e.lockedUntil = now + delay;
    }
    this.entries.delete(address);
    this.entries.set(address, e);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return e.failures;
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  private current(address: string): Entry | undefined {
    const e = this.entries.get(address);
    if (e && this.now() - e.lastFailure > this.forgetAfterMs) {
      this.entries.delete(address);
      return undefined;
    }
    return e;
  }
}
