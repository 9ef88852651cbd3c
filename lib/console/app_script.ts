/**
 * The console as an MCP App (the `ui://` view a host renders in a sandboxed frame): the shared
 * view, fed through the host by JSON-RPC over `postMessage` — `ui/initialize`, then `tools/call`
 * of `list_jobs` and `read_job_output` once a second (a view has no stream of its own), and
 * `kill_job` / `send_signal` for the buttons.
 *
 * @module
 */
import { VERSION } from "../version.ts";
import { VIEW_SCRIPT } from "./view_script.ts";

/** The MCP Apps protocol version this view speaks. */
export const APP_PROTOCOL_VERSION = "2026-01-26";

// String.raw: the regular expression's backslashes reach the browser as written.
const APP_FEED = String.raw`
const APP_VERSION = ${JSON.stringify(VERSION)};
const PROTOCOL_VERSION = ${JSON.stringify(APP_PROTOCOL_VERSION)};
// Escape sequences and control characters: the app shows output as plain text.
const ESCAPES = /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -\/]*[0-Z\\^-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const pending = new Map();
let nextId = 1;
let cursors = null;

function send(message) {
  window.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
}

function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

window.addEventListener("message", (event) => {
  const message = event.data;
  if (event.source !== window.parent || message?.jsonrpc !== "2.0") return;
  // A request from the host (ping, ui/resource-teardown): nothing to do but answer it.
  if (message.method !== undefined) {
    if (message.id !== undefined) send({ id: message.id, result: {} });
    return;
  }
  const waiter = pending.get(message.id);
  if (waiter === undefined) return;
  pending.delete(message.id);
  if (message.error !== undefined) waiter.reject(new Error(message.error.message));
  else waiter.resolve(message.result);
});

async function callTool(name, args) {
  const result = await request("tools/call", { name, arguments: args });
  if (result.isError) throw new Error(result.content?.[0]?.text ?? name + " failed");
  return result.structuredContent;
}

async function readOutput() {
  const args = { job_id: selected, max_bytes: 65536 };
  if (cursors !== null) {
    args.stdout_cursor = cursors.stdout;
    args.stderr_cursor = cursors.stderr;
  }
  const read = await callTool("read_job_output", args);
  cursors = { stdout: read.stdout_cursor, stderr: read.stderr_cursor };
  for (const stream of ["stdout", "stderr"]) {
    const text = read[stream].replace(/\r\n?/g, "\n").replace(ESCAPES, "");
    const skipped = read[stream + "_lost_bytes"];
    if (text !== "" || skipped > 0) appendOutput({ stream, runs: [{ text }], skipped });
  }
}

async function poll() {
  try {
    showJobs(await callTool("list_jobs", {}));
    setConnection("live", "live");
    if (selected !== null && jobs.some((job) => job.job_id === selected)) await readOutput();
  } catch (error) {
    setConnection(error.message, "lost");
  }
  setTimeout(poll, 1000);
}

feed.follow = () => {
  clearOutput();
  cursors = null;
};
feed.act = async (jobId, action, label) => {
  const result = action === "kill"
    ? await callTool("kill_job", { job_id: jobId })
    : await callTool("send_signal", { job_id: jobId, signal: action.slice("signal/".length) });
  return label + ": " + result.status;
};

new ResizeObserver(() => {
  const { scrollWidth: width, scrollHeight: height } = document.documentElement;
  send({ method: "ui/notifications/size-changed", params: { width, height } });
}).observe(document.documentElement);

await request("ui/initialize", {
  appCapabilities: {},
  appInfo: { name: "mcp-background-job console", version: APP_VERSION },
  protocolVersion: PROTOCOL_VERSION,
});
send({ method: "ui/notifications/initialized", params: {} });
poll();
`;

/** The MCP App's JavaScript: the shared view and its host feed (an ES module). */
export const APP_SCRIPT = VIEW_SCRIPT + APP_FEED;
