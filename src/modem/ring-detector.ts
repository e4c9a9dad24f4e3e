/**
 * Turns one modem's RING / +CRING / +CLIP / call-end lines into one incoming call per ring
 * cycle. Pure: the caller feeds events with their time (`performance.now()` milliseconds)
 * and runs `tick()` at `nextDeadline()`. One detector per modem, so two callers on two
 * modems in the same second are two calls (a global debounce loses the second caller).
 *
 * Modems differ: +CLIP may come before RING, without RING, or not at all. RING repeats every
 * few seconds with another +CLIP for the same call; that is still one call.
 */
export interface RingDetectorOptions {
  /** After RING, how long to wait for +CLIP before asking the modem (AT+CLCC). */
  clipWaitMs: number;
  /** No RING/+CLIP for this long: the ring cycle is over. */
  cycleGapMs: number;
  /**
   * After our hang-up, a RING for the same caller within this window is the same call still
   * ringing (Huawei sticks whose ATH did not drop it), not a new caller.
   */
  sameCallGuardMs: number;
}

export const defaultRingDetectorOptions: RingDetectorOptions = {
  clipWaitMs: 1000,
  cycleGapMs: 8000,
  sameCallGuardMs: 3000,
};

export type NumberSource = 'clip' | 'clcc' | 'call-end' | 'none';

export interface IncomingCall {
  type: 'incoming';
  /** Per-detector counter, for logs. */
  cycle: number;
  /** The number as the modem printed it; null when withheld or never learnt. */
  number: string | null;
  /** Type of number from +CLIP/+CLCC (145 international, 129, 161), when given. */
  numberType: number | null;
  withheld: boolean;
  source: NumberSource;
  /** When the first RING or +CLIP of the cycle arrived. */
  rangAt: number;
  /** When the line that made the number known (or final) arrived: hang-up latency counts from here. */
  knownAt: number;
  /** The caller hung up before we learnt the number; there is nothing to hang up. */
  callerGaveUp: boolean;
}

export type RingEvent =
  | IncomingCall
  /** Ask the modem for the caller (AT+CLCC) and report the answer with `clcc()`. */
  | { type: 'query-clcc'; cycle: number }
  /** The call we hung up is still ringing: hang up again (with AT+CHUP). */
  | { type: 'still-ringing'; cycle: number }
  | { type: 'ended'; cycle: number; reason: 'caller-gave-up' | 'hung-up' | 'quiet' };

type State =
  | { kind: 'idle' }
  | { kind: 'waiting-clip'; cycle: number; rangAt: number; deadline: number }
  | { kind: 'querying'; cycle: number; rangAt: number }
  | { kind: 'announced'; cycle: number; number: string | null; lastSeen: number };

export interface ClipLike {
  number: string;
  type: number | null;
  withheld: boolean;
}

export class RingDetector {
  private state: State = { kind: 'idle' };
  private cycles = 0;
  /** The caller we last hung up on, while a repeat of their +CLIP means "still ringing". */
  private guard: { number: string; cycle: number; until: number } | null = null;

  constructor(private readonly options: RingDetectorOptions = defaultRingDetectorOptions) {}

  /** `RING` or `+CRING: VOICE`. */
  ring(at: number): RingEvent[] {
    const s = this.state;
    switch (s.kind) {
      case 'idle': {
        const cycle = ++this.cycles;
        this.state = { kind: 'waiting-clip', cycle, rangAt: at, deadline: at + this.options.clipWaitMs };
        return [];
      }
      case 'waiting-clip':
      case 'querying':
        return [];
      case 'announced':
        s.lastSeen = at;
        return [];
    }
  }

  /** A parsed `+CLIP:` line. */
  clip(at: number, clip: ClipLike): RingEvent[] {
    const s = this.state;
    const number = clip.withheld || clip.number === '' ? null : clip.number;
    switch (s.kind) {
      case 'idle':
        return this.announce(++this.cycles, at, at, number, clip.type, 'clip', false);
      case 'waiting-clip':
      case 'querying':
        return this.announce(s.cycle, s.rangAt, at, number, clip.type, 'clip', false);
      case 'announced':
        if (number !== null && s.number !== null && number !== s.number) {
          // One call never changes its number: this is the next caller (the end of the last
          // call was not reported, or came in the same read as this line).
          return this.announce(++this.cycles, at, at, number, clip.type, 'clip', false);
        }
        s.lastSeen = at;
        return [];
    }
  }

