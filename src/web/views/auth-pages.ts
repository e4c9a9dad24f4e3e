import { html } from '../html.js';
import { page, type ViewContext } from './common.js';

/** The login form. `error` is a message already in the page's language. */
export function loginPage(ctx: ViewContext, options: { next: string; error?: string; user?: string }): string {
  const w = ctx.f.words;
  return page(ctx, {
    title: w.login.heading,
    nav: null,
    body: html`<section class="login">
${options.error ? html`<p class="errorbox" role="alert">${options.error}</p>` : null}
<form method="post" action="/login">
<input type="hidden" name="next" value="${options.next}">
<label for="user">${w.login.user}</label><input id="user" name="user" autocomplete="username" autocapitalize="none" required maxlength="64" value="${options.user ?? ''}">
<label for="password">${w.login.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<button type="submit">${w.login.submit}</button>
</form></section>`,
  });
}

/**
 * First run: no account exists, so nothing is shown but how to make one. The page is the
 * same for everyone and tells nothing about the box beyond its name.
 */
export function setupPage(ctx: ViewContext, configPath: string | null): string {
  const w = ctx.f.words.setup;
  const config = configPath ?? '/etc/missedcall/config.yaml';
  return page(ctx, {
    title: w.heading,
    nav: null,
    body: html`<section>
<p>${w.intro}</p>
<pre class="cmd">missedcall passwd --config ${config} --user admin --role admin</pre>
<p>${w.then}</p>
<pre class="cmd">sudo systemctl restart missedcall</pre>
<p class="note">${w.roles}</p>
</section>`,
  });
}

/** An error page (400, 403, 404) with the reason and a way back. */
export function errorPage(ctx: ViewContext, message: string): string {
  const w = ctx.f.words;
  return page(ctx, {
    title: w.errorHeading,
    nav: null,
    body: html`<section><p class="errorbox" role="alert">${message}</p><p><a href="/">${w.back}</a></p></section>`,
  });
}
