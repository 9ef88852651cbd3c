import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { NotificationLog, type ReceivedNotification } from "../helpers/notifications.ts";

const UPDATED = "notifications/resources/updated";
const LIST_CHANGED = "notifications/resources/list_changed";
const MESSAGE = "notifications/message";

async function readText(server: TestServer, uri: string): Promise<string> {
  const { contents } = await server.client.readResource({ uri });
  return (contents[0] as { text: string }).text;
}

Deno.test("a subscribed stdio client gets resources/updated as a job writes and when it ends", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  // The job writes one line per line of input, so each update can be tied to the write before it.
  const id = await server.start(`sh -c 'read a; echo tick 1; read b; echo tick 2; read c'`);
  const stdout = `job://${id}/stdout`;
  const status = `job://${id}/status`;
  await server.client.subscribeResource({ uri: stdout });
  /** Sends `input` and waits for the first update of `uri` that follows it. */
  async function send(input: string, uri: string): Promise<void> {
    const from = log.mark();
    await server.ok("interact_with_job", { job_id: id, input });
    await log.waitFor(from, UPDATED, (n) => n.params.uri === uri);
  }

  await send("a", stdout);
  assert.equal(await readText(server, stdout), "tick 1\n");
  await send("b", stdout);
  assert.equal(await readText(server, stdout), "tick 1\ntick 2\n");
  assert.equal(JSON.parse(await readText(server, status)).status, "running");

  // Subscribed while the job is silent, the status resource's next update is the end itself.
  await server.client.subscribeResource({ uri: status });
  await send("c", status);
  assert.equal(JSON.parse(await readText(server, status)).status, "completed");
});

Deno.test("resources/updated is coalesced while a job writes fast", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  const id = await server.start(`sh -c 'read go; seq 1 400000'`);
  const uri = `job://${id}/stdout`;
  await server.client.subscribeResource({ uri });
  const from = log.mark();
  await server.ok("interact_with_job", { job_id: id, input: "go" });
  const ended = await server.waitForEnd(id);
  // The end is announced as the job ends, so before get_job_status could report it.
  await log.waitFor(from, UPDATED, (n) => n.params.uri === uri);
  // seq writes about 2.7 MB, read in dozens of chunks; each would be an update without throttling.
  assert.ok(Number(ended.stdout_bytes) > 2_000_000);
  const updates = log.of(UPDATED, (n) => n.params.uri === uri).length;
  // The server's own clock spaces updates 250 ms apart while the job runs; its end adds one
  // (timed by the server, so a client that reads late cannot bunch them up).
  const bound = Math.floor(Number(ended.duration_ms) / 250) + 2;
  assert.ok(updates <= bound, `${updates} updates for a job of ${ended.duration_ms} ms`);
  assert.ok(updates >= 2, `${updates} update(s): the first output and the end each announce one`);
});

Deno.test("resources/list lists each job's three resources and list_changed announces new jobs", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  const capabilities = server.client.getServerCapabilities();
  assert.equal(capabilities?.resources?.subscribe, true);
  assert.equal(capabilities?.resources?.listChanged, true);
  assert.ok(capabilities?.logging);

  const { resourceTemplates } = await server.client.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), [
    "job://{job_id}/status",
    "job://{job_id}/stderr",
    "job://{job_id}/stdout",
  ]);
  assert.deepEqual((await server.client.listResources()).resources, []);

  const from = log.mark();
  const id = await server.start("sh -c 'echo out; echo err >&2'");
  await log.waitFor(from, LIST_CHANGED);
  const { resources } = await server.client.listResources();
  assert.deepEqual(resources.map((r) => r.uri).sort(), [
    `job://${id}/status`,
    `job://${id}/stderr`,
    `job://${id}/stdout`,
  ]);
  await server.waitForEnd(id);
  assert.equal(await readText(server, `job://${id}/stdout`), "out\n");
  assert.equal(await readText(server, `job://${id}/stderr`), "err\n");
  await assert.rejects(
    server.client.readResource({ uri: "job://no-such-job/stdout" }),
    /-32002.*not found/,
  );
  await assert.rejects(
    server.client.subscribeResource({ uri: "job://no-such-job/status" }),
    /-32002.*not found/,
  );
});

Deno.test("list_changed announces a dropped job, whose resources are then gone", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_CLEANUP_INTERVAL: "10" } });
  const log = new NotificationLog(server.client);
  const added = log.mark();
  const id = await server.start("true");
  const uri = `job://${id}/status`;
  await server.client.subscribeResource({ uri });
  const announced = await log.waitFor(added, LIST_CHANGED);
  await server.waitForEnd(id);
  await log.waitFor(announced.index + 1, LIST_CHANGED, undefined, 40_000);
  assert.deepEqual((await server.client.listResources()).resources, []);
  await assert.rejects(server.client.readResource({ uri }), /-32002.*not found/);
  await server.client.unsubscribeResource({ uri });
});

Deno.test("job lifecycle events arrive as log messages at the level the client set", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  const jobEvent = (id: string, event: string) => (n: ReceivedNotification) =>
    n.params.logger === "jobs" && n.params.data.job_id === id && n.params.data.event === event;

  await server.client.setLoggingLevel("info");
  const done = await server.start("true");
  const started = await log.waitFor(0, MESSAGE, jobEvent(done, "started"));
  assert.equal(started.params.level, "info");
  const completed = await log.waitFor(0, MESSAGE, jobEvent(done, "completed"));
  assert.equal(completed.params.level, "info");
  assert.equal(completed.params.data.status, "completed");

  const killed = await server.start("sleep 30");
  await server.ok("kill_job", { job_id: killed });
  const killedMessage = await log.waitFor(0, MESSAGE, jobEvent(killed, "killed"));
  assert.equal(killedMessage.params.level, "notice");
  assert.equal(killedMessage.params.data.kill_reason, "user");

  // At "warning", info messages stop; failures and timeouts still arrive.
  await server.client.setLoggingLevel("warning");
  const quiet = await server.start("true");
  const failed = await server.start("sh -c 'exit 3'");
  // Only this job has a timeout: the one killed above must not race a timer.
  const slow = (await server.ok<{ job_id: string }>("execute_command", {
    command: "sleep 30",
    timeout: 1,
  })).job_id;
  const failedMessage = await log.waitFor(0, MESSAGE, jobEvent(failed, "failed"));
  assert.equal(failedMessage.params.level, "warning");
  assert.match(failedMessage.params.data.message, /exit code 3/);
  const timedOut = await log.waitFor(0, MESSAGE, jobEvent(slow, "timed_out"));
  assert.equal(timedOut.params.level, "warning");
  await server.waitForEnd(quiet);
  assert.deepEqual(log.of(MESSAGE, (n) => n.params.data.job_id === quiet), []);
});

Deno.test("a client that never called logging/setLevel gets no log messages", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  const from = log.mark();
  const quiet = await server.start("sh -c 'exit 3'");
  await server.waitForEnd(quiet);
  // The job's list_changed notification arrives after its log messages would have been sent.
  await log.waitFor(from, LIST_CHANGED);
  const killed = await server.start("sleep 30");
  await server.ok("kill_job", { job_id: killed });
  await server.waitForEnd(killed);
  assert.deepEqual(log.of(MESSAGE), []);

  await server.client.setLoggingLevel("debug");
  const loud = await server.start("true");
  await log.waitFor(0, MESSAGE, (n) => n.params.data.job_id === loud);
  assert.deepEqual(log.of(MESSAGE, (n) => n.params.data.job_id !== loud), []);
});
