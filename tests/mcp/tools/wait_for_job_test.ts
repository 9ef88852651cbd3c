import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";
import { waitUntilGone } from "../../helpers/processes.ts";
import { JobManager } from "../../../lib/jobs/job_table.ts";
import { loadConfig } from "../../../lib/settings/config.ts";
import { waitForJob } from "../../../lib/jobs/waiting.ts";

interface WaitResult {
  reason: string;
  match: { stream: string; line: number; text: string } | null;
  stdout_cursor: number;
  stderr_cursor: number;
  status: string;
  exit_code: number | null;
  pid: number;
}

Deno.test("wait_for_job ends on a line a program prints after a delay", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    `sh -c "echo starting; sleep 1; echo listening on port 4321 >&2; sleep 60"`,
  );
  const result = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "listening on port \\d+",
    timeout: 50,
  });
  assert.equal(result.reason, "matched");
  assert.deepEqual(result.match, { stream: "stderr", line: 1, text: "listening on port 4321" });
  assert.equal(result.status, "running");
  assert.equal(result.stderr_cursor, "listening on port 4321\n".length);
  // Waiting again from the returned cursors does not find the same line again.
  const again = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "listening",
    stderr_cursor: result.stderr_cursor,
    stdout_cursor: result.stdout_cursor,
    timeout: 0.5,
  });
  assert.equal(again.reason, "timeout");
  assert.equal(again.match, null);
  await server.ok("kill_job", { job_id: id });
  await waitUntilGone(result.pid);
});

Deno.test("wait_for_job matches a line printed before the call", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo one; echo ready now; echo three; sleep 60"`);
  const result = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "^ready",
    timeout: 30,
  });
  assert.equal(result.reason, "matched");
  assert.deepEqual(result.match, { stream: "stdout", line: 2, text: "ready now" });
  assert.equal(result.stdout_cursor, "one\nready now\n".length);
  await server.ok("kill_job", { job_id: id });
});

Deno.test("wait_for_job matches a prompt that ends without a newline", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "printf 'Name? '; read name; echo hi $name"`);
  const result = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "\\? $",
    timeout: 30,
  });
  assert.equal(result.reason, "matched");
  assert.equal(result.match?.text, "Name? ");
  await server.ok("kill_job", { job_id: id });
});

Deno.test("wait_for_job times out and says so while the job keeps running", async () => {
  await using server = await TestServer.start();
  const id = await server.start("sleep 60");
  const result = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "never printed",
    timeout: 1,
  });
  assert.equal(result.reason, "timeout");
  assert.equal(result.match, null);
  assert.equal(result.status, "running");
  await server.ok("kill_job", { job_id: id });
  await waitUntilGone(result.pid);
});

Deno.test("wait_for_job without a pattern reports the exit", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "sleep 0.3; echo bye; exit 3"`);
  const result = await server.ok<WaitResult>("wait_for_job", { job_id: id, timeout: 30 });
  assert.equal(result.reason, "exited");
  assert.equal(result.status, "failed");
  assert.equal(result.exit_code, 3);
});

Deno.test("wait_for_job refuses an invalid pattern and a timeout over the maximum", async () => {
  await using server = await TestServer.start();
  const id = await server.start("sleep 60");
  const bad = await server.call("wait_for_job", { job_id: id, pattern: "([a-z" });
  assert.equal(bad.isError, true);
  assert.match(bad.text, /^Invalid pattern "\(\[a-z": /);
  const long = await server.call("wait_for_job", { job_id: id, timeout: 61 });
  assert.equal(long.isError, true);
  const missing = await server.call("wait_for_job", { job_id: "nope" });
  assert.equal(missing.text, "Job nope not found");
  await server.ok("kill_job", { job_id: id });
});

Deno.test("wait_for_job sends progress notifications when the client asks", async () => {
  await using server = await TestServer.start();
  const id = await server.start("sleep 60");
  const progress: { progress: number; total?: number; message?: string }[] = [];
  const result = await server.call<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "never",
    timeout: 2.5,
  }, { onprogress: (update) => progress.push(update) });
  assert.equal(result.data.reason, "timeout");
  assert.ok(progress.length >= 1, `expected progress notifications, got ${progress.length}`);
  assert.equal(progress[0]!.total, 2.5);
  assert.match(progress[0]!.message ?? "", /^waiting for \/never\//);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i]!.progress > progress[i - 1]!.progress, "progress must increase");
  }
  await server.ok("kill_job", { job_id: id });
});

Deno.test("wait_for_job ends when the client cancels the request", async () => {
  await using server = await TestServer.start();
  const id = await server.start("sleep 60");
  const controller = new AbortController();
  const waiting = server.call("wait_for_job", { job_id: id, pattern: "never", timeout: 60 }, {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error("test cancels")), 300);
  await assert.rejects(waiting, /test cancels/);
  // The server keeps serving, and the job is untouched by the cancelled wait.
  const status = await server.ok("get_job_status", { job_id: id });
  assert.equal(status.status, "running");
  await server.ok("kill_job", { job_id: id });
});

Deno.test("waitForJob stops listening as soon as its signal aborts", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    const job = manager.start("sleep 60");
    const controller = new AbortController();
    const waiting = waitForJob(job, {
      pattern: /never/,
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const outcome = await waiting;
    assert.equal(outcome.reason, "cancelled");
    assert.equal(job.status, "running");
  } finally {
    await manager.shutdown();
  }
});

Deno.test("waitForJob reads each byte of a long line without a newline about once, not once per chunk", async () => {
  const manager = new JobManager(loadConfig({ MCP_BG_MAX_OUTPUT_SIZE: "64MB" }, Deno.cwd()));
  await manager.ready();
  try {
    const total = 20_000_000;
    const job = manager.start(`sh -c "head -c ${total} /dev/zero | tr '\\\\0' x; echo; sleep 60"`);
    // Count the bytes the scan copies out of the buffer (the buffer itself is untouched).
    let copied = 0;
    const read = job.stdout.read.bind(job.stdout);
    job.stdout.read = (from?: number, to?: number) => {
      const range = read(from, to);
      copied += range.bytes.length;
      return range;
    };
    const outcome = await waitForJob(job, { pattern: /^x{1000}/, timeoutMs: 60_000 });
    assert.equal(outcome.reason, "matched");
    assert.equal(outcome.match?.text.length, 1001); // cut to 1000 characters and an ellipsis
    assert.ok(copied < 3 * total, `the scan copied ${copied} bytes for a ${total}-byte line`);
  } finally {
    await manager.shutdown();
  }
});

Deno.test("wait_for_job leaves the cursor of a stream it did not scan where it was", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo err >&2; echo ready; sleep 60"`);
  const result = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "ready",
    stream: "stdout",
    timeout: 30,
  });
  assert.equal(result.reason, "matched");
  assert.equal(result.stdout_cursor, "ready\n".length);
  assert.equal(result.stderr_cursor, 0);
  const passed = await server.ok<WaitResult>("wait_for_job", {
    job_id: id,
    pattern: "ready",
    stream: "stdout",
    stderr_cursor: 3,
    timeout: 0.2,
  });
  assert.equal(passed.stderr_cursor, 3);
  await server.ok("kill_job", { job_id: id });
  await waitUntilGone(result.pid);
});
