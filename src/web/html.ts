/**
 * The one way the status page builds HTML: a tagged template that escapes every value put
 * into it, unless the value is itself HTML built by this template. Text a volunteer typed or
 * a modem printed (an operator name, a raw caller id, an SMS) can therefore only ever appear
 * as text: `<img src=x onerror=…>` shows as those characters and runs nothing.
 *
 * Rules for templates (reviewed with the escaper's tests):
 * - attribute values are always quoted with `"`;
 * - no value is ever put inside `<script>`, `<style>`, an event handler attribute or a
 *   `javascript:`/`data:` URL (the page has no inline script at all; see the CSP);
 * - URLs are built from fixed paths plus `encodeURIComponent` parameters (see {@link href}).
 */

/** HTML that is already safe: built by {@link html}, or a constant marked with {@link trusted}. */
export class SafeHtml {
  /** @internal use {@link html} or {@link trusted}. */
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What may be put into a template. `null`, `undefined` and booleans render nothing, so `${cond && html`…`}` works. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escape text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || typeof value === 'boolean') return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return escapeHtml(value as string);
}

/** Build HTML: every interpolated value is escaped unless it is {@link SafeHtml}; arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/**
 * Mark a constant string of markup as safe. Only for markup written in this code base (never
 * anything that came from a request, a modem, an SMS or the database).
 */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * A local URL: a fixed path plus query parameters, each encoded; parameters that are
 * `undefined`, `null` or `''` are left out. The result still goes through {@link html} when used in an attribute.
 */
export function href(path: string, params: Record<string, string | number | null | undefined> = {}): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== null && entry[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return query === '' ? path : `${path}?${query}`;
}
