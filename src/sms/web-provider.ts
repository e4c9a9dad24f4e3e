import { AppError, ErrorCodes } from '../errors.js';
import { SMS_STATUSES, type SmsRow, type SmsStatus } from '../store/outbox.js';
import { UnknownCursorError, type Page, type PageQuery, type SmsCounts, type SmsItem, type SmsModemUsage, type SmsProvider } from '../web/providers.js';
import type { SmsService } from './service.js';

function isStatus(s: string): s is SmsStatus {
  return (SMS_STATUSES as readonly string[]).includes(s);
}

function item(row: SmsRow, waiting: string | null): SmsItem {
  return {
    id: row.id,
    to: row.to,
    text: row.text,
    status: row.status,
    modem: row.modem,
    createdAt: row.queuedAt,
    sentAt: row.sentAt,
    attempts: row.attempts,
    // For a queued message, why it waits (quiet hours until 09:00, retry at …, daily limit).
    error: row.status === 'queued' ? (waiting ?? row.lastError) : row.lastError,
  };
}

/**
 * The outbox as the status page sees it (`WebDeps.providers.sms`, see src/web/providers.ts):
 * counts for the overview, each SIM's use of its daily limit, the message list, and the
 * technician's test SMS.
 */
export class SmsPageProvider implements SmsProvider {
  constructor(
    private readonly service: SmsService,
    private readonly box: () => string,
  ) {}

  counts(since: number): SmsCounts {
    const store = this.service.outbox.store;
    const byStatus = store.counts();
    return {
      sentToday: store.sentSince(since),
      queued: byStatus.queued + byStatus.sending,
      failedToday: store.failedSince(since),
      byStatus,
    };
  }

  /** Counted per SIM in the configured time zone's day, as the limit is (`since` is not needed). */
  usageByModem(_since: number): Map<string, SmsModemUsage> {
    const status = this.service.status();
    const limit = status.dailyLimitPerSim === 0 ? null : status.dailyLimitPerSim;
    return new Map(status.lines.map((l) => [l.label, { sentToday: l.sentToday, dailyLimit: limit }]));
  }

  list(query: PageQuery & { status?: string }): Page<SmsItem> {
    const store = this.service.outbox.store;
    const status = query.status !== undefined && isStatus(query.status) ? query.status : undefined;
    const q = status === undefined ? { limit: query.limit } : { limit: query.limit, status };
    let rows: SmsRow[];
    if (query.before === undefined) rows = store.list(q);
    else {
      const page = store.listBefore(query.before, q);
      if (page === null) throw new UnknownCursorError(query.before);
      rows = page;
    }
    const explain = (row: SmsRow): string | null => (row.status === 'queued' ? (this.service.worker?.explain(row) ?? null) : null);
    return { items: rows.map((row) => item(row, explain(row))), next: rows.length === query.limit ? (rows[rows.length - 1]?.id ?? null) : null };
  }

  statuses(): string[] {
    return [...SMS_STATUSES];
  }

  /** A test SMS from the page: queued like any other message, through `modem` when it can send. */
  async sendTest(to: string, options: { modem?: string; requestedBy: string }): Promise<{ id: string }> {
    const via = options.modem ? ` via ${options.modem}` : '';
    const result = this.service.outbox.enqueue({
      to,
      text: `Test SMS from missedcall box ${this.box()}${via}, sent by ${options.requestedBy}.`,
      kind: 'test',
      preferModem: options.modem ?? null,
    });
    if (!result.queued) throw new AppError(ErrorCodes.SMS_NOT_QUEUED, `the test SMS was not queued: ${result.reason}`);
    return { id: result.id };
  }
}
