import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { TestServer, type ToolClient } from "../../helpers/mcp_client.ts";
import { HttpTestServer } from "../../helpers/http_server.ts";
import { NotificationLog } from "../../helpers/notifications.ts";
import { delay, isAlive, waitUntilGone } from "../../helpers/processes.ts";

/** A connected client on a fresh server, over one transport. */
interface Connection extends AsyncDisposable {
  readonly tools: ToolClient;
}

const TRANSPORTS: Record<string, () => Promise<Connection>> = {
  stdio: async () => {
    const server = await TestServer.start();
    return { tools: server, [Symbol.asyncDispose]: () => server.close() };
  },
  http: async () => {
    const server = await HttpTestServer.start();
    const client = await server.connect();
    return { tools: client, [Symbol.asyncDispose]: async () => void await server.stop() };
  },
};

/** Calls tool `name` as a task (`params.task`) and returns the task the server created. */
async function startTask(tools: ToolClient, name: string, args: object, ttl = 60_000) {
  const created = await tools.client.request({
    method: "tools/call",
    params: { name, arguments: args, task: { ttl } },
  }, CreateTaskResultSchema);
  const immediate = created._meta?.["io.modelcontextprotocol/model-immediate-response"];
  assert.match(String(immediate), new RegExp(`^${name} runs as task ${created.task.taskId}`));
  return { ...created.task, immediate: String(immediate) };
}

/** `tasks/result` of `taskId`, unpacked. */
async function taskResult(tools: ToolClient, taskId: string) {
  const result = await tools.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
  const content = result.content as { type: string; text?: string }[];
  return {
    isError: result.isError === true,
    text: content[0]?.text ?? "",
    // deno-lint-ignore no-explicit-any
    data: result.structuredContent as Record<string, any>,
    meta: result._meta,
  };
}

/** Polls `tasks/get` until run_command's task names its job; returns the job id. */
async function jobOfTask(tools: ToolClient, taskId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const task = await tools.client.experimental.tasks.getTask(taskId);
    const jobId = /^job (\S+) running: /.exec(task.statusMessage ?? "")?.[1];
    if (jobId !== undefined) return jobId;
    await delay(25);
  }
  throw new Error(`Task ${taskId} never named its job`);
}

/** Polls `tasks/get` until the task is gone; returns how many polls saw it still there. */
async function waitUntilForgotten(tools: ToolClient, taskId: string): Promise<number> {
  for (let seen = 0; seen < 200; seen++) {
    try {
      await tools.client.experimental.tasks.getTask(taskId);
    } catch (error) {
      assert.match(String(error), /not found/i);
      return seen;
    }
    await delay(100);
  }
  throw new Error(`Task ${taskId} still there after 20 s`);
}

