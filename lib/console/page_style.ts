/**
 * The console's style sheet, served from the package as a string.
 *
 * @module
 */

/** The console's CSS. */
export const CONSOLE_STYLE = `:root {
  color-scheme: dark;
  --bg: #16181d; --panel: #1e2128; --line: #2c313a; --fg: #d7dae0; --muted: #8a919c;
  --running: #3b8eea; --completed: #23d18b; --failed: #f14c4c; --killed: #e5a50a;
  font: 14px/1.4 system-ui, sans-serif;
}
* { box-sizing: border-box; }
/* An element marked hidden stays hidden even where a rule gives it a display (#detail is flex). */
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); display: flex; flex-direction: column; height: 100vh; }
header { display: flex; align-items: baseline; gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1rem; margin: 0; }
#job-count { color: var(--muted); }
.connection { margin-left: auto; color: var(--muted); }
.connection.live { color: var(--completed); }
.connection.lost { color: var(--failed); }
main { flex: 1; display: flex; flex-direction: column; min-height: 0; }
#jobs-pane { max-height: 45%; overflow: auto; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { position: sticky; top: 0; background: var(--panel); font-weight: 600; color: var(--muted); }
tbody tr { cursor: pointer; }
tbody tr:hover { background: var(--panel); }
tbody tr.selected { background: #263042; }
td.job strong { display: block; }
code, pre, td.job code, td.last { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
td.job code { color: var(--muted); word-break: break-all; }
td.last { color: var(--muted); max-width: 40ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td.runtime, td.ports { white-space: nowrap; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: 12px; border: 1px solid currentColor; white-space: nowrap; }
.badge.running { color: var(--running); }
.badge.completed { color: var(--completed); }
.badge.failed { color: var(--failed); }
.badge.killed { color: var(--killed); }
#empty { color: var(--muted); padding: 1rem; margin: 0; }
#detail { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; padding: .5rem 1rem; background: var(--panel); }
.toolbar .title { flex: 1; min-width: 20ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.toolbar code { color: var(--muted); }
button, select { font: inherit; color: var(--fg); background: #2c313a; border: 1px solid #3e4451; border-radius: 4px; padding: .2rem .6rem; }
button:hover:not(:disabled) { background: #3e4451; }
button:disabled, select:disabled { opacity: .45; }
#stop:not(:disabled) { border-color: var(--failed); color: #ffb3b3; }
#action-result { color: var(--muted); }
#output { flex: 1; margin: 0; padding: .5rem 1rem; overflow: auto; white-space: pre-wrap; word-break: break-all; background: #0f1115; }
#terminal { flex: 1; overflow: auto; padding: .5rem 1rem; background: #000; }
.note { margin: .3rem 1rem; color: var(--muted); font-size: 12.5px; }
#output .stderr { color: #f0a8a8; }
#output .gap { color: var(--muted); font-style: italic; }
#output .bold { font-weight: 700; }
#output .dim { opacity: .65; }
#output .italic { font-style: italic; }
#output .underline { text-decoration: underline; }
#output .inverse { filter: invert(1); }
#approvals { padding: .5rem 1rem; border-bottom: 2px solid var(--killed); background: #2a2416; max-height: 40%; overflow: auto; }
#approvals h2 { font-size: .95rem; margin: 0 0 .4rem; color: var(--killed); }
#questions { list-style: none; margin: 0; padding: 0; }
#questions li { margin-bottom: .6rem; }
#questions pre { margin: 0 0 .3rem; white-space: pre-wrap; word-break: break-all; }
#questions button { margin-right: .4rem; }
`;
