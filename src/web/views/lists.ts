import type { BoxEvent, EventLevel } from '../../events/event-log.js';
import type { CallRow } from '../../store/calls.js';
import { href, html, type SafeHtml } from '../html.js';
import { eventText } from '../i18n.js';
import type { MessageItem, Page, SmsItem, VolunteerFilter, VolunteerItem } from '../providers.js';
import { badge, isAdmin, notAvailable, pager, phoneText, type ViewContext } from './common.js';
import { callsTable, region, type Regions } from './overview.js';

/** The calls page's live region (first page only). */
export function callsRegions(ctx: ViewContext, rows: readonly CallRow[]): Regions {
  return { calls: callsTable(ctx, rows, ctx.now) };
}

export function callsBody(ctx: ViewContext, rows: readonly CallRow[], next: string | null, before: string | undefined): SafeHtml {
  const w = ctx.f.words;
  const table = callsRegions(ctx, rows).calls ?? html``;
  return html`${isAdmin(ctx) ? html`<p><a href="/export/calls.csv" download>${w.downloadCsv}</a></p>` : null}
<section>${before === undefined ? region('calls', table) : table}${pager(ctx, '/calls', {}, next, before === undefined)}</section>`;
}

/** Colour of an SMS status word: failures red, waiting amber, done green, anything else grey. */
function smsStatusClass(status: string): string {
  if (/fail|reject|error|expired/i.test(status)) return 'l-problem';
  if (/queue|wait|retry|sending|pending/i.test(status)) return 'l-warning';
  if (/sent|deliver/i.test(status)) return 's-ready';
  return 'l-info';
}

export function smsBody(ctx: ViewContext, page: Page<SmsItem> | null, options: { status?: string; statuses: string[]; before?: string }): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  if (!page) return html`<section>${notAvailable(ctx)}</section>`;
  const filter =
    options.statuses.length > 0
      ? html`<form class="inline" method="get" action="/sms"><label>${w.filter}<select name="status"><option value="">${w.allStatuses}</option>${options.statuses.map(
          (s) => html`<option value="${s}"${s === options.status ? html` selected` : null}>${s}</option>`,
        )}</select></label><button class="secondary" type="submit">${w.search}</button></form>`
      : null;
  const rows = page.items.map(
    (m) => html`<tr><td class="num">${f.time(m.createdAt, ctx.now)}</td><td class="num">${phoneText(ctx, m.to)}</td><td>${badge(m.status, smsStatusClass(m.status))}</td>
<td>${m.modem ?? '—'}</td><td class="num">${f.num(m.attempts)}</td><td class="text">${m.text}</td><td class="text">${m.error ?? ''}</td></tr>`,
  );
  return html`<section>${filter}${
    page.items.length === 0
      ? html`<p class="na">${w.noRows}</p>`
      : html`<div class="table"><table><thead><tr><th>${w.when}</th><th>${w.to}</th><th>${w.status}</th><th>${w.line}</th><th>${w.attempts}</th><th>${w.text}</th><th>${w.error}</th></tr></thead><tbody>${rows}</tbody></table></div>`
  }${pager(ctx, '/sms', { status: options.status }, page.next, options.before === undefined)}</section>`;
}

export function messagesBody(ctx: ViewContext, page: Page<MessageItem> | null, before: string | undefined): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  if (!page) return html`<section>${notAvailable(ctx)}</section>`;
  const rows = page.items.map(
    (m) => html`<tr data-message="${m.id}"><td class="num">${f.time(m.receivedAt, ctx.now)}</td><td class="num">${phoneText(ctx, m.from)}</td>
<td class="text">${m.text}</td><td>${m.keyword ?? ''}</td><td>${m.modem ?? '—'}</td></tr>`,
  );
  return html`<section>${
    page.items.length === 0
      ? html`<p class="na">${w.noRows}</p>`
      : html`<div class="table"><table><thead><tr><th>${w.when}</th><th>${w.from}</th><th>${w.text}</th><th>${w.keyword}</th><th>${w.line}</th></tr></thead><tbody>${rows}</tbody></table></div>`
  }${pager(ctx, '/messages', {}, page.next, before === undefined)}</section>`;
}