  /** The answer to `query-clcc`: the incoming call's number, or null if none was listed. */
  clcc(at: number, entry: { number: string; type: number | null } | null): RingEvent[] {
    const s = this.state;
    if (s.kind !== 'querying') return [];
    const number = entry && entry.number !== '' ? entry.number : null;
    return this.announce(s.cycle, s.rangAt, at, number, entry?.type ?? null, number === null ? 'none' : 'clcc', false);
  }

  /**
   * A call-end line (NO CARRIER, MISSED_CALL, ^CEND, +CIEV call 0, VOICE CALL: END).
   * `number` when the line carries it (SIMCom MISSED_CALL).
   */
  callEnded(at: number, number: string | null = null): RingEvent[] {
    const s = this.state;
    switch (s.kind) {
      case 'idle':
        return [];
      case 'waiting-clip':
      case 'querying': {
        // The caller gave up before we learnt who it was: still a call, recorded.
        const events = this.announce(s.cycle, s.rangAt, at, number, null, number === null ? 'none' : 'call-end', true);
        this.state = { kind: 'idle' };
        events.push({ type: 'ended', cycle: s.cycle, reason: 'caller-gave-up' });
        return events;
      }
      case 'announced':
        this.state = { kind: 'idle' };
        return [{ type: 'ended', cycle: s.cycle, reason: 'caller-gave-up' }];
    }
  }

  /**
   * Our hang-up command completed: the call is over, and the next ring starts a new cycle,
   * unless the same number rings again within the guard window (the hang-up did not take).
   */
  hungUp(at: number): RingEvent[] {
    const s = this.state;
    if (s.kind !== 'announced') return [];
    this.state = { kind: 'idle' };
    this.guard = s.number === null ? null : { number: s.number, cycle: s.cycle, until: at + this.options.sameCallGuardMs };
    return [{ type: 'ended', cycle: s.cycle, reason: 'hung-up' }];
  }

  /**
   * The modem says the call from `number` is gone (AT+CLCC after the hang-up lists no such
   * incoming call): from now on that number ringing is a new call, a caller redialling,
   * not the old call still ringing.
   */
  confirmGone(number: string | null): void {
    if (this.guard && number !== null && this.guard.number === number) this.guard = null;
  }

  /** Run at `nextDeadline()` (or any later time). */
  tick(at: number): RingEvent[] {
    const s = this.state;
    switch (s.kind) {
      case 'idle':
      case 'querying':
        // A query is bounded by the AT timeout and answered through clcc().
        return [];
      case 'waiting-clip':
        if (at >= s.deadline) {
          this.state = { kind: 'querying', cycle: s.cycle, rangAt: s.rangAt };
          return [{ type: 'query-clcc', cycle: s.cycle }];
        }
        return [];
      case 'announced':
        if (at - s.lastSeen >= this.options.cycleGapMs) {
          this.state = { kind: 'idle' };
          return [{ type: 'ended', cycle: s.cycle, reason: 'quiet' }];
        }
        return [];
    }
  }

  /** When `tick()` has something to do next, or null when nothing is pending. */
  nextDeadline(): number | null {
    const s = this.state;
    switch (s.kind) {
      case 'idle':
      case 'querying':
        return null;
      case 'waiting-clip':
        return s.deadline;
      case 'announced':
        return s.lastSeen + this.options.cycleGapMs;
    }
  }

  /** A RING came and the caller's number is not known yet (waiting for +CLIP or AT+CLCC). */
  get awaitingNumber(): boolean {
    return this.state.kind === 'waiting-clip' || this.state.kind === 'querying';
  }

  /** True while a call is ringing on this modem. */
  get busy(): boolean {
    return this.state.kind !== 'idle';
  }

  private announce(
    cycle: number,
    rangAt: number,
    knownAt: number,
    number: string | null,
    numberType: number | null,
    source: NumberSource,
    callerGaveUp: boolean,
  ): RingEvent[] {
    const g = this.guard;
    if (g && number !== null && number === g.number && knownAt < g.until && !callerGaveUp) {
      // Same caller again right after our hang-up: the old call is still ringing.
      this.state = { kind: 'announced', cycle: g.cycle, number, lastSeen: knownAt };
      return [{ type: 'still-ringing', cycle: g.cycle }];
    }
    this.guard = null;
    this.state = { kind: 'announced', cycle, number, lastSeen: knownAt };
    return [{ type: 'incoming', cycle, number, numberType, withheld: number === null, source, rangAt, knownAt, callerGaveUp }];
  }
}
