/**
 * The console's script, served from the package as a string. Plain JavaScript for current
 * browsers: no build step, no dependency. Job output arrives as styled runs and is written with
 * `textContent`, never parsed as HTML.
 *
 * @module
 */
import { CONSOLE_ACTION_HEADER } from "./action_header.ts";

/** The most characters of output the page keeps; the oldest go first. */
export const MAX_PAGE_OUTPUT_CHARS = 200_000;

/** The console's JavaScript (an ES module). */
export const CONSOLE_SCRIPT = `const MAX_OUTPUT_CHARS = ${MAX_PAGE_OUTPUT_CHARS};
const ACTION_HEADER = ${JSON.stringify(CONSOLE_ACTION_HEADER)};
const $ = (id) => document.getElementById(id);
const output = $("output");
let selected = new URLSearchParams(location.hash.slice(1)).get("job");
let source;
let jobs = [];
let receivedAt = 0;
let outputChars = 0;

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

function appendOutput(chunk) {
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

function connect() {
  source?.close();
  const query = selected === null ? "" : "?job=" + encodeURIComponent(selected);
  source = new EventSource("/console/events" + query);
  source.addEventListener("open", () => {
    // A reconnected stream starts again from the newest output.
    output.replaceChildren();
    outputChars = 0;
    setConnection("live", "live");
  });
  source.addEventListener("jobs", (event) => {
    const data = JSON.parse(event.data);
    jobs = data.jobs;
    receivedAt = performance.now();
    $("job-count").textContent = data.total + (data.total === 1 ? " job" : " jobs");
    renderJobs();
  });
  source.addEventListener("output", (event) => appendOutput(JSON.parse(event.data)));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      setConnection("disconnected: reload, or ask for a new console link", "lost");
    } else setConnection("reconnecting…", "lost");
  });
}

function select(id) {
  if (id === selected) return;
  selected = id;
  history.replaceState(null, "", "#job=" + encodeURIComponent(id));
  $("action-result").textContent = "";
  renderJobs();
  connect();
}

async function act(path, label) {
  const result = $("action-result");
  result.textContent = label + "…";
  try {
    const response = await fetch("/console/jobs/" + encodeURIComponent(selected) + "/" + path, {
      method: "POST",
      headers: { [ACTION_HEADER]: "1" },
    });
    const body = await response.json();
    result.textContent = response.ok ? label + ": " + body.status : body.error;
  } catch (error) {
    result.textContent = label + " failed: " + error.message;
  }
}

$("stop").addEventListener("click", () => act("kill", "Stop"));
$("send-signal").addEventListener("click", () => {
  const signal = $("signal").value;
  act("signal/" + signal, signal);
});
setInterval(tick, 1000);
connect();
`;
