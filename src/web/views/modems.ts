import { html, type SafeHtml } from '../html.js';
import type { ModemView, Overview } from '../status-model.js';
import { badge, csrfField, isAdmin, signalIcon, type ViewContext } from './common.js';
import { region, type Regions } from './overview.js';

/** The live part of one modem's card (everything except the admin forms, which must not be redrawn while typed in). */
function cardState(ctx: ViewContext, m: ModemView, now: number): SafeHtml {
  const { f } = ctx;
  const w = f.words;
  const dash = w.notKnown;
  const sms = m.sms
    ? w.smsOfLimit(f.num(m.sms.sentToday), m.sms.dailyLimit === null ? w.noLimit : f.num(m.sms.dailyLimit))
    : w.notAvailableShort;
  const model = [m.manufacturer, m.model].filter((x): x is string => !!x).join(' ');
  return html`<h2><span>${m.label}</span>${badge(w.states[m.state], `s-${m.state}`)}</h2>
<dl>
<dt>${w.signal}</dt><dd>${signalIcon(m.bars, w.signalBars(m.bars))} ${m.signalDbm === null ? dash : `${f.num(m.signalDbm)} dBm`}</dd>
<dt>${w.operator}</dt><dd data-field="operator">${m.operator ?? dash}</dd>
<dt>${w.registration}</dt><dd>${m.registration === null ? dash : (w.registrationStates[m.registration] ?? m.registration)}</dd>
<dt>${w.iccid}</dt><dd class="mono">${m.iccid ?? dash}</dd>
<dt>${w.imei}</dt><dd class="mono">${m.imei ?? dash}</dd>
<dt>${w.model}</dt><dd>${model || dash}</dd>
<dt>${w.port}</dt><dd class="mono">${m.port}</dd>
${m.campaign ? html`<dt>${w.campaign}</dt><dd>${m.campaign}</dd>` : null}
<dt>${w.callsToday}</dt><dd>${f.num(m.calls.callsToday)}</dd>
<dt>${w.lastCall}</dt><dd>${m.calls.lastCallAt === null ? dash : `${f.time(m.calls.lastCallAt, now)} (${f.ago(m.calls.lastCallAt, now)})`}</dd>
<dt>${w.latency}</dt><dd>${m.calls.medianLatencyMs === null ? dash : w.ms(f.dec(m.calls.medianLatencyMs))}</dd>
<dt>${w.smsToday}</dt><dd>${sms}</dd>
<dt>${w.lastError}</dt><dd>${m.lastError ?? dash}</dd>
<dt>${w.unreadable}</dt><dd>${f.num(m.unreadable)}</dd>
<dt>${w.status}</dt><dd>${w.since(f.time(m.stateSince, now))}</dd>
</dl>`;
}

/** The modem page's live regions: one per card, by position (labels are free text). */
export function modemRegions(ctx: ViewContext, o: Overview): Regions {
  return Object.fromEntries(o.modems.map((m, i) => [`modem-${i}`, cardState(ctx, m, o.now)]));
}

/** What an admin can do from a card; absent actions say so instead of hiding. */
function cardActions(ctx: ViewContext, m: ModemView, can: { testSms: boolean }): SafeHtml {
  const w = ctx.f.words;
  return html`<div class="actions">
<details><summary>${w.restart}</summary><form class="inline" method="post" action="/api/actions/restart-modem">${csrfField(ctx)}<input type="hidden" name="modem" value="${m.label}"><button type="submit">${w.restartConfirm} ${m.label}</button></form></details>
<details><summary>${w.testSms}</summary>${
    can.testSms
      ? html`<form class="inline" method="post" action="/api/actions/test-sms">${csrfField(ctx)}<input type="hidden" name="modem" value="${m.label}"><label>${w.testSmsTo}<input type="tel" name="to" required maxlength="20" autocomplete="off" inputmode="tel"></label><button type="submit">${w.testSmsSend}</button></form>`
      : html`<p class="na">${w.actionsNotAvailable}</p>`
  }</details>
</div>`;
}

/** The modems page body: a card per modem. */
export function modemsBody(ctx: ViewContext, o: Overview, can: { testSms: boolean }): SafeHtml {
  const regions = modemRegions(ctx, o);
  return html`<div class="grid">${o.modems.map(
    (m, i) => html`<article class="card" data-modem="${m.label}">${region(`modem-${i}`, regions[`modem-${i}`] ?? html``)}${isAdmin(ctx) ? cardActions(ctx, m, can) : null}</article>`,
  )}</div>`;
}
