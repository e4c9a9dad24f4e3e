import type { Modem, ModemCounters, ModemState } from '../modem/modem.js';
import type { EventLog } from './event-log.js';

/**
 * Turn a modem's state changes into events a technician understands. Passing states
 * (opening, initialising) are not logged; the next lasting state is. A modem that comes back
 * after a problem (or a restart) says so.
 */
export function watchModem(events: EventLog, modem: Modem): () => void {
  let everReady = false;
  const source = modem.label;
  const onState = (state: ModemState): void => {
    const info = modem.info;
    switch (state) {
      case 'ready': {
        const last = events.lastFrom(source);
        if (!everReady) {
          everReady = true;
          events.add({ level: 'info', source, kind: 'modem-ready', params: { operator: info.operator, signalDbm: info.signalDbm } });
        } else if (last && (last.level !== 'info' || last.kind === 'modem-restart')) {
          events.add({ level: 'info', source, kind: 'modem-recovered', params: { operator: info.operator } });
        }
        return;
      }
      case 'no-sim': {
        const error = info.lastError ?? '';
        const reason = /PIN/i.test(error) ? 'pin' : /no SIM/i.test(error) ? 'missing' : /removed/i.test(error) ? 'removed' : 'other';
        events.add({ level: 'problem', source, kind: 'modem-no-sim', params: { reason, error: reason === 'other' ? error : null } });
        return;
      }
      case 'not-registered':
        events.add({ level: 'warning', source, kind: 'modem-not-registered', params: { registration: info.registration } });
        return;
      case 'unresponsive':
        events.add({ level: 'problem', source, kind: 'modem-unresponsive' });
        return;
      case 'gone':
        events.add({ level: 'problem', source, kind: 'modem-gone', params: { port: info.port, error: info.lastError } });
        return;
      case 'opening':
      case 'initialising':
      case 'stopped':
        return;
    }
  };
  modem.on('state', onState);
  return () => modem.off('state', onState);
}

/** The counters a sampler compares between two looks. */
export interface CounterSource {
  label: string;
  counters: () => ModemCounters;
  /** The modem's state: timeouts of a modem already reported as not answering are not news. */
  state: () => ModemState;
}

export interface SamplerOptions {
  events: EventLog;
  modems: readonly CounterSource[];
  /** The call handler's counters. */
  handlerStats: () => { writeErrors: number; hangupFailures: number };
  /** How often to look. */
  intervalMs?: number;
  /** Unreadable lines are reported at most once per this period per modem (they come in bursts). */
  badInputPeriodMs?: number;
  now?: () => number;
}

/** Lines from a modem the box could not use: garbage, over-long lines, unparsable caller ids, stray results. */
export function unreadableLines(c: ModemCounters): number {
  return c.unknownLines + c.overflows + c.badClipLines + c.strayFinals + c.unexpectedPrompts;
}

/**
 * Look at counters that have no event of their own (calls that could not be saved, hang-ups
 * the modem did not confirm, unreadable modem output, command timeouts) and log what grew.
 * Returns a function that stops it.
 */
export function sampleCounters(options: SamplerOptions): () => void {
  const now = options.now ?? Date.now;
  const period = options.badInputPeriodMs ?? 60_000;
  const { events } = options;
  // Copies: the handler's stats object is live, so keeping it would compare it with itself.
  let handler = { ...options.handlerStats() };
  const perModem = new Map(
    options.modems.map((m) => {
      const c = m.counters();
      return [m.label, { unreadable: unreadableLines(c), timeouts: c.timeouts, pendingUnreadable: 0, pendingTimeouts: 0, reportedAt: 0 }];
    }),
  );
  const look = (): void => {
    const h = options.handlerStats();
    if (h.writeErrors > handler.writeErrors) {
      events.add({ level: 'problem', source: 'box', kind: 'calls-not-saved', params: { count: h.writeErrors - handler.writeErrors } });
    }
    if (h.hangupFailures > handler.hangupFailures) {
      events.add({ level: 'warning', source: 'box', kind: 'hangup-unconfirmed', params: { count: h.hangupFailures - handler.hangupFailures } });
    }
    handler = { ...h };
    const t = now();
    for (const m of options.modems) {
      const seen = perModem.get(m.label);
      if (!seen) continue;
      const c = m.counters();
      // Counters restart from the saved total when a port is reopened, so never go backwards.
      seen.pendingUnreadable += Math.max(0, unreadableLines(c) - seen.unreadable);
      seen.pendingTimeouts += Math.max(0, c.timeouts - seen.timeouts);
      seen.unreadable = unreadableLines(c);
      seen.timeouts = c.timeouts;
      const state = m.state();
      if (state === 'unresponsive' || state === 'gone' || state === 'opening' || state === 'initialising') seen.pendingTimeouts = 0;
      if (t - seen.reportedAt < period) continue;
      if (seen.pendingUnreadable > 0) {
        events.add({ level: 'warning', source: m.label, kind: 'modem-bad-input', params: { lines: seen.pendingUnreadable } });
      }
      if (seen.pendingTimeouts > 0) {
        events.add({ level: 'warning', source: m.label, kind: 'modem-timeouts', params: { count: seen.pendingTimeouts } });
      }
      if (seen.pendingUnreadable > 0 || seen.pendingTimeouts > 0) seen.reportedAt = t;
      seen.pendingUnreadable = 0;
      seen.pendingTimeouts = 0;
    }
  };
  const timer = setInterval(look, options.intervalMs ?? 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    look();
  };
}
