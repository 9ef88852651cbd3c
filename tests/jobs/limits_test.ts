import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { memoryOf } from "../helpers/processes.ts";

interface Output {
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stdout_dropped_bytes: number;
}

Deno.test("the job limit refuses a job while every slot is taken and frees slots as jobs end", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_JOBS: "2" } });
  const first = await server.start("head -n 1");
  const second = await server.start("head -n 1");
  const refused = await server.call("execute_command", { command: "echo third" });
  assert.equal(refused.isError, true);
  assert.equal(refused.text, "Job limit reached: Maximum concurrent jobs limit (2) reached");

  // A job that finishes on its own frees its slot.
  assert.deepEqual(await server.ok("interact_with_job", { job_id: first, input: "bye" }), {
    stdout: "bye\n",
    stderr: "",
  });
  await server.waitForEnd(first);
  const third = await server.start("head -n 1");
  assert.equal((await server.call("execute_command", { command: "true" })).isError, true);

  // A killed job frees its slot too.
  await server.ok("kill_job", { job_id: second });
  const fourth = await server.start("echo fourth");
  await server.waitForEnd(fourth);
  assert.equal((await server.ok("get_job_output", { job_id: fourth })).stdout, "fourth\n");
  await server.ok("kill_job", { job_id: third });
  // Finished jobs are still listed but hold no slot.
  const { jobs } = await server.ok<{ jobs: unknown[] }>("list_jobs");
  assert.equal(jobs.length, 4);
  const fifth = await server.start("true");
  const sixth = await server.start("true");
  await server.waitForEnd(fifth);
  await server.waitForEnd(sixth);
});

Deno.test("40 jobs started at once all complete with their own output", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_JOBS: "50" } });
  const count = 40;
  const ids = await Promise.all(
    Array.from(
      { length: count },
      (_, i) => server.start(`sh -c "echo out-${i}; echo err-${i} >&2; exit ${i % 3}"`),
    ),
  );
  assert.equal(new Set(ids).size, count);
  const statuses = await Promise.all(ids.map((id) => server.waitForEnd(id, 60_000)));
  const outputs = await Promise.all(
    ids.map((id) => server.ok<Output>("get_job_output", { job_id: id })),
  );
  for (let i = 0; i < count; i++) {
    assert.equal(statuses[i]!.exit_code, i % 3);
    assert.equal(statuses[i]!.status, i % 3 === 0 ? "completed" : "failed");
    assert.equal(outputs[i]!.stdout, `out-${i}\n`);
    assert.equal(outputs[i]!.stderr, `err-${i}\n`);
  }
  const { jobs } = await server.ok<{ jobs: { job_id: string }[] }>("list_jobs");
  assert.equal(jobs.length, count);
});

Deno.test("MCP_BG_MAX_OUTPUT_SIZE keeps the newest bytes of a 50 MB flood", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_OUTPUT_SIZE: "1KB" } });
  const total = 50_000_000;
  const id = await server.start(`sh -c "head -c ${total} /dev/zero; echo END-MARKER"`);
  const status = await server.waitForEnd(id, 120_000);
  assert.equal(status.status, "completed");
  const written = total + "END-MARKER\n".length;
  assert.equal(status.stdout_bytes, written);
  assert.equal(status.stdout_dropped_bytes, written - 1024);
  const output = await server.ok<Output>("get_job_output", { job_id: id, raw: true });
  assert.equal(output.stdout.length, 1024);
  assert.equal(output.stdout, "\0".repeat(1024 - 11) + "END-MARKER\n");
  assert.equal(output.stdout_truncated, true);
  assert.equal(output.stdout_dropped_bytes, written - 1024);
  const tail = await server.ok("tail_job_output", { job_id: id, lines: 1, raw: true });
  // No newline among the zeros: the whole held kilobyte is one (cut) line.
  assert.deepEqual(tail, { stdout: output.stdout, stderr: "" });
  // As a person would see it, NUL bytes are nothing.
  const clean = await server.ok<Output>("get_job_output", { job_id: id });
  assert.equal(clean.stdout, "END-MARKER\n");
});