for (const [transport, open] of Object.entries(TRANSPORTS)) {
  Deno.test(`${transport}: wait_for_job as a task answers at once, notifies its end, and its result is the wait's`, async () => {
    await using connection = await open();
    const { tools } = connection;
    const log = new NotificationLog(tools.client);
    // The job prints "ready" only when told to, after the task is seen working.
    const id = await tools.start(`sh -c "read go; echo ready; sleep 60"`);
    const task = await startTask(tools, "wait_for_job", { job_id: id, pattern: "^ready" });
    assert.equal(task.status, "working");
    assert.equal(task.ttl, 60_000);
    const listed = await tools.client.experimental.tasks.listTasks();
    assert.deepEqual(listed.tasks.map((t) => t.taskId), [task.taskId]);
    assert.equal((await tools.client.experimental.tasks.getTask(task.taskId)).status, "working");
    await tools.ok("interact_with_job", { job_id: id, input: "go" });
    const done = await log.waitFor(
      0,
      "notifications/tasks/status",
      (n) => n.params.taskId === task.taskId && n.params.status !== "working",
    );
    assert.equal(done.params.status, "completed");
    const result = await taskResult(tools, task.taskId);
    assert.equal(result.isError, false);
    assert.equal(result.data.reason, "matched");
    assert.deepEqual(result.data.match, { stream: "stdout", line: 1, text: "ready" });
    assert.equal(result.data.status, "running");
    assert.deepEqual(result.meta?.["io.modelcontextprotocol/related-task"], {
      taskId: task.taskId,
    });
    assert.deepEqual(JSON.parse(result.text), result.data);
    assert.equal((await tools.client.experimental.tasks.getTask(task.taskId)).status, "completed");
    await tools.ok("kill_job", { job_id: id });
    await waitUntilGone(result.data.pid);
  });

  Deno.test(`${transport}: run_command as a task names its job while working and returns its status and tail`, async () => {
    await using connection = await open();
    const { tools } = connection;
    const log = new NotificationLog(tools.client);
    // The job ends only when told to, after the test has seen the task name it.
    const task = await startTask(tools, "run_command", {
      command: `sh -c "seq 1 300; read go; echo oops >&2; exit 3"`,
      tail_lines: 3,
    });
    const jobId = await jobOfTask(tools, task.taskId);
    await tools.ok("interact_with_job", { job_id: jobId, input: "go" });
    assert.match(task.immediate, new RegExp(` on job ${jobId};`));
    const result = await taskResult(tools, task.taskId);
    assert.equal(result.isError, false);
    assert.equal(result.data.job_id, jobId);
    assert.equal(result.data.status, "failed");
    assert.equal(result.data.exit_code, 3);
    assert.match(result.data.stdout_tail, /\n298\n299\n300\n$/);
    assert.equal(result.data.stderr_tail, "oops\n");
    assert.ok(result.data.stdout_omitted_bytes > 0);
    const ended = await log.waitFor(
      0,
      "notifications/tasks/status",
      (n) => n.params.taskId === task.taskId && n.params.status === "completed",
    );
    assert.equal(ended.params.statusMessage, undefined);
    // Over HTTP the first notifications may come before the client's event stream is open.
    if (transport === "stdio") {
      const working = log.of("notifications/tasks/status", (n) => n.params.status === "working");
      assert.match(working[0]?.params.statusMessage, new RegExp(`^job ${jobId} running: sh -c`));
    }
    // The job stays in the table like any other.
    assert.equal((await tools.ok("get_job_status", { job_id: jobId })).exit_code, 3);
  });

  Deno.test(`${transport}: the SDK's callToolStream runs run_command as a task to its result`, async () => {
    await using connection = await open();
    const { tools } = connection;
    await tools.client.listTools(); // the client learns which tools support tasks
    const kinds: string[] = [];
    let result: Record<string, unknown> | undefined;
    const stream = tools.client.experimental.tasks.callToolStream(
      { name: "run_command", arguments: { command: "echo streamed" } },
      undefined,
      { task: { ttl: 60_000 } },
    );
    for await (const message of stream) {
      kinds.push(message.type);
      if (message.type === "result") {
        result = message.result.structuredContent as Record<string, unknown>;
      }
      if (message.type === "error") throw message.error;
    }
    assert.equal(kinds[0], "taskCreated");
    assert.equal(kinds.at(-1), "result");
    assert.equal(result?.stdout_tail, "streamed\n");
    assert.equal(result?.status, "completed");
  });

  Deno.test(`${transport}: tasks/cancel ends a wait and leaves the job running`, async () => {
    await using connection = await open();
    const { tools } = connection;
    const id = await tools.start("sleep 60");
    const task = await startTask(tools, "wait_for_job", { job_id: id, timeout: 60 });
    const cancelled = await tools.client.experimental.tasks.cancelTask(task.taskId);
    assert.equal(cancelled.status, "cancelled");
    assert.equal((await tools.client.experimental.tasks.getTask(task.taskId)).status, "cancelled");
    const status = await tools.ok("get_job_status", { job_id: id });
    assert.equal(status.status, "running");
    assert.ok(isAlive(status.pid as number));
    // Cancelling twice is refused: the task has ended.
    await assert.rejects(tools.client.experimental.tasks.cancelTask(task.taskId), /terminal/);
    await tools.ok("kill_job", { job_id: id });
    await waitUntilGone(status.pid as number);
  });

  Deno.test(`${transport}: tasks/cancel of run_command kills the job and its grandchild`, async () => {
    await using connection = await open();
    const { tools } = connection;
    const task = await startTask(tools, "run_command", {
      command: `sh -c "sleep 60 & echo $!; wait"`,
    });
    const jobId = await jobOfTask(tools, task.taskId);
    const grandchild = await tools.pidPrintedBy(jobId);
    await tools.client.experimental.tasks.cancelTask(task.taskId);
    const status = await tools.waitForEnd(jobId);
    assert.equal(status.status, "killed");
    assert.equal(status.kill_reason, "user");
    await waitUntilGone(grandchild);
    await waitUntilGone(status.pid as number);
    assert.equal((await tools.client.experimental.tasks.getTask(task.taskId)).status, "cancelled");
  });

  Deno.test(`${transport}: a task is kept for its ttl after it ends, then forgotten`, async () => {
    await using connection = await open();
    const { tools } = connection;
    const id = await tools.start("echo done");
    await tools.waitForEnd(id);
    // Two tasks on the same ended job: the short ttl is the one seen expiring, the long one
    // (60 s, far beyond any stall) shows that a task within its ttl is still kept meanwhile.
    const kept = await startTask(tools, "wait_for_job", { job_id: id }, 60_000);
    const task = await startTask(tools, "wait_for_job", { job_id: id }, 1000);
    assert.equal(task.ttl, 1000);
    await waitUntilForgotten(tools, task.taskId);
    await assert.rejects(
      tools.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema),
      /not found/i,
    );
    assert.equal((await taskResult(tools, kept.taskId)).data.reason, "exited");
    const listed = (await tools.client.experimental.tasks.listTasks()).tasks;
    assert.deepEqual(listed.map((t) => t.taskId), [kept.taskId]);
  });

  Deno.test(`${transport}: a plain call to a task-capable tool answers in the call and leaves no task`, async () => {
    await using connection = await open();
    const { tools } = connection;
    const log = new NotificationLog(tools.client);
    const listed = await tools.client.listTools();
    const wait = listed.tools.find((tool) => tool.name === "wait_for_job");
    assert.equal(wait?.execution?.taskSupport, "optional");
    const id = await tools.start(`sh -c "sleep 0.2; echo ready; sleep 60"`);
    const waited = await tools.call("wait_for_job", { job_id: id, pattern: "ready" });
    assert.equal(waited.isError, false);
    assert.equal(waited.data.reason, "matched");
    const missing = await tools.call("wait_for_job", { job_id: "no-such-job" });
    assert.equal(missing.isError, true);
    assert.equal(missing.text, "Job no-such-job not found");
    const ran = await tools.call("run_command", { command: "echo hello" });
    assert.equal(ran.data.status, "completed");
    assert.equal(ran.data.stdout_tail, "hello\n");
    const refused = await tools.call("run_command", { command: "" });
    assert.equal(refused.text, "Invalid command: Command cannot be empty");
    assert.deepEqual((await tools.client.experimental.tasks.listTasks()).tasks, []);
    assert.deepEqual(log.of("notifications/tasks/status"), []);
    await tools.ok("kill_job", { job_id: id });
  });
}

