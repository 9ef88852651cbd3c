/**
 * The console's view, shared by the web page and the MCP App: the job list, the selected job's
 * output and its buttons. A transport script after it fills in `feed` and calls `showJobs`,
 * `appendOutput`, `clearOutput` and `setConnection`. Job output is written with `textContent`,
 * never parsed as HTML.
 *
 * @module
 */

/** The most characters of output the page keeps; the oldest go first. */
export const MAX_PAGE_OUTPUT_CHARS = 200_000;

/** The view's JavaScript: plain, for current browsers, no build step. */
export const VIEW_SCRIPT = `const MAX_OUTPUT_CHARS = ${MAX_PAGE_OUTPUT_CHARS};
const $ = (id) => document.getElementById(id);
const output = $("output");
let selected = null;
let jobs = [];
let receivedAt = 0;
let outputChars = 0;
// A tty job's output goes to a terminal renderer (@xterm/xterm) when the page has one.
let terminal = null;
let consoleInput = false;

function formatDuration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + " min " + (s % 60) + " s";
  return Math.floor(m / 60) + " h " + (m % 60) + " min";
}

function runtime(job) {
  return job.duration_ms + (job.status === "running" ? performance.now() - receivedAt : 0);
}

function outcome(job) {
  if (job.status === "running") return "running";
  if (job.signal !== null) return job.status + " (" + job.signal + ")";
  return job.status + " (exit " + job.exit_code + ")";
}

function ports(job) {
  if (!Array.isArray(job.listening)) return "";
  // One port may be listened on by IPv4 and IPv6 sockets alike: each shown once.
  return [...new Set(job.listening.map((entry) => entry.port))].join(", ");
}

function cell(row, className, text) {
  const td = row.insertCell();
  td.className = className;
  td.textContent = text;
  return td;
}

function renderJobs() {
  const body = $("jobs").tBodies[0];
  body.replaceChildren();
  for (const job of jobs) {
    const row = body.insertRow();
    row.dataset.id = job.job_id;
    row.classList.toggle("selected", job.job_id === selected);
    const title = cell(row, "job", "");
    const name = document.createElement("strong");
    name.textContent = job.name ?? "";
    const command = document.createElement("code");
    command.textContent = job.command;
    title.append(...(job.name ? [name] : []), command);
    const status = cell(row, "status", "");
    const badge = document.createElement("span");
    badge.className = "badge " + job.status;
    badge.textContent = outcome(job);
    status.append(badge);
    cell(row, "runtime", formatDuration(runtime(job)));
    cell(row, "ports", ports(job));
    const last = job.stdout_last_line ?? job.stderr_last_line ?? "";
    cell(row, "last", last).title = last;
    row.addEventListener("click", () => select(job.job_id));
  }
  $("empty").hidden = jobs.length !== 0;
  renderDetail();
}

function renderDetail() {
  const job = jobs.find((j) => j.job_id === selected);
  $("detail").hidden = selected === null;
  if (selected === null) return;
  $("detail-name").textContent = job?.name ?? "";
  $("detail-command").textContent = job?.command ?? "(this job is no longer in the list)";
  const status = $("detail-status");
  status.className = "badge " + (job?.status ?? "");
  status.textContent = job ? outcome(job) : "gone";
  const running = job?.status === "running";
  for (const id of ["stop", "signal", "send-signal"]) $(id).disabled = !running;
}

function tick() {
  const cells = document.querySelectorAll("#jobs tbody tr");
  jobs.forEach((job, i) => {
    if (job.status === "running" && cells[i]) {
      cells[i].querySelector(".runtime").textContent = formatDuration(runtime(job));
    }
  });
}

function showTerminal(size) {
  if (terminal === null) {
    terminal = new Terminal({ cols: size.cols, rows: size.rows, disableStdin: !consoleInput });
    const jobId = selected;
    terminal.onData((keys) => {
      if (consoleInput) feed.type(jobId, keys);
    });
    $("output").hidden = true;
    $("terminal").hidden = false;
    $("terminal-note").hidden = !consoleInput;
    $("terminal-note").textContent = "Typing here goes to the job's terminal.";
    terminal.open($("terminal"));
  } else if (terminal.cols !== size.cols || terminal.rows !== size.rows) {
    terminal.resize(size.cols, size.rows);
  }
}

function appendOutput(chunk) {
  if (chunk.terminal !== undefined) {
    if (typeof Terminal === "function") {
      showTerminal(chunk.terminal);
      return terminal.write(chunk.terminal.text);
    }
    $("terminal-note").hidden = false;
    $("terminal-note").textContent =
      "A tty job, shown as plain text: the terminal renderer is not available here.";
  }
  const atBottom = output.scrollHeight - output.scrollTop - output.clientHeight < 30;
  const fragment = document.createDocumentFragment();
  if (chunk.skipped > 0) {
    const gap = document.createElement("span");
    gap.className = "gap";
    gap.textContent = "… " + chunk.skipped + " bytes of " + chunk.stream + " not shown …\\n";
    fragment.append(gap);
  }
  for (const run of chunk.runs) {
    const span = document.createElement("span");
    span.textContent = run.text;
    if (chunk.stream === "stderr") span.classList.add("stderr");
    for (const flag of ["bold", "dim", "italic", "underline", "inverse"]) {
      if (run[flag]) span.classList.add(flag);
    }
    if (run.fg) span.style.color = run.fg;
    if (run.bg) span.style.backgroundColor = run.bg;
    fragment.append(span);
  }
  for (const node of fragment.childNodes) outputChars += node.textContent.length;
  output.append(fragment);
  while (outputChars > MAX_OUTPUT_CHARS && output.firstChild) {
    outputChars -= output.firstChild.textContent.length;
    output.firstChild.remove();
  }
  if (atBottom) output.scrollTop = output.scrollHeight;
}

function setConnection(text, state) {
  const element = $("connection");
  element.textContent = text;
  element.className = "connection " + state;
}

// The transport fills these in: the web page's events stream, or an MCP App's host.
const feed = {
  follow(_id) {},
  act(_jobId, _action, _label) {
    return Promise.resolve("");
  },
  type(_jobId, _keys) {},
};

function showJobs(data) {
  jobs = data.jobs;
  receivedAt = performance.now();
  consoleInput = data.input === true;
  const total = data.total ?? jobs.length;
  $("job-count").textContent = total + (total === 1 ? " job" : " jobs");
  renderJobs();
}

function clearOutput() {
  output.replaceChildren();
  outputChars = 0;
  terminal?.dispose();
  terminal = null;
  output.hidden = false;
  $("terminal").hidden = true;
  $("terminal").replaceChildren();
  $("terminal-note").hidden = true;
}

function select(id) {
  if (id === selected) return;
  selected = id;
  clearOutput();
  $("action-result").textContent = "";
  renderJobs();
  feed.follow(id);
}

async function runAction(action, label) {
  // Nothing selected, nothing to act on (the buttons are hidden then anyway).
  if (selected === null) return;
  const result = $("action-result");
  result.textContent = label + "…";
  try {
    result.textContent = await feed.act(selected, action, label);
  } catch (error) {
    result.textContent = label + " failed: " + error.message;
  }
}

$("stop").addEventListener("click", () => runAction("kill", "Stop"));
$("send-signal").addEventListener("click", () => {
  const signal = $("signal").value;
  runAction("signal/" + signal, signal);
});
setInterval(tick, 1000);
`;
