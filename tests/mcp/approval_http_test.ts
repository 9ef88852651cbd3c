/**
 * MCP_BG_APPROVAL=ask over HTTP and with tasks: the question goes to the session that asked, an
 * approval holds in that session only, a task waits in `input_required`, and the console's
 * person can answer too (with the same protections as its Stop button).
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { HttpTestServer } from "../helpers/http_server.ts";
import { TestServer, type ToolClient } from "../helpers/mcp_client.ts";
import { choose, personClient } from "../helpers/person.ts";
import { delay } from "../helpers/processes.ts";

const STRICT = { MCP_BG_ALLOWED_COMMANDS: "^echo( |$)", MCP_BG_APPROVAL: "ask" };
const ACTION = { "x-mcp-bg-console": "1" };

Deno.test("over HTTP each session asks its own person; one session's approval is not another's", async () => {
  await using server = await HttpTestServer.start({ env: STRICT });
  const personA = personClient(() => choose("session"));
  const personB = personClient(() => choose("deny"));
  const a = await server.connect({}, personA.client);
  const b = await server.connect({}, personB.client);
  for (let i = 0; i < 2; i++) {
    const status = await a.waitForEnd(await a.start("printf shared"));
    assert.equal(status.approved_by_person, "session");
  }
  assert.equal(personA.questions.length, 1);
  assert.equal(personB.questions.length, 0, "A's question went to A's client only");
  const refused = await b.call("execute_command", { command: "printf shared" });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /the person denied it/);
  assert.equal(personB.questions.length, 1, "B's person is asked: A's approval is A's");
  assert.equal(personA.questions.length, 1);
});

/** Polls `tasks/get` until the task has `status`. */
async function waitForTaskStatus(tools: ToolClient, taskId: string, status: string) {
  for (let i = 0; i < 500; i++) {
    if ((await tools.client.experimental.tasks.getTask(taskId)).status === status) return;
    await delay(20);
  }
  throw new Error(`task ${taskId} never reached ${status}`);
}

async function assertTaskWaitsForPerson(tools: ToolClient, questions: unknown[]) {
  const created = await tools.client.request({
    method: "tools/call",
    params: {
      name: "run_command",
      arguments: { command: "printf from-task" },
      task: { ttl: 60_000 },
    },
  }, CreateTaskResultSchema);
  const taskId = created.task.taskId;
  await waitForTaskStatus(tools, taskId, "input_required");
  // The question comes with tasks/result; the person answers, and the result follows.
  const result = await tools.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
  assert.equal(result.isError, undefined, JSON.stringify(result));
  const data = result.structuredContent as Record<string, unknown>;
  assert.equal(data.status, "completed");
  assert.equal(data.approved_by_person, "once");
  assert.equal(data.stdout_tail, "from-task");
  assert.equal(questions.length, 1);
}

Deno.test("a task-augmented run_command waits in input_required while the person decides (stdio)", async () => {
  const person = personClient(() => choose("once"));
  await using server = await TestServer.start({ env: STRICT, client: person.client });
  await assertTaskWaitsForPerson(server, person.questions);
});

Deno.test("a task-augmented run_command waits in input_required while the person decides (HTTP)", async () => {
  await using server = await HttpTestServer.start({ env: STRICT });
  const person = personClient(() => choose("once"));
  await assertTaskWaitsForPerson(await server.connect({}, person.client), person.questions);
});

/** Reads the console's events stream until an `approvals` event lists a question; returns it. */
async function openQuestion(
  origin: string,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}/console/events`, { headers });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (true) {
      for (const match of text.matchAll(/event: approvals\ndata: (.*)\n/g)) {
        const [question] = JSON.parse(match[1]!).questions;
        if (question !== undefined) return question;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`events ended: ${text}`);
      text += value;
    }
  } finally {
    await reader.cancel();
  }
}

Deno.test("the console lists a waiting question and its answer starts the job; only a real action counts", async () => {
  await using server = await HttpTestServer.start({ env: STRICT });
  // A client without elicitation: with the console open, the question waits for the console.
  const client = await server.connect();
  const call = client.call("execute_command", { command: "printf from-console" });
  // Awaited below; a failure before that must not leave it rejecting unhandled at close.
  call.catch(() => {});
  const origin = new URL(server.url).origin;
  const auth = server.authHeaders;
  const question = await openQuestion(origin, auth);
  assert.equal(question.command, "printf from-console");
  assert.deepEqual(question.argv, ["printf", "from-console"]);
  assert.match(String(question.refusal), /not in allowed patterns/);
  const answer = `${origin}/console/approvals/${question.id}/once`;
  // Stop's protections: POST only, the token, the console header, same-site, the guard's Origin.
  for (
    const init of [
      { headers: auth },
      { method: "POST", headers: auth },
      { method: "POST", headers: { ...ACTION } },
      { method: "POST", headers: { ...ACTION, ...auth, "sec-fetch-site": "cross-site" } },
      { method: "POST", headers: { ...ACTION, ...auth, origin: "http://evil.example" } },
    ] as RequestInit[]
  ) {
    const refused = await fetch(answer, init);
    await refused.body?.cancel();
    assert.ok(refused.status >= 400, `${JSON.stringify(init)}: ${refused.status}`);
  }
  const missing = await fetch(`${origin}/console/approvals/nope/once`, {
    method: "POST",
    headers: { ...ACTION, ...auth },
  });
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const accepted = await fetch(answer, { method: "POST", headers: { ...ACTION, ...auth } });
  assert.deepEqual(await accepted.json(), { status: "answered" });
  const outcome = await call;
  assert.equal(outcome.isError, false, outcome.text);
  const status = await client.waitForEnd((outcome.data as { job_id: string }).job_id);
  assert.equal(status.approved_by_person, "once");
  const again = await fetch(answer, { method: "POST", headers: { ...ACTION, ...auth } });
  assert.equal(again.status, 404, "a question is answered once");
  await again.body?.cancel();
});
