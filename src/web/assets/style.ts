/**
 * The page's style sheet, served from /static (the CSP allows no inline style). Readable at
 * 360 px: one column that grows to a grid; tables scroll sideways inside their box instead
 * of widening the page. Colour is used only for state: green working, amber needs
 * attention, red problem; everything else is greys.
 */
export const STYLE = `
:root {
  --ink: #1d232a; --muted: #5b6670; --line: #d9dee3; --paper: #ffffff; --ground: #f3f5f7;
  --ok: #1a7f37; --ok-bg: #e6f4ea; --warn: #9a6700; --warn-bg: #fff4d6; --bad: #b42318; --bad-bg: #fdecea;
  --bar: #5b6670; --bar-empty: #d9dee3;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--ground); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", "Lohit Devanagari", Arial, sans-serif; }
a { color: #0b5cad; }
header { background: var(--ink); color: #fff; padding: 8px 12px; }
header a { color: #fff; }
.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; }
.brand { font-weight: 700; font-size: 17px; text-decoration: none; }
.boxid { color: #c5ccd3; font-size: 13px; }
.who { margin-left: auto; display: flex; gap: 10px; align-items: center; font-size: 13px; flex-wrap: wrap; }
.who form { display: inline; margin: 0; }
.linkish { background: none; border: 0; color: #fff; text-decoration: underline; padding: 0; font: inherit; cursor: pointer; }
nav { display: flex; flex-wrap: wrap; gap: 2px 4px; margin-top: 8px; }
nav a { padding: 6px 9px; border-radius: 6px; text-decoration: none; white-space: nowrap; color: #e7ebef; font-size: 14px; }
nav a[aria-current="page"] { background: #fff; color: var(--ink); font-weight: 600; }
main { padding: 12px; max-width: 1100px; margin: 0 auto; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 0 0 8px; }
section, .card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin-bottom: 12px; }
.grid { display: grid; gap: 12px; grid-template-columns: 1fr; }
@media (min-width: 700px) { .grid { grid-template-columns: 1fr 1fr; } .grid3 { grid-template-columns: 1fr 1fr 1fr; } }
.grid > section { margin-bottom: 0; }
.verdict { border-width: 2px; }
.verdict h2 { font-size: 20px; margin: 0; }
.verdict ul { margin: 8px 0 0; padding-left: 20px; }
.v-ok { border-color: var(--ok); background: var(--ok-bg); } .v-ok h2 { color: var(--ok); }
.v-warning { border-color: var(--warn); background: var(--warn-bg); } .v-warning h2 { color: var(--warn); }
.v-problem { border-color: var(--bad); background: var(--bad-bg); } .v-problem h2 { color: var(--bad); }
li.r-problem { color: var(--bad); } li.r-warning { color: var(--warn); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.big { display: flex; gap: 16px; flex-wrap: wrap; }
.big div { min-width: 88px; }
.big b { display: block; font-size: 26px; line-height: 1.1; font-variant-numeric: tabular-nums; }
.big span { color: var(--muted); font-size: 13px; }
.na { color: var(--muted); font-style: italic; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.s-ready { color: var(--ok); background: var(--ok-bg); }
.s-opening, .s-initialising, .s-not-registered, .l-warning { color: var(--warn); background: var(--warn-bg); }
.s-no-sim, .s-unresponsive, .s-gone, .l-problem { color: var(--bad); background: var(--bad-bg); }
.s-stopped, .l-info { color: var(--muted); background: var(--ground); }
.card h2 { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.bars { vertical-align: middle; }
.bars rect { fill: var(--bar-empty); } .bars rect.on { fill: var(--bar); }
.chart { width: 100%; max-width: 560px; height: auto; display: block; }
.chart rect { fill: var(--bar); } .chart .axis { stroke: var(--line); } .chart text { fill: var(--muted); font-size: 11px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, td.line { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { overflow-wrap: anywhere; min-width: 160px; }
td.notes { min-width: 8em; font-size: 13px; color: var(--muted); }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; overflow-wrap: anywhere; }
.pager { display: flex; gap: 12px; margin-top: 8px; }
.note { color: var(--muted); font-size: 13px; }
form.inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 8px 0 0; }
label { display: block; font-size: 13px; color: var(--muted); }
input, select, button { font: inherit; padding: 8px 10px; border-radius: 6px; border: 1px solid #aab4bd; min-height: 40px; }
input { background: #fff; color: var(--ink); }
button { background: var(--ink); color: #fff; border-color: var(--ink); cursor: pointer; }
button.secondary { background: #fff; color: var(--ink); }
button[disabled] { opacity: .5; cursor: not-allowed; }
.actions { border-top: 1px solid var(--line); margin-top: 10px; padding-top: 8px; }
.admin form.inline { margin: 0 0 8px; }
details summary { cursor: pointer; color: #0b5cad; padding: 6px 0; }
.notice { background: var(--ok-bg); border: 1px solid var(--ok); border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; }
.errorbox { background: var(--bad-bg); border: 1px solid var(--bad); border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; }
.login { max-width: 360px; margin: 24px auto; }
.login input { width: 100%; margin-bottom: 10px; }
pre.cmd { background: var(--ink); color: #fff; padding: 10px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
@media (max-width: 420px) { main { padding: 8px; } section, .card { padding: 10px; } th, td { padding: 5px 6px; } .big { gap: 12px; } }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 8px 12px 24px; }
.live::before { content: "\\25CF  "; color: var(--ok); }
.live.lost::before { color: var(--bad); }
.lang a, .lang span { margin-left: 6px; }
.lang span { font-weight: 700; }
.count { color: var(--muted); font-size: 13px; }
`;
