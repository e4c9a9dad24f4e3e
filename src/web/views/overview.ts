import type { CallRow } from '../../store/calls.js';
import { html, type SafeHtml } from '../html.js';
import type { Overview } from '../status-model.js';
import { hourlyChart } from './chart.js';
import { badge, csrfField, isAdmin, notAvailable, phoneText, signalIcon, type ViewContext } from './common.js';

/** Regions of a page: name → inner HTML. The page wraps each in `data-region`; the live stream resends them. */
export type Regions = Record<string, SafeHtml>;

/** Wrap a region for the first render. */
export function region(name: string, inner: SafeHtml): SafeHtml {
  return html`<div data-region="${name}">${inner}</div>`;
}

function health(ctx: ViewContext, o: Overview): SafeHtml {
  const w = ctx.f.words;
  return html`<section class="verdict v-${o.verdict}" aria-live="polite">
<h2>${w.verdict[o.verdict]}</h2>
${o.reasons.length > 0 ? html`<ul>${o.reasons.map((r) => html`<li class="r-${r.level}">${w.reasons[r.kind](r.params, ctx.f)}</li>`)}</ul>` : null}
</section>`;
}

function numbers(ctx: ViewContext, o: Overview): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  const sync = o.sync;
  return html`<div class="grid">
<section><h2>${w.today}</h2><div class="big">
<div><b data-testid="calls-today">${f.num(o.today.calls)}</b><span>${w.callsToday}</span></div>
<div><b>${f.num(o.today.uniqueCallers)}</b><span>${w.uniqueCallers}</span></div>
<div>${o.today.newVolunteers === null ? html`<b class="na">—</b><span>${w.newVolunteers}: ${w.notAvailableShort}</span>` : html`<b>${f.num(o.today.newVolunteers)}</b><span>${w.newVolunteers}</span>`}</div>
</div></section>
<section><h2>${w.smsHeading}</h2>${
    o.sms
      ? html`<div class="big"><div><b>${f.num(o.sms.sentToday)}</b><span>${w.smsSent}</span></div><div><b>${f.num(o.sms.queued)}</b><span>${w.smsQueued}</span></div><div><b>${f.num(o.sms.failedToday)}</b><span>${w.smsFailed}</span></div></div>`
      : notAvailable(ctx)
  }</section>
<section><h2>${w.hqHeading}</h2>${
    sync?.enabled === false
      ? html`<p class="na">${w.hqNotSetUp}</p><dl><dt>${w.hqBacklog}</dt><dd>${f.num(sync.backlog)}</dd></dl>`
      : sync
      ? html`<dl><dt>${w.status}</dt><dd>${sync.connected ? badge(w.hqConnected, 's-ready') : badge(w.hqDisconnected, 's-gone')}</dd>
<dt>${w.hqBacklog}</dt><dd>${f.num(sync.backlog)}</dd>
<dt>${w.hqLastAck}</dt><dd>${sync.lastAckAt === null ? w.hqNever : `${f.time(sync.lastAckAt, o.now)} (${f.ago(sync.lastAckAt, o.now)})`}</dd>
${sync.lastError ? html`<dt>${w.hqLastError}</dt><dd>${sync.lastError}</dd>` : null}</dl>`
      : notAvailable(ctx)
  }</section>
<section><h2>${w.box}</h2><dl>
<dt>${w.boxId}</dt><dd class="mono">${o.box.id}</dd>
<dt>${w.version}</dt><dd>${o.box.version}</dd>
<dt>${w.uptime}</dt><dd>${f.duration(o.box.uptimeSeconds)}</dd>
<dt>${w.diskFree}</dt><dd>${o.disk ? `${f.bytes(o.disk.free)} / ${f.bytes(o.disk.total)}` : w.notKnown}</dd>
</dl></section>
</div>`;
}