Deno.test("a plain run_command cancelled by its client kills the job", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  await server.client.setLoggingLevel("info");
  const abort = new AbortController();
  const call = server.call("run_command", { command: "sleep 60" }, { signal: abort.signal });
  const started = await log.waitFor(
    0,
    "notifications/message",
    (n) => n.params.data.event === "started",
  );
  abort.abort();
  await assert.rejects(call);
  const status = await server.waitForEnd(started.params.data.job_id);
  assert.equal(status.kill_reason, "user");
  await waitUntilGone(status.pid as number);
});

Deno.test("over HTTP a task belongs to the session that created it", async () => {
  await using server = await HttpTestServer.start();
  const alice = await server.connect();
  const bob = await server.connect();
  const id = await alice.start("sleep 60");
  const task = await startTask(alice, "wait_for_job", { job_id: id, timeout: 60 });
  await assert.rejects(bob.client.experimental.tasks.getTask(task.taskId), /not found/i);
  await assert.rejects(bob.client.experimental.tasks.cancelTask(task.taskId), /not found/i);
  assert.deepEqual((await bob.client.experimental.tasks.listTasks()).tasks, []);
  assert.equal((await alice.client.experimental.tasks.getTask(task.taskId)).status, "working");
  await alice.client.experimental.tasks.cancelTask(task.taskId);
  await alice.ok("kill_job", { job_id: id });
});

Deno.test("over HTTP a closed session kills its run_command job and leaves other jobs running", async () => {
  await using server = await HttpTestServer.start();
  const alice = await server.connect();
  const bob = await server.connect();
  const other = await alice.start("sleep 60");
  const task = await startTask(alice, "run_command", { command: "sleep 60" });
  const jobId = await jobOfTask(alice, task.taskId);
  await alice.transport.terminateSession();
  const status = await bob.waitForEnd(jobId);
  assert.equal(status.kill_reason, "user");
  await waitUntilGone(status.pid as number);
  const untouched = await bob.ok("get_job_status", { job_id: other });
  assert.equal(untouched.status, "running");
  await bob.ok("kill_job", { job_id: other });
  await waitUntilGone(untouched.pid as number);
});

Deno.test("a task goes when the job its result describes is dropped from the table", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_CLEANUP_INTERVAL: "10" } });
  const id = await server.start("echo done");
  await server.waitForEnd(id);
  // Created well after the job ended, the task's own ttl (10 s from its end) outlasts the job.
  await delay(4000);
  const task = await startTask(server, "wait_for_job", { job_id: id });
  assert.equal(task.ttl, 10_000);
  assert.equal((await taskResult(server, task.taskId)).data.reason, "exited");
  for (let i = 0; i < 200; i++) {
    const status = await server.call("get_job_status", { job_id: id });
    if (status.isError) break;
    await delay(100);
  }
  assert.equal((await server.call("get_job_status", { job_id: id })).text, `Job ${id} not found`);
  await assert.rejects(server.client.experimental.tasks.getTask(task.taskId), /not found/i);
});
