import type { Config } from '../config/load.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { maskNumber } from '../phone/normalize.js';
import type { CallRow } from '../store/calls.js';
import type { Db } from '../store/db.js';
import type { SmsOutbox } from './outbox.js';
import { expandTemplate } from './template.js';
import type { OptOutRegistry } from './types.js';

/** Why a call got no reply (each is counted on the status page). */
export type NoReplyReason = 'no-reply-configured' | 'withheld' | 'opted-out' | 'cooldown' | 'not-queued' | 'error';

/** Calls answered and not answered since start, shown in `/api/status` → `sms.replies`. */
export interface ReplyStats {
  queued: number;
  skipped: Record<NoReplyReason, number>;
}

/** What the reply policy is built from. */
export interface ReplyPolicyOptions {
  config: Pick<Config, 'box' | 'modems' | 'reply'>;
  db: Db;
  outbox: SmsOutbox;
  optOuts: OptOutRegistry;
  log: Logger;
  /** Epoch milliseconds, the same clock the outbox uses. */
  clock?: () => number;
}

interface LineReply {
  text: string;
  templateId: string | null;
}

/**
 * Decides whether a call is answered and queues the reply. `onCall` runs inside the
 * transaction that records the call, so the call and its reply are committed together; it
 * must stay quick (it is on the path between the hang-up and the commit) and must never make
 * the call's record fail: its own writes run in a savepoint that is rolled back on error.
 */
export class ReplyPolicy {
  readonly stats: ReplyStats = {
    queued: 0,
    skipped: { 'no-reply-configured': 0, withheld: 0, 'opted-out': 0, cooldown: 0, 'not-queued': 0, error: 0 },
  };
  private byLabel = new Map<string, LineReply>();
  private cooldownMs = 0;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly queueTx: (row: CallRow, reply: LineReply) => NoReplyReason | null;

  constructor(private readonly opts: ReplyPolicyOptions) {
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log.child({ module: 'reply' });
    this.configure(opts.config);
    this.queueTx = opts.db.transaction((row: CallRow, reply: LineReply) => this.queue(row, reply));
  }

  /**
   * Take a (validated) configuration: at start, and when HQ pushes a new reply text or
   * cool-down. Texts are expanded here, once: every placeholder is known from the config.
   */
  configure(config: Pick<Config, 'box' | 'modems' | 'reply'>): void {
    const byLabel = new Map<string, LineReply>();
    if (config.reply) {
      for (const m of config.modems) {
        byLabel.set(m.label, {
          text: expandTemplate(m.reply ?? config.reply.text, {
            box: config.box.id,
            boxName: config.box.name ?? config.box.id,
            label: m.label,
            campaign: m.campaign ?? null,
          }),
          templateId: m.replyTemplateId ?? config.reply.templateId ?? null,
        });
      }
    }
    this.byLabel = byLabel;
    this.cooldownMs = (config.reply?.cooldownHours ?? 0) * 3600_000;
  }

  /** The reply text callers of a line get (for the status page and tests). */
  replyFor(label: string): string | null {
    return this.byLabel.get(label)?.text ?? null;
  }

  /** Record hook: runs in the call's transaction. */
  onCall(row: CallRow): void {
    const reply = this.byLabel.get(row.portLabel);
    let reason: NoReplyReason | null;
    if (!reply) reason = 'no-reply-configured';
    else if (row.withheld || row.number === null) reason = 'withheld';
    else {
      try {
        reason = this.queueTx(row, reply);
      } catch (err) {
        // The savepoint rolled back; the call itself is still recorded.
        reason = 'error';
        this.log.error({ err: describeError(err), callId: row.id }, 'could not queue the reply to a call');
      }
    }
    if (reason === null) this.stats.queued++;
    else this.stats.skipped[reason]++;
  }

  private queue(row: CallRow, reply: LineReply): NoReplyReason | null {
    const number = row.number;
    if (number === null) return 'withheld';
    if (this.opts.optOuts.isOptedOut(number)) return 'opted-out';
    const now = this.clock();
    if (this.cooldownMs > 0 && this.opts.outbox.store.repliedSince(number, now - this.cooldownMs)) return 'cooldown';
    const result = this.opts.outbox.enqueue({ to: number, text: reply.text, kind: 'reply', callId: row.id, templateId: reply.templateId });
    if (!result.queued) {
      this.log.warn({ callId: row.id, number: maskNumber(number), reason: result.reason }, 'reply not queued');
      return result.reason === 'opted-out' ? 'opted-out' : 'not-queued';
    }
    return null;
  }
}