Deno.test("the server's memory stays bounded while a job floods 300 MB", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_OUTPUT_SIZE: "1KB" } });
  const total = 300_000_000;
  const id = await server.start(`head -c ${total} /dev/zero`);
  const status = await server.waitForEnd(id, 120_000);
  // The kernel's high-water mark of the server's RSS: a spike between two samples counts too.
  const peak = memoryOf(server.pid).hwm;
  assert.equal(status.status, "completed");
  assert.equal(status.stdout_bytes, total);
  assert.ok(peak < 200 * 1024 * 1024, `server RSS peaked at ${peak} bytes`);
});

Deno.test("a single line of 8 MB keeps its newest bytes under a 1 MB cap", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_OUTPUT_SIZE: "1MB" } });
  const id = await server.start(
    `python3 -c "import sys; sys.stdout.write('x' * 8000000 + 'END')"`,
  );
  const status = await server.waitForEnd(id, 60_000);
  assert.equal(status.status, "completed");
  assert.equal(status.stdout_bytes, 8_000_003);
  const cap = 1024 * 1024;
  const expected = "x".repeat(cap - 3) + "END";
  const output = await server.ok<Output>("get_job_output", { job_id: id, max_bytes: cap });
  assert.equal(output.stdout, expected);
  const tail = await server.ok<Output>("tail_job_output", { job_id: id, lines: 1, max_bytes: cap });
  assert.equal(tail.stdout, expected);
  // By default both answer the newest 16 KiB of the line, and say where the rest is.
  const marker =
    "[… 1,032,192 bytes not shown; read_job_output with stdout_cursor 6951427 gets them]\n";
  const bounded = marker + "x".repeat(16 * 1024 - 3) + "END";
  assert.equal((await server.ok<Output>("get_job_output", { job_id: id })).stdout, bounded);
  const tailed = await server.ok<Output>("tail_job_output", { job_id: id, lines: 1 });
  assert.equal(tailed.stdout, bounded);
});

Deno.test("output that is not valid UTF-8 is decoded with replacement characters", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    `sh -c "printf 'ok\\377\\376\\n' >&2; printf '\\303\\050 tail\\342'"`,
  );
  await server.waitForEnd(id);
  const output = await server.ok<Output>("get_job_output", { job_id: id });
  assert.equal(output.stderr, "ok\uFFFD\uFFFD\n");
  assert.equal(output.stdout, "\uFFFD( tail\uFFFD");
  assert.deepEqual(await server.ok("tail_job_output", { job_id: id, lines: 1 }), {
    stdout: "\uFFFD( tail\uFFFD",
    stderr: "ok\uFFFD\uFFFD\n",
  });
  const status = await server.ok("get_job_status", { job_id: id });
  assert.equal(status.stdout_bytes, 8);
  assert.equal(status.stderr_bytes, 5);
});

Deno.test("output too large for one result is refused with a hint, and the server keeps serving", async () => {
  // 50 MB of NUL bytes is 300 M characters of JSON ("\u0000" each): more than a result can carry.
  await using server = await TestServer.start({ env: { MCP_BG_MAX_OUTPUT_SIZE: "64MB" } });
  const other = await server.start("sleep 60");
  const id = await server.start("head -c 50000000 /dev/zero");
  assert.equal((await server.waitForEnd(id, 120_000)).status, "completed");
  const output = await server.call("get_job_output", {
    job_id: id,
    max_bytes: 50_000_000,
    raw: true,
  });
  assert.equal(output.isError, true);
  assert.match(output.text, /^Result too large: .*read_job_output/);
  // The default budget keeps both the result and a resource read small.
  const bounded = await server.ok("get_job_output", { job_id: id, raw: true });
  assert.match(bounded.stdout as string, /^\[… 49,983,616 bytes not shown; /);
  const resource = await server.client.readResource({ uri: `job://${id}/stdout` });
  const content = resource.contents[0] as { text: string };
  assert.match(content.text, /^\[… 49,983,616 bytes not shown; /);
  // Reading in pieces still works, and so does every other job.
  const piece = await server.ok("read_job_output", {
    job_id: id,
    max_bytes: 16,
    stream: "stdout",
    raw: true,
  });
  assert.equal(
    piece.stdout,
    "[… 49,999,984 bytes not shown; read_job_output with stdout_cursor 0 gets them]\n" +
      "\0".repeat(16),
  );
  assert.equal((await server.ok("get_job_status", { job_id: other })).status, "running");
  assert.equal((await server.ok("kill_job", { job_id: other })).status, "killed");
});
