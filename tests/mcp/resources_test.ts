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
  // The job waits for a line on stdin, so the subscription is in place before any output.
  const id = await server.start(
    `sh -c 'read go; for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.3; done'`,
  );
  const stdout = `job://${id}/stdout`;
  const status = `job://${id}/status`;
  await server.client.subscribeResource({ uri: stdout });
  await server.client.subscribeResource({ uri: status });
  await server.ok("interact_with_job", { job_id: id, input: "go" });

  const first = await log.waitFor(UPDATED, (n) => n.params.uri === stdout);
  const partial = await readText(server, stdout);
  assert.match(partial, /^tick 1\n/);
  const running = JSON.parse(await readText(server, status));
  assert.equal(running.job_id, id);

  await server.waitForEnd(id);
  // The end is announced on the status resource; reading it then shows the final state.
  await log.waitFor(UPDATED, (n) => n.params.uri === status && n.at >= first.at);
  let ended = JSON.parse(await readText(server, status));
  for (let i = 0; ended.status === "running" && i < 100; i++) {
    await log.waitFor(UPDATED, (n) => n.params.uri === status);
    ended = JSON.parse(await readText(server, status));
  }
  assert.equal(ended.status, "completed");
  assert.equal(await readText(server, stdout), "tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\n");
  const updates = log.of(UPDATED, (n) => n.params.uri === stdout);
  assert.ok(updates.length >= 2, `only ${updates.length} update(s) for a job writing six times`);
});

Deno.test("resources/updated is coalesced while a job writes fast", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  const id = await server.start(`sh -c 'read go; seq 1 400000'`);
  const uri = `job://${id}/stdout`;
  await server.client.subscribeResource({ uri });
  await server.client.callTool({
    name: "interact_with_job",
    arguments: { job_id: id, input: "go" },
  });
  await server.waitForEnd(id);
  // seq writes about 2.7 MB, read in dozens of chunks; each would be an update without throttling.
  const status = JSON.parse(await readText(server, `job://${id}/status`));
  assert.ok(status.stdout_bytes > 2_000_000);
  const updates: ReceivedNotification[] = [];
  for (let i = 0; i < 100 && updates.length === 0; i++) {
    updates.push(...log.of(UPDATED, (n) => n.params.uri === uri));
    if (updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const span = updates.at(-1)!.at - updates[0].at;
  // At most one per 250 ms, plus the immediate end notice and slack for delivery jitter.
  const bound = Math.floor(span / 250) + 4;
  assert.ok(updates.length <= bound, `${updates.length} updates in ${span} ms (bound ${bound})`);
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

  const id = await server.start("sh -c 'echo out; echo err >&2'");
  await log.waitFor(LIST_CHANGED);
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
  const id = await server.start("true");
  const uri = `job://${id}/status`;
  await server.client.subscribeResource({ uri });
  await log.waitFor(LIST_CHANGED);
  await server.waitForEnd(id);
  const before = log.of(LIST_CHANGED).length;
  await log.waitFor(LIST_CHANGED, () => log.of(LIST_CHANGED).length > before, 40_000);
  assert.deepEqual((await server.client.listResources()).resources, []);
  await assert.rejects(server.client.readResource({ uri }), /-32002.*not found/);
  await server.client.unsubscribeResource({ uri });
});

Deno.test("job lifecycle events arrive as log messages at the level the client set", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_JOB_TIMEOUT: "1" } });
  const log = new NotificationLog(server.client);
  const jobEvent = (id: string, event: string) => (n: ReceivedNotification) =>
    n.params.logger === "jobs" && n.params.data.job_id === id && n.params.data.event === event;

  await server.client.setLoggingLevel("info");
  const done = await server.start("true");
  const started = await log.waitFor(MESSAGE, jobEvent(done, "started"));
  assert.equal(started.params.level, "info");
  const completed = await log.waitFor(MESSAGE, jobEvent(done, "completed"));
  assert.equal(completed.params.level, "info");
  assert.equal(completed.params.data.status, "completed");

  const killed = await server.start("sleep 30");
  await server.ok("kill_job", { job_id: killed });
  const killedMessage = await log.waitFor(MESSAGE, jobEvent(killed, "killed"));
  assert.equal(killedMessage.params.level, "notice");
  assert.equal(killedMessage.params.data.kill_reason, "user");

  // At "warning", info messages stop; failures and timeouts still arrive.
  await server.client.setLoggingLevel("warning");
  const quiet = await server.start("true");
  const failed = await server.start("sh -c 'exit 3'");
  const slow = await server.start("sleep 30");
  const failedMessage = await log.waitFor(MESSAGE, jobEvent(failed, "failed"));
  assert.equal(failedMessage.params.level, "warning");
  assert.match(failedMessage.params.data.message, /exit code 3/);
  const timedOut = await log.waitFor(MESSAGE, jobEvent(slow, "timed_out"));
  assert.equal(timedOut.params.level, "warning");
  await server.waitForEnd(quiet);
  assert.deepEqual(log.of(MESSAGE, (n) => n.params.data.job_id === quiet), []);
});

Deno.test("a client that never called logging/setLevel gets no log messages", async () => {
  await using server = await TestServer.start();
  const log = new NotificationLog(server.client);
  const quiet = await server.start("sh -c 'exit 3'");
  await server.waitForEnd(quiet);
  // The job's list_changed notification arrives after its log messages would have been sent.
  await log.waitFor(LIST_CHANGED);
  const killed = await server.start("sleep 30");
  await server.ok("kill_job", { job_id: killed });
  await server.waitForEnd(killed);
  assert.deepEqual(log.of(MESSAGE), []);

  await server.client.setLoggingLevel("debug");
  const loud = await server.start("true");
  await log.waitFor(MESSAGE, (n) => n.params.data.job_id === loud);
  assert.deepEqual(log.of(MESSAGE, (n) => n.params.data.job_id !== loud), []);
});
