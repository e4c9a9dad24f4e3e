/**
 * Slows password guessing. Wrong passwords are counted per (address, account) and per address:
 * an account gets a few free mistakes from an address, an address a few more across all the
 * accounts it tries, then each further try must wait, twice as long each time (capped). A try
 * while waiting is refused without checking the password at all, so a guesser gains nothing by
 * hammering.
 *
 * Three rules close the ways around that count:
 * - **Counted before it is checked.** A try is counted as a failure when it starts and forgiven
 *   only when the password turns out right, so nothing that happens during the slow scrypt
 *   check (or a check that never finishes) lets a try go uncounted.
 * - **One check at a time per address.** Parallel tries from one address wait their turn (a
 *   few) or are refused at once; otherwise 200 tries sent together would all pass the count
 *   before the first one failed.
 * - **A success clears only its own account.** Logging in as a viewer from the same address
 *   forgives nothing of the wrong passwords tried for the admin.
 *
 * Bounded in memory; an entry is forgotten after a quiet period.
 */
export interface LoginGuardOptions {
  /** Wrong passwords for one account from one address before each try must wait. Default 3. */
  freeFailures?: number;
  /** Wrong passwords from one address, whatever the accounts, before each try must wait. Default 10. */
  freeFailuresPerAddress?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** An entry with no failure for this long starts afresh. */
  forgetAfterMs?: number;
  maxEntries?: number;
  /** Tries from one address that may wait for their turn while one is checked; more are refused. Default 4. */
  maxWaiting?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export type GuardVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; reason: 'locked' | 'busy' };

/** How a started try ended. `unchecked`: the password was never checked (the box was busy), so it does not count. */
export type AttemptOutcome = 'success' | 'failure' | 'unchecked';

/** A password check in progress, from {@link LoginGuard.begin}. It holds its address's turn until settled. */
export interface LoginAttempt {
  /** Ends the try (only the first call counts) and passes the address's turn on; returns the account's failures in a row. */
  settle(outcome: AttemptOutcome): number;
}

interface Lane {
  waiting: (() => void)[];
}

/** The key of an account tried from an address; every name that is not an account shares one. */
function accountKey(address: string, user: string | null): string {
  return `${address}\n${user === null ? '\u0000unknown' : user}`;
}

export class LoginGuard {
  private readonly accounts = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();
  private readonly lanes = new Map<string, Lane>();
  private readonly freeFailures: number;
  private readonly freeFailuresPerAddress: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxEntries: number;
  private readonly maxWaiting: number;
  private readonly now: () => number;

  constructor(options: LoginGuardOptions = {}) {
    this.freeFailures = options.freeFailures ?? 3;
    this.freeFailuresPerAddress = options.freeFailuresPerAddress ?? 10;
    this.firstDelayMs = options.firstDelayMs ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.maxWaiting = options.maxWaiting ?? 4;
    this.now = options.now ?? Date.now;
  }

  /**
   * May this address try a password for this account now? `user` is the account's name, or
   * null when the name is not an account. Does not count anything: see {@link begin}.
   */
  check(address: string, user: string | null): GuardVerdict {
    const now = this.now();
    const until = Math.max(
      this.current(this.accounts, accountKey(address, user))?.lockedUntil ?? 0,
      this.current(this.addresses, address)?.lockedUntil ?? 0,
    );
    if (until <= now) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)), reason: 'locked' };
  }

  /**
   * Starts a try: waits for the address's turn (or refuses when too many wait), checks the
   * waits, and counts the try as a failure at once. The caller checks the password and then
   * must call `settle` exactly once (in a `finally`), which hands the turn to the next try.
   */
  async begin(address: string, user: string | null): Promise<LoginAttempt | Extract<GuardVerdict, { allowed: false }>> {
    const lane = this.lanes.get(address);
    if (lane) {
      if (lane.waiting.length >= this.maxWaiting) return { allowed: false, retryAfterSeconds: 1, reason: 'busy' };
      // The try that settles hands its turn to this one (the lane stays in the map meanwhile).
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    } else {
      this.lanes.set(address, { waiting: [] });
    }
    const verdict = this.check(address, user);
    if (!verdict.allowed) {
      this.release(address);
      return verdict;
    }
    const key = accountKey(address, user);
    const accountBefore = this.snapshot(this.accounts, key);
    const addressBefore = this.snapshot(this.addresses, address);
    const failures = this.count(this.accounts, key, this.freeFailures);
    this.count(this.addresses, address, this.freeFailuresPerAddress);
    let settled = false;
    return {
      settle: (outcome: AttemptOutcome): number => {
        if (settled) return failures;
        settled = true;
        // Nothing else from this address ran meanwhile (one turn at a time), so putting the
        // entries back as they were undoes exactly this try's count.
        if (outcome !== 'failure') this.restore(this.addresses, address, addressBefore);
        if (outcome === 'success') this.accounts.delete(key);
        else if (outcome === 'unchecked') this.restore(this.accounts, key, accountBefore);
        this.release(address);
        return outcome === 'failure' ? failures : 0;
      },
    };
  }

  /** Passes the address's turn to the next waiting try, or frees it. */
  private release(address: string): void {
    const lane = this.lanes.get(address);
    if (!lane) return;
    const next = lane.waiting.shift();
    if (next) next();
    else this.lanes.delete(address);
  }

  /** One more failure for a key; returns how many in a row. */
  private count(map: Map<string, Entry>, key: string, free: number): number {
    const now = this.now();
    const e = this.current(map, key) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    e.failures++;
    e.lastFailure = now;
    if (e.failures >= free) e.lockedUntil = now + Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** Math.min(e.failures - free, 30));
    // Re-inserted so that the map's order is least recently failed first.
    map.delete(key);
    map.set(key, e);
    if (map.size > this.maxEntries) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    return e.failures;
  }

  private snapshot(map: Map<string, Entry>, key: string): Entry | null {
    const e = this.current(map, key);
    return e ? { ...e } : null;
  }

  private restore(map: Map<string, Entry>, key: string, before: Entry | null): void {
    if (before === null) map.delete(key);
    else map.set(key, before);
  }

  private current(map: Map<string, Entry>, key: string): Entry | undefined {
    const e = map.get(key);
    if (e && this.now() - e.lastFailure > this.forgetAfterMs) {
      map.delete(key);
      return undefined;
    }
    return e;
  }
}

/**
 * At most `max` password checks (scrypt: 16 MiB and ~0.1 s each on a Pi) run at once across all
 * addresses, and at most `maxQueued` wait for one; beyond that a check is refused at once. Many
 * addresses guessing together then cost a bounded amount of memory and CPU, and leave libuv's
 * small thread pool (shared with file and gzip work) to the rest of the box.
 */
export class VerifySlots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly max = 2,
    private readonly maxQueued = 32,
  ) {}

  /** Runs `check` in a slot; null (without running it) when too many wait already. */
  async run<T>(check: () => Promise<T>): Promise<T | null> {
    if (this.running >= this.max) {
      if (this.queue.length >= this.maxQueued) return null;
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await check();
    } finally {
      // The slot passes straight to the next waiter, so `running` stays counted for it.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Checks running now (for tests). */
  get active(): number {
    return this.running;
  }
}
