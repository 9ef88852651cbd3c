import assert from "node:assert/strict";
import { TestServer, type ToolClient } from "../../helpers/mcp_client.ts";
import { HttpTestServer } from "../../helpers/http_server.ts";
import { RawStdioServer } from "../../helpers/raw_stdio.ts";

interface Waited {
  reason: string;
  match: { stream: string; line: number; text: string } | null;
}

/**
 * Fifty waiters scan a million held lines and go on waiting; three status calls are answered
 * meanwhile. The waiters' line is printed only once the test has had those answers, so no waiter
 * can end first, however the machine schedules them.
 */
async function answeredWhileWaitersWait(client: ToolClient): Promise<void> {
  const id = await client.start(`sh -c 'seq 1 1000000; read line; echo "$line"'`);
  await client.ok("wait_for_job", { job_id: id, pattern: "^1000000$", timeout: 60 });
  let answered = 0;
  const waits = Array.from({ length: 50 }, async () => {
    const outcome = await client.ok<Waited>("wait_for_job", {
      job_id: id,
      pattern: "^released$",
      timeout: 60,
    });
    answered++;
    return outcome;
  });
  for (let call = 0; call < 3; call++) {
    const status = await client.ok<{ status: string }>("get_job_status", { job_id: id });
    assert.equal(status.status, "running");
  }
  assert.equal(answered, 0, "a waiter ended before its line was printed");
  await client.ok("interact_with_job", { job_id: id, input: "released" });
  for (const outcome of await Promise.all(waits)) {
    assert.equal(outcome.reason, "matched");
    // Past the million held lines: each waiter tested all of them first.
    assert.deepEqual(outcome.match, { stream: "stdout", line: 1_000_001, text: "released" });
  }
}

Deno.test("other calls are answered while many waiters wait on a big output, over stdio", async () => {
  await using server = await TestServer.start();
  await answeredWhileWaitersWait(server);
});

Deno.test("other calls are answered while many waiters wait on a big output, over HTTP", async () => {
  await using server = await HttpTestServer.start();
  await answeredWhileWaitersWait(await server.connect());
});

Deno.test("status calls sent with fifty waiters are answered before the waiters' scan of a million lines ends", async () => {
  await using server = await RawStdioServer.start({ MCP_BG_CONTAINMENT: "off" });
  const started = await server.callTool("execute_command", { command: "seq 1 1000000" });
  const id = started.result.structuredContent.job_id;
  await server.callTool("wait_for_job", { job_id: id, timeout: 60 });
  // Each waiter wants the last line, so its answer comes only when the scan is over. One write
  // carries every request, so the server has them all before it starts scanning.
  const waiters = Array.from({ length: 50 }, () => ({
    name: "wait_for_job",
    arguments: { job_id: id, pattern: "^1000000$", timeout: 60 },
  }));
  const statuses = Array.from({ length: 3 }, () => ({
    name: "get_job_status",
    arguments: { job_id: id },
  }));
  const replies = await server.callToolsTogether([...waiters, ...statuses]);
  const firstWaiterAnswer = replies.findIndex((reply) => reply.call < waiters.length);
  const lastStatusAnswer = replies.findLastIndex((reply) => reply.call >= waiters.length);
  assert.ok(
    lastStatusAnswer < firstWaiterAnswer,
    `answers in order of calls: ${replies.map((reply) => reply.call).join(" ")}`,
  );
  for (const { reply } of replies) {
    assert.ok(reply.result && !reply.result.isError, JSON.stringify(reply));
  }
  for (const { reply } of replies.filter(({ call }) => call < waiters.length)) {
    assert.equal(reply.result.structuredContent.match.line, 1_000_000);
  }
});
