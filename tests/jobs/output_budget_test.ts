import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { residentBytes } from "../helpers/processes.ts";

interface Status {
  status: string;
  stdout_bytes: number;
  stdout_dropped_bytes: number;
  stderr_dropped_bytes: number;
  output_dropped: boolean;
}

const KB = 1024;

/** Starts a job printing `bytes` bytes to stdout (and one line to stderr) and waits for its end. */
async function finishedJob(server: TestServer, bytes: number): Promise<string> {
  const id = await server.start(`sh -c 'head -c ${bytes} /dev/zero; echo err >&2'`);
  await server.waitForEnd(id);
  return id;
}

Deno.test("past MCP_BG_MAX_HELD_OUTPUT the oldest finished jobs' output is dropped first, and said so", async () => {
  await using server = await TestServer.start({
    env: { MCP_BG_MAX_OUTPUT_SIZE: "64KB", MCP_BG_MAX_HELD_OUTPUT: "100KB" },
  });
  const status = (id: string) => server.ok<Status>("get_job_status", { job_id: id });
  const first = await finishedJob(server, 40 * KB);
  const second = await finishedJob(server, 40 * KB);
  assert.equal((await status(first)).output_dropped, false);
  // A third pushes the total past 100 KiB: the first (oldest) goes, the others stay whole.
  const third = await finishedJob(server, 40 * KB);
  const dropped = await status(first);
  assert.equal(dropped.output_dropped, true);
  assert.equal(dropped.stdout_bytes, 40 * KB);
  assert.equal(dropped.stdout_dropped_bytes, 40 * KB);
  assert.equal(dropped.stderr_dropped_bytes, 4);
  for (const id of [second, third]) {
    const kept = await status(id);
    assert.equal(kept.output_dropped, false);
    assert.equal(kept.stdout_dropped_bytes, 0);
    const output = await server.ok<{ stdout: string }>("get_job_output", {
      job_id: id,
      max_bytes: 40 * KB,
      raw: true,
    });
    assert.equal(output.stdout.length, 40 * KB);
  }
  // The dropped job still answers every read, with nothing held and the loss counted.
  const output = await server.ok<{ stdout: string; stderr: string; stdout_dropped_bytes: number }>(
    "get_job_output",
    { job_id: first },
  );
  assert.deepEqual([output.stdout, output.stderr, output.stdout_dropped_bytes], ["", "", 40 * KB]);
  const read = await server.ok<{ stdout: string; stdout_cursor: number }>("read_job_output", {
    job_id: first,
  });
  assert.deepEqual([read.stdout, read.stdout_cursor], ["", 40 * KB]);
  // A running job is never trimmed, and jobs with little output never push anything out.
  const running = await server.start("sh -c 'head -c 50000 /dev/zero; read x'");
  await server.waitForOutput(running, ({ stdout }) => stdout.length === 50000);
  const small = await finishedJob(server, 10);
  assert.equal((await status(small)).output_dropped, false);
  assert.equal((await status(second)).output_dropped, false);
  assert.equal((await status(running)).output_dropped, false);
  await server.ok("kill_job", { job_id: running });
  // Ending, it goes past the budget with the others: the oldest still holding output go first.
  assert.equal((await status(second)).output_dropped, true);
  assert.equal((await status(third)).output_dropped, false);
  assert.equal((await status(small)).output_dropped, false);
  assert.equal((await status(running)).output_dropped, false);
});

Deno.test("finished jobs' output stays within the budget in the server's memory", async () => {
  const size = 4 * 1024 * KB;
  await using server = await TestServer.start({
    env: { MCP_BG_MAX_OUTPUT_SIZE: "4MB", MCP_BG_MAX_HELD_OUTPUT: "9MB" },
  });
  await finishedJob(server, size);
  const before = residentBytes(server.pid);
  // 48 jobs of 4 MiB: 192 MiB held without a budget (measured: the server grew by 204 MiB),
  // two jobs' worth with it (grew by about 62 MiB: the rest is garbage the GC has yet to free).
  const ids = [];
  for (let i = 0; i < 48; i++) ids.push(await finishedJob(server, size));
  const grown = residentBytes(server.pid) - before;
  const statuses = await Promise.all(
    ids.map((id) => server.ok<Status>("get_job_status", { job_id: id })),
  );
  assert.deepEqual(
    statuses.map((status) => status.output_dropped),
    ids.map((_, i) => i < ids.length - 2),
  );
  assert.ok(grown < 120 * 1024 * KB, `server grew by ${Math.round(grown / 1024 / KB)} MiB`);
});