export function volunteersBody(
  ctx: ViewContext,
  page: Page<VolunteerItem> | null,
  options: VolunteerFilter & { before?: string; csv: boolean },
): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  if (!page) return html`<section>${notAvailable(ctx)}</section>`;
  const filter: Record<string, string | undefined> = { pincode: options.pincode, interest: options.interest };
  const rows = page.items.map(
    (v) => html`<tr><td class="num">${f.time(v.joinedAt, ctx.now)}</td><td class="num">${phoneText(ctx, v.number)}</td><td class="text">${v.name ?? ''}</td>
<td class="num">${v.pincode ?? ''}</td><td class="text">${v.interests.join(', ')}</td><td>${v.optedOut ? badge(w.optedOut, 'l-info') : null}</td></tr>`,
  );
  return html`<section><form class="inline" method="get" action="/volunteers">
<label>${w.pincode}<input name="pincode" value="${options.pincode ?? ''}" inputmode="numeric" maxlength="6" pattern="[0-9]{1,6}"></label>
<label>${w.interest}<input name="interest" value="${options.interest ?? ''}" maxlength="40"></label>
<button class="secondary" type="submit">${w.search}</button></form>
${isAdmin(ctx) && options.csv ? html`<p><a href="${href('/export/volunteers.csv', filter)}" download>${w.downloadCsv}</a></p>` : null}
${
  page.items.length === 0
    ? html`<p class="na">${w.noRows}</p>`
    : html`<div class="table"><table><thead><tr><th>${w.joined}</th><th>${w.number}</th><th>${w.name}</th><th>${w.pincode}</th><th>${w.interests}</th><th>${w.status}</th></tr></thead><tbody>${rows}</tbody></table></div>`
}${pager(ctx, '/volunteers', filter, page.next, options.before === undefined)}</section>`;
}

/** Where an event happened, in words (`line-2` stays as it is). */
function sourceName(ctx: ViewContext, source: string): string {
  const sources = ctx.f.words.sources;
  return (Object.hasOwn(sources, source) ? sources[source] : undefined) ?? source;
}

function eventRows(ctx: ViewContext, events: readonly BoxEvent[]): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  if (events.length === 0) return html`<p class="na">${w.noEvents}</p>`;
  return html`<div class="table"><table><thead><tr><th>${w.when}</th><th>${w.source}</th><th>${w.status}</th><th>${w.text}</th></tr></thead><tbody>${events.map(
    (e) => html`<tr data-event="${e.id}" class="e-${e.level}"><td class="num">${f.time(e.at, ctx.now)}${
      e.count > 1 ? html`<br><span class="count">${w.times(f.num(e.count))}, ${w.lastTime(f.time(e.lastAt, ctx.now))}</span>` : null
    }</td><td>${sourceName(ctx, e.source)}</td><td>${badge(w.levels[e.level], `l-${e.level}`)}</td><td class="text">${eventText(f, e.kind, e.params)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The events page's live region. */
export function eventsRegions(ctx: ViewContext, events: readonly BoxEvent[]): Regions {
  return { events: eventRows(ctx, events) };
}

export function eventsBody(ctx: ViewContext, events: readonly BoxEvent[], level: EventLevel, next: string | null, before: string | undefined): SafeHtml {
  const w = ctx.f.words;
  const levels: EventLevel[] = ['info', 'warning', 'problem'];
  const filter = html`<p class="pager">${levels.map((l) =>
    l === level ? html`<b>${w.showLevels[l]}</b>` : html`<a href="${href('/events', { level: l === 'info' ? undefined : l })}">${w.showLevels[l]}</a>`,
  )}</p>`;
  const rows = eventsRegions(ctx, events).events ?? html``;
  return html`<section>${filter}${before === undefined ? region('events', rows) : rows}${pager(
    ctx,
    '/events',
    { level: level === 'info' ? undefined : level },
    next,
    before === undefined,
  )}</section>`;
}
