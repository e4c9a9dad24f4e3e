/**
 * Exponential backoff with jitter. mqtt.js reconnects at a fixed period, so 5,000 boxes that
 * lost the broker together would knock on it together, forever; here each waits
 * `base·2^attempt` capped at `maxMs`, and a random half of that ("equal jitter"), which keeps
 * the minimum wait honest and spreads the herd over the other half.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The wait before the next attempt; each call doubles the ceiling up to `maxMs`. */
  next(): number {
    const ceiling = Math.min(this.options.maxMs, this.options.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return jitter(ceiling, this.random);
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Back to `minMs` (after a connection that stayed up). */
  reset(): void {
    this.attempt = 0;
  }
}

/** A value in [0.5·ms, ms]: timers that many boxes share (resend, drain start) are spread out. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms / 2 + (random() * ms) / 2);
}
