/**
 * `/metrics` for Prometheus, on a registry of its own (never prom-client's global one, so
 * two boxes in one test process, or a library that registers its own metrics, cannot mix).
 * Counters of calls start from the database's totals, so a restart does not look like a
 * drop to zero to headquarters' dashboards. A part of the box that is not there (no SMS
 * outbox, no sync) has no samples rather than a made-up 0.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallHandler } from '../calls/call-handler.js';
import { unreadableLines } from '../events/watch.js';
import type { ModemState } from '../modem/modem.js';
import { localMidnight, type CallReport } from '../store/call-report.js';
import type { CallRow } from '../store/calls.js';
import type { Providers } from './providers.js';
import type { StatusSnapshot } from './status-model.js';

const STATES: ModemState[] = ['opening', 'initialising', 'ready', 'no-sim', 'not-registered', 'unresponsive', 'gone', 'stopped'];

export interface MetricsSources {
  status: () => StatusSnapshot;
  report: CallReport;
  providers: Providers;
  handler?: Pick<CallHandler, 'stats'>;
  now?: () => number;
}

/** The registry and the hook that counts each recorded call. */
export interface WebMetrics {
  registry: Registry;
  /** Count a call just recorded (wired to the call handler's `recorded`). */
  recorded(row: CallRow): void;
}

/** Only grows: a counter fed from a total that may restart lower (a reopened port) adds what is new. */
function follower(counter: Counter<string>): (labels: Record<string, string>, total: number) => void {
  const seen = new Map<string, number>();
  return (labels, total) => {
    const key = JSON.stringify(labels);
    const before = seen.get(key);
    seen.set(key, total);
    if (before === undefined) counter.inc(labels, total);
    else if (total > before) counter.inc(labels, total - before);
  };
}

export function buildMetrics(src: MetricsSources): WebMetrics {
  const registry = new Registry();
  const now = src.now ?? Date.now;
  collectDefaultMetrics({ register: registry });
  const snapshot = src.status();

  new Gauge({
    name: 'missedcall_info',
    help: 'Always 1; the labels say which box and version this is.',
    labelNames: ['box', 'version'],
    registers: [registry],
  }).set({ box: snapshot.box, version: snapshot.version }, 1);

  const calls = new Counter({
    name: 'missedcall_calls_total',
    help: 'Missed calls recorded, by line (modem label), since the database was created.',
    labelNames: ['line'],
    registers: [registry],
  });
  const totals = src.report.totalsByLabel();
  for (const m of snapshot.modems) calls.inc({ line: m.label }, totals.get(m.label) ?? 0);
  for (const [line, n] of totals) if (!snapshot.modems.some((m) => m.label === line)) calls.inc({ line }, n);

  const latency = new Histogram({
    name: 'missedcall_hangup_latency_seconds',
    help: "Time from knowing the caller to the hang-up command leaving for the modem (the caller's money).",
    labelNames: ['line'],
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });

  const unreadable = new Counter({
    name: 'missedcall_modem_unreadable_lines_total',
    help: 'Lines from the modem the box could not use (garbage, over-long, unparsable caller id, stray results), since start.',
    labelNames: ['line'],
    registers: [registry],
  });
  const timeouts = new Counter({
    name: 'missedcall_modem_command_timeouts_total',
    help: 'AT commands that got no answer in time, since start.',
    labelNames: ['line'],
    registers: [registry],
  });
  const followUnreadable = follower(unreadable);
  const followTimeouts = follower(timeouts);
  const followNotSaved = follower(
    new Counter({ name: 'missedcall_calls_not_saved_total', help: 'Calls that could not be written to the database, since start.', registers: [registry] }),
  );

  new Gauge({
    name: 'missedcall_modem_up',
    help: '1 when the line can take calls (state ready), else 0.',
    labelNames: ['line'],
    registers: [registry],
    collect() {
      const s = src.status();
      for (const m of s.modems) {
        this.set({ line: m.label }, m.state === 'ready' ? 1 : 0);
        const c = m.counters;
        followUnreadable({ line: m.label }, unreadableLines(c));
        followTimeouts({ line: m.label }, c.timeouts);
      }
      if (src.handler) followNotSaved({}, src.handler.stats.writeErrors);
    },
  });
  new Gauge({
    name: 'missedcall_modem_state',
    help: 'The state of each line: 1 for the current state, 0 for the others.',
    labelNames: ['line', 'state'],
    registers: [registry],
    collect() {
      for (const m of src.status().modems) for (const st of STATES) this.set({ line: m.label, state: st }, m.state === st ? 1 : 0);
    },
  });
  new Gauge({
    name: 'missedcall_modem_signal_dbm',
    help: 'Signal strength of each line in dBm (absent while unknown).',
    labelNames: ['line'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of src.status().modems) if (m.signalDbm !== null) this.set({ line: m.label }, m.signalDbm);
    },
  });

  const { sms, sync } = src.providers;
  if (sms) {
    new Gauge({
      name: 'missedcall_sms',
      help: 'Messages in the SMS outbox by status.',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [status, n] of Object.entries(sms.counts(localMidnight(now())).byStatus)) this.set({ status }, n);
      },
    });
  }
  if (sync) {
    new Gauge({
      name: 'missedcall_sync_backlog',
      help: "Records waiting for headquarters' acknowledgement.",
      registers: [registry],
      collect() {
        this.set(sync.status().backlog);
      },
    });
    new Gauge({
      name: 'missedcall_sync_connected',
      help: '1 while the box is connected to the HQ broker.',
      registers: [registry],
      collect() {
        this.set(sync.status().connected ? 1 : 0);
      },
    });
  }

  return {
    registry,
    recorded(row) {
      calls.inc({ line: row.portLabel });
      if (row.hangupLatencyMs !== null) latency.observe({ line: row.portLabel }, row.hangupLatencyMs / 1000);
    },
  };
}
