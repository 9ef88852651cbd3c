/**
 * The console's HTML, served from the package as a string (no file is read at run time, so the
 * published package and the bundle carry it).
 *
 * @module
 */
import { SENDABLE_SIGNALS } from "../mcp/tools/send_signal.ts";

const signalOptions = SENDABLE_SIGNALS.map((signal) =>
  `<option${signal === "SIGINT" ? " selected" : ""}>${signal}</option>`
).join("");

/** The console's markup inside `<body>`, shared by the page and the MCP App. */
export const CONSOLE_BODY = `<header>
  <h1>mcp-background-job</h1>
  <span id="job-count"></span>
  <span id="connection" class="connection">connecting…</span>
</header>
<main>
  <section id="jobs-pane" aria-label="Jobs">
    <table id="jobs">
      <thead><tr><th>Job</th><th>Status</th><th>Runtime</th><th>Ports</th><th>Last line</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="empty" hidden>No jobs yet. Jobs the agent starts appear here.</p>
  </section>
  <section id="detail" aria-label="Selected job" hidden>
    <div class="toolbar">
      <div class="title"><strong id="detail-name"></strong> <code id="detail-command"></code></div>
      <span id="detail-status" class="badge"></span>
      <button id="stop" type="button" title="SIGTERM to the job's process group, SIGKILL after the grace period">Stop</button>
      <select id="signal" aria-label="Signal">${signalOptions}</select>
      <button id="send-signal" type="button">Send signal</button>
      <span id="action-result" role="status"></span>
    </div>
    <p id="terminal-note" class="note" hidden></p>
    <div id="terminal" hidden></div>
    <pre id="output" tabindex="0"></pre>
  </section>
</main>
`;

// The page alone answers questions (an MCP App runs inside the agent's host, which must not).
const QUESTIONS = `<section id="approvals" aria-label="Commands waiting for your approval" hidden>
  <h2>Waiting for your approval</h2>
  <ul id="questions"></ul>
</section>
`;

/** The console page; its script and style are at `/console/app.js` and `/console/app.css`. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jobs · mcp-background-job</title>
<link rel="stylesheet" href="/console/xterm.css">
<link rel="stylesheet" href="/console/app.css">
<script src="/console/xterm.js"></script>
<script type="module" src="/console/app.js"></script>
</head>
<body>
${CONSOLE_BODY.replace("<main>", `${QUESTIONS}<main>`)}</body>
</html>
`;

/** Where the login page keeps the session's page key: `localStorage`, scoped to the port. */
export const PAGE_KEY_STORAGE = "mcp-bg-console-key";

/**
 * The page a login link answers with: it sets the cookie, its script stores the page key (`key`,
 * URL-safe base64), and once loaded (the script has run by then) it moves on to `/`.
 */
export function loginHtml(key: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="${PAGE_KEY_STORAGE}" content="${key}">
<meta http-equiv="refresh" content="0; url=/">
<title>Signed in · mcp-background-job</title>
<script type="module" src="/console/login.js"></script>
</head>
<body><p>Signed in. <a href="/">Open the console</a>.</p></body>
</html>
`;
}

/** The login page's script: keeps the page key in this origin's storage. */
export const LOGIN_SCRIPT =
  `const key = document.querySelector('meta[name="${PAGE_KEY_STORAGE}"]').content;
localStorage.setItem(${JSON.stringify(PAGE_KEY_STORAGE)}, key);
`;
