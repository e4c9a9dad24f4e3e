import { maskNumber } from '../../phone/normalize.js';
import { assets } from '../assets/index.js';
import { href, html, type HtmlValue, type SafeHtml } from '../html.js';
import type { Formatter, Lang } from '../i18n.js';
import type { Role } from '../sessions.js';

/** Everything a view needs to know about the request it renders for. */
export interface ViewContext {
  f: Formatter;
  /** The logged-in account; null on the login and first-run pages. */
  user: { name: string; role: Role } | null;
  /** The session's CSRF token for forms; null when there is no session (HTTP basic). */
  csrf: string | null;
  /** This page's path and query, for the language switch to come back to. */
  path: string;
  now: number;
  box: { id: string; name: string | null };
  version: string;
}

/** True when the viewer may see whole numbers and act. */
export function isAdmin(ctx: ViewContext): boolean {
  return ctx.user?.role === 'admin';
}

/**
 * A caller's number as this account may see it: whole for an admin, masked for a viewer
 * (`+91 98•••••678`). A number the box could not read is shown as the modem printed it
 * (masked likewise), a withheld one as the word.
 */
export function phoneText(ctx: ViewContext, number: string | null, raw: string | null = null, withheld = false): string {
  if (withheld && number === null) return ctx.f.words.withheld;
  const shown = number ?? raw;
  if (shown === null || shown === '') return ctx.f.words.notKnown;
  return isAdmin(ctx) ? shown : maskNumber(shown);
}

export type NavKey = 'overview' | 'modems' | 'calls' | 'sms' | 'messages' | 'volunteers' | 'events';

const NAV: { key: NavKey; path: string }[] = [
  { key: 'overview', path: '/' },
  { key: 'modems', path: '/modems' },
  { key: 'calls', path: '/calls' },
  { key: 'sms', path: '/sms' },
  { key: 'messages', path: '/messages' },
  { key: 'volunteers', path: '/volunteers' },
  { key: 'events', path: '/events' },
];

/** The language switch: the other language is a link that sets the cookie and comes back here. */
function langSwitch(ctx: ViewContext): SafeHtml {
  const other: Lang = ctx.f.lang === 'en' ? 'hi' : 'en';
  const names: Record<Lang, string> = { en: 'English', hi: 'हिन्दी' };
  return html`<span class="lang"><span lang="${ctx.f.lang}">${names[ctx.f.lang]}</span><a href="${href(`/lang/${other}`, { next: ctx.path })}" lang="${other}" hreflang="${other}">${names[other]}</a></span>`;
}

export interface PageOptions {
  title: string;
  nav: NavKey | null;
  body: HtmlValue;
  /** The page name the live script asks `/api/live` for; absent: no live updates. */
  live?: string;
  /** Extra query for `/api/live` (a filter the page was opened with), already encoded. */
  liveQuery?: string;
}

/** A whole page: header with navigation, the body, and the live indicator. */
export function page(ctx: ViewContext, options: PageOptions): string {
  const w = ctx.f.words;
  const boxName = ctx.box.name ?? ctx.box.id;
  const header = html`<header>
  <div class="top">
    <a class="brand" href="/">${boxName}</a>${ctx.box.name ? html`<span class="boxid">${ctx.box.id}</span>` : null}
    <div class="who">
      ${ctx.user ? html`<span>${w.signedInAs(ctx.user.name, w.roles[ctx.user.role])}</span>` : null}
      ${langSwitch(ctx)}
      ${ctx.user && ctx.csrf ? html`<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button class="linkish" type="submit">${w.logout}</button></form>` : null}
    </div>
  </div>
  ${ctx.user
    ? html`<nav aria-label="${w.title}">${NAV.map(
        (n) => html`<a href="${n.path}"${n.key === options.nav ? html` aria-current="page"` : null}>${w.nav[n.key]}</a>`,
      )}</nav>`
    : null}
</header>`;
  const live = options.live
    ? html`<span id="live" class="live" data-lost="${w.liveLost}">${w.updated(ctx.f.time(ctx.now, ctx.now))}</span> · `
    : null;
  return `<!doctype html>${html`<html lang="${ctx.f.lang}"${options.live ? html` data-live="${options.live}"` : null}${options.liveQuery ? html` data-live-query="${options.liveQuery}"` : null}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · ${boxName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets.style.url}" integrity="${assets.style.integrity}">
<script src="${assets.script.url}" integrity="${assets.script.integrity}" defer></script>
</head>
<body>
${header}
<main>
<h1>${options.title}</h1>
${options.body}
</main>
<footer>${live}missedcall ${ctx.version}</footer>
</body>
</html>`.value}`;
}

/** The honest placeholder for a part of the box that does not exist yet. */
export function notAvailable(ctx: ViewContext): SafeHtml {
  return html`<p class="na">${ctx.f.words.notAvailable}</p>`;
}

/** A state word with its colour (the only place colour is used). */
export function badge(text: string, cls: string): SafeHtml {
  return html`<span class="badge ${cls}">${text}</span>`;
}

/** Four signal bars, filled up to `bars`. */
export function signalIcon(bars: number, label: string): SafeHtml {
  return html`<svg class="bars" width="22" height="16" viewBox="0 0 22 16" role="img" aria-label="${label}">${[0, 1, 2, 3].map(
    (i) => html`<rect x="${i * 6}" y="${12 - i * 4}" width="4" height="${4 + i * 4}"${i < bars ? html` class="on"` : null}></rect>`,
  )}</svg>`;
}

/** "Older →" / "Newest" links for a list page. */
export function pager(ctx: ViewContext, path: string, params: Record<string, string | undefined>, next: string | null, isFirst: boolean): SafeHtml {
  if (!next && isFirst) return html``;
  return html`<div class="pager">${isFirst ? null : html`<a href="${href(path, { ...params, before: undefined })}">${ctx.f.words.newest}</a>`}${
    next ? html`<a href="${href(path, { ...params, before: next })}">${ctx.f.words.older} →</a>` : null
  }</div>`;
}

/** A hidden CSRF field for a form (empty without a session: the POST is then refused). */
export function csrfField(ctx: ViewContext): SafeHtml {
  return ctx.csrf ? html`<input type="hidden" name="_csrf" value="${ctx.csrf}">` : html``;
}
