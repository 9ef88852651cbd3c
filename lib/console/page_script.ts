/**
 * The console page's script, served from the package as a string: the shared view, fed by the
 * server's events stream; the actions are POSTs carrying the console's header.
 *
 * @module
 */
import { CONSOLE_ACTION_HEADER } from "./action_header.ts";
import { PAGE_KEY_HEADER } from "./access.ts";
import { PAGE_KEY_STORAGE } from "./page_html.ts";
import { VIEW_SCRIPT } from "./view_script.ts";

/** The console page's JavaScript (an ES module). */
export const CONSOLE_SCRIPT = `${VIEW_SCRIPT}
const ACTION_HEADER = ${JSON.stringify(CONSOLE_ACTION_HEADER)};
let source;

// The page key from the last login on this origin (none when the server needs no token).
function pageKey() {
  return localStorage.getItem(${JSON.stringify(PAGE_KEY_STORAGE)}) ?? "";
}

function connect() {
  source?.close();
  const query = new URLSearchParams({ key: pageKey() });
  if (selected !== null) query.set("job", selected);
  source = new EventSource("/console/events?" + query);
  source.addEventListener("open", () => {
    // A reconnected stream starts again from the newest output.
    clearOutput();
    setConnection("live", "live");
  });
  source.addEventListener("jobs", (event) => showJobs(JSON.parse(event.data)));
  source.addEventListener("output", (event) => appendOutput(JSON.parse(event.data)));
  source.addEventListener("approvals", (event) => showQuestions(JSON.parse(event.data).questions));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      setConnection("disconnected: reload, or ask for a new console link", "lost");
    } else setConnection("reconnecting…", "lost");
  });
}

feed.follow = (id) => {
  history.replaceState(null, "", "#job=" + encodeURIComponent(id));
  connect();
};
feed.act = async (jobId, action, label) => {
  const response = await fetch("/console/jobs/" + encodeURIComponent(jobId) + "/" + action, {
    method: "POST",
    headers: { [ACTION_HEADER]: "1", ${JSON.stringify(PAGE_KEY_HEADER)}: pageKey() },
  });
  const body = await response.json();
  return response.ok ? label + ": " + body.status : body.error;
};
// Keys for a tty job, one request at a time so they arrive in the order typed.
let typing = Promise.resolve();
feed.type = (jobId, keys) => {
  typing = typing.then(async () => {
    const response = await fetch("/console/jobs/" + encodeURIComponent(jobId) + "/input", {
      method: "POST",
      headers: { [ACTION_HEADER]: "1", ${JSON.stringify(PAGE_KEY_HEADER)}: pageKey() },
      body: keys,
    });
    if (!response.ok) $("action-result").textContent = (await response.json()).error;
  }).catch((error) => $("action-result").textContent = "Typing failed: " + error.message);
};
// Questions about commands the allowlist refused: every fact as text, three answers each.
function showQuestions(questions) {
  const list = $("questions");
  list.replaceChildren();
  $("approvals").hidden = questions.length === 0;
  for (const question of questions) {
    const item = document.createElement("li");
    const facts = document.createElement("pre");
    const env = Object.entries(question.envAdditions).map(([k, v]) => k + "=" + JSON.stringify(v));
    facts.textContent = [
      "Command: " + question.command,
      "Programs: " + question.programs.join(", "),
      "Arguments: " + JSON.stringify(question.argv.slice(1)),
      "Working directory: " + question.cwd,
      "Added environment: " + (env.length === 0 ? "none" : env.join(" ")),
      "Contained: " + (question.contained ? "yes" : "no"),
      "Refused because: " + question.refusal,
    ].join("\\n");
    const buttons = document.createElement("div");
    const result = document.createElement("span");
    for (const [answer, label] of [["once", "Allow once"], ["session", "Allow for this session"], ["deny", "Deny"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.addEventListener("click", async () => {
        const response = await fetch(
          "/console/approvals/" + encodeURIComponent(question.id) + "/" + answer,
          {
            method: "POST",
            headers: { [ACTION_HEADER]: "1", ${JSON.stringify(PAGE_KEY_HEADER)}: pageKey() },
          },
        );
        result.textContent = response.ok ? label : (await response.json()).error;
      });
      buttons.append(button);
    }
    buttons.append(result);
    item.append(facts, buttons);
    list.append(item);
  }
}

selected = new URLSearchParams(location.hash.slice(1)).get("job");
connect();
`;
