import { html, type SafeHtml } from '../html.js';
import type { Formatter } from '../i18n.js';

/** 7 → 10, 23 → 25, 140 → 200: a round top for the axis, at least 1. */
export function niceCeiling(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const W = 360;
const H = 150;
const LEFT = 30;
const BOTTOM = 20;
const TOP = 8;

/**
 * Calls per hour as an inline SVG bar chart, drawn on the server: no script, no library,
 * a few hundred bytes. Sized for a 360-px phone (1 SVG unit = 1 CSS px there) and scaled on
 * wider screens. Each bar carries a `<title>` with its numbers for touch and screen readers.
 */
export function hourlyChart(f: Formatter, hours: readonly { hourStart: number; calls: number }[]): SafeHtml {
  const max = niceCeiling(Math.max(0, ...hours.map((h) => h.calls)));
  const plotW = W - LEFT - 4;
  const plotH = H - TOP - BOTTOM;
  const slot = plotW / Math.max(1, hours.length);
  const total = hours.reduce((sum, h) => sum + h.calls, 0);
  const hourLabel = (t: number): string => `${String(new Date(t).getHours()).padStart(2, '0')}:00`;
  const bars = hours.map((h, i) => {
    const height = (h.calls / max) * plotH;
    const x = LEFT + i * slot + 1;
    return html`<rect x="${x.toFixed(1)}" y="${(TOP + plotH - height).toFixed(1)}" width="${(slot - 2).toFixed(1)}" height="${height.toFixed(1)}"><title>${f.words.chartBar(hourLabel(h.hourStart), h.calls, f.num(h.calls))}</title></rect>`;
  });
  const labels = hours.map((h, i) =>
    i % 6 === 0 ? html`<text x="${(LEFT + i * slot).toFixed(1)}" y="${H - 5}">${hourLabel(h.hourStart)}</text>` : null,
  );
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${f.words.chartLabel(f.num(total))}">
<line class="axis" x1="${LEFT}" y1="${TOP + plotH}" x2="${W - 4}" y2="${TOP + plotH}"></line>
<line class="axis" x1="${LEFT}" y1="${TOP}" x2="${W - 4}" y2="${TOP}"></line>
<text x="${LEFT - 4}" y="${TOP + 4}" text-anchor="end">${f.num(max)}</text>
<text x="${LEFT - 4}" y="${TOP + plotH}" text-anchor="end">0</text>
${bars}${labels}
</svg>`;
}