function modemSummary(ctx: ViewContext, o: Overview): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  return html`<div class="table"><table>
<thead><tr><th>${w.line}</th><th>${w.status}</th><th>${w.signal}</th><th>${w.operator}</th><th>${w.callsToday}</th></tr></thead>
<tbody>${o.modems.map(
    (m) => html`<tr data-modem="${m.label}"><td class="line">${m.label}</td><td>${badge(w.states[m.state], `s-${m.state}`)}</td>
<td class="num">${signalIcon(m.bars, w.signalBars(m.bars))} ${m.signalDbm === null ? w.notKnown : `${f.num(m.signalDbm)} dBm`}</td>
<td>${m.operator ?? w.notKnown}</td><td class="num">${f.num(m.calls.callsToday)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** Notes for a call row: withheld, unreadable, repeat, gave up. */
export function callNotes(ctx: ViewContext, c: CallRow): string {
  const w = ctx.f.words;
  const notes: string[] = [];
  if (c.number === null && !c.withheld && c.numberRaw !== null) notes.push(w.unreadableNumber);
  if (c.callerGaveUp) notes.push(w.gaveUp);
  if (c.repeat > 0) notes.push(w.repeatCaller(c.repeat, ctx.f.num(c.repeat)));
  return notes.join(' · ');
}

/** Rows of calls (newest first), shared by the overview and the calls page. */
export function callRows(ctx: ViewContext, rows: readonly CallRow[], now: number): SafeHtml {
  const { f } = ctx;
  return html`${rows.map(
    (c) => html`<tr data-call="${c.id}"><td class="num">${f.time(c.rangAt, now)}</td><td class="num">${phoneText(ctx, c.number, c.numberRaw, c.withheld)}</td>
<td class="line">${c.portLabel}</td><td class="num">${c.hangupLatencyMs === null ? '—' : f.words.ms(f.dec(c.hangupLatencyMs))}</td><td class="notes">${callNotes(ctx, c)}</td></tr>`,
  )}`;
}

/** A table of calls, or a line saying there are none. */
export function callsTable(ctx: ViewContext, rows: readonly CallRow[], now: number): SafeHtml {
  const w = ctx.f.words;
  if (rows.length === 0) return html`<p class="na">${w.noCalls}</p>`;
  return html`<div class="table"><table>
<thead><tr><th>${w.when}</th><th>${w.number}</th><th>${w.line}</th><th>${w.hangup}</th><th>${w.notes}</th></tr></thead>
<tbody>${callRows(ctx, rows, now)}</tbody></table></div>`;
}

/** The overview's live regions. */
export function overviewRegions(ctx: ViewContext, o: Overview): Regions {
  const w = ctx.f.words;
  return {
    health: health(ctx, o),
    numbers: numbers(ctx, o),
    chart: hourlyChart(ctx.f, o.hourly),
    modems: modemSummary(ctx, o),
    recent: html`${callsTable(ctx, o.recentCalls, o.now)}<p><a href="/calls">${w.allCalls} →</a></p>`,
  };
}

/** The overview page body. */
export function overviewBody(ctx: ViewContext, o: Overview, availability: { syncNow: boolean }): SafeHtml {
  const w = ctx.f.words;
  const r = overviewRegions(ctx, o);
  const admin = isAdmin(ctx)
    ? html`<section class="admin"><h2>${w.adminActions}</h2>
<form class="inline" method="post" action="/api/actions/sync-now">${csrfField(ctx)}<button type="submit"${availability.syncNow ? null : html` disabled`}>${w.syncNow}</button>${availability.syncNow ? null : html`<span class="na">${w.actionsNotAvailable}</span>`}</form>
<p><a href="/export/calls.csv" download>${w.downloadCsv} (${w.nav.calls})</a></p></section>`
    : null;
  return html`${region('health', r.health ?? html``)}
${region('numbers', r.numbers ?? html``)}
${admin}
<section><h2>${w.chartHeading}</h2>${region('chart', r.chart ?? html``)}</section>
<section><h2><a href="/modems">${w.nav.modems}</a></h2>${region('modems', r.modems ?? html``)}</section>
<section><h2>${w.recentCalls}</h2>${region('recent', r.recent ?? html``)}</section>`;
}
