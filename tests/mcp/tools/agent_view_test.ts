import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";
import { DEFAULT_MAX_BYTES } from "../../../lib/mcp/output_view.ts";

interface Output {
  stdout: string;
  stderr: string;
  stdout_cursor?: number;
  stdout_truncated?: boolean;
}

// Both streams at the budget, plus markers and the other fields of a result.
const RESULT_BUDGET = 2 * DEFAULT_MAX_BYTES + 1024;
const encoder = new TextEncoder();
const bytesOf = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

function assertWithinBudget(name: string, result: unknown): void {
  const size = bytesOf(result);
  assert.ok(size <= RESULT_BUDGET, `${name}: ${size} bytes, over the ${RESULT_BUDGET}-byte budget`);
}

Deno.test("a 3 MB single line: every result stays within the budget, cut with a marker and a cursor", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    `python3 -c "import sys; sys.stdout.write('a' * 3000000 + 'END' + chr(10))"`,
  );
  await server.waitForEnd(id, 60_000);
  const total = 3_000_004;
  const marker = (shown: number) =>
    `[… ${(total - shown).toLocaleString("en-US")} bytes not shown; ` +
    "read_job_output with stdout_cursor 0 gets them]\n";
  const whole = await server.ok<Output>("get_job_output", { job_id: id });
  assertWithinBudget("get_job_output", whole);
  assert.equal(
    whole.stdout,
    marker(DEFAULT_MAX_BYTES) + "a".repeat(DEFAULT_MAX_BYTES - 4) + "END\n",
  );
  assert.equal(whole.stdout_truncated, true);
  for (
    const [name, args] of [
      ["tail_job_output", { job_id: id, lines: 1 }],
      ["read_job_output", { job_id: id, lines: 1 }],
    ] as const
  ) {
    const result = await server.ok<Output>(name, args);
    assertWithinBudget(name, result);
    assert.equal(result.stdout, whole.stdout, name);
  }
  const resource = await server.client.readResource({ uri: `job://${id}/stdout` });
  assertWithinBudget("resources/read", resource);
  const match = await server.ok("wait_for_job", { job_id: id, pattern: "^a+", timeout: 30 });
  assertWithinBudget("wait_for_job", match);
  // The marker's cursor gets the rest, a budget at a time.
  const first = await server.ok<Output>("read_job_output", { job_id: id, stdout_cursor: 0 });
  assertWithinBudget("read_job_output from a cursor", first);
  assert.equal(first.stdout, "a".repeat(DEFAULT_MAX_BYTES));
  assert.equal(first.stdout_cursor, DEFAULT_MAX_BYTES);
  const bigger = await server.ok<Output>("get_job_output", { job_id: id, max_bytes: 100_000 });
  assert.equal(bigger.stdout, marker(100_000) + "a".repeat(100_000 - 4) + "END\n");
});

Deno.test("a \\r progress bar is shown in its last state, lines counted as a person sees them", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    `sh -c 'echo start; for i in 10 20 30 40 50 60 70 80 90 100; do printf "\\rdownloading %3d%%" $i; done; printf "\\ndone\\n"'`,
  );
  await server.waitForEnd(id);
  const output = await server.ok<Output>("get_job_output", { job_id: id });
  assert.equal(output.stdout, "start\ndownloading 100%\ndone\n");
  const tail = await server.ok<Output>("tail_job_output", { job_id: id, lines: 2 });
  assert.equal(tail.stdout, "downloading 100%\ndone\n");
  const read = await server.ok<Output>("read_job_output", { job_id: id, lines: 2 });
  assert.match(read.stdout, /\ndownloading 100%\ndone\n$/);
  const raw = await server.ok<Output>("get_job_output", { job_id: id, raw: true });
  assert.equal(raw.stdout.split("\r").length, 11);
  assert.ok(raw.stdout.includes("\rdownloading  10%\rdownloading  20%"));
  const status = await server.ok("get_job_status", { job_id: id });
  assert.equal(status.stdout_last_line, "done");
});

Deno.test("coloured output is plain text unless raw is asked for", async () => {
  await using server = await TestServer.start();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/subdir`);
    await Deno.writeTextFile(`${dir}/script.sh`, "echo hi\n", { mode: 0o755 });
    // Recent GNU ls colours only for a TERM it knows, even with --color=always.
    const { job_id: ls } = await server.ok<{ job_id: string }>("execute_command", {
      command: `ls --color=always ${dir}`,
      env: { TERM: "xterm-256color" },
    });
    const red = await server.start(`printf '\\033[31mred\\033[0m\\n\\033]0;title\\007plain\\n'`);
    await server.waitForEnd(ls);
    await server.waitForEnd(red);
    const listing = await server.ok<Output>("get_job_output", { job_id: ls });
    assert.equal(listing.stdout, "script.sh\nsubdir\n");
    const rawListing = await server.ok<Output>("get_job_output", { job_id: ls, raw: true });
    assert.ok(rawListing.stdout.includes("\x1b["), "raw output keeps the escape codes");
    const output = await server.ok<Output>("get_job_output", { job_id: red });
    assert.equal(output.stdout, "red\nplain\n");
    for (const name of ["tail_job_output", "read_job_output"]) {
      assert.equal((await server.ok<Output>(name, { job_id: red })).stdout, "red\nplain\n", name);
    }
    const raw = await server.ok<Output>("read_job_output", { job_id: red, raw: true });
    assert.equal(raw.stdout, "\x1b[31mred\x1b[0m\n\x1b]0;title\x07plain\n");
    // Patterns see the line as a person does: anchors work on coloured output.
    const matched = await server.ok<{ match: { text: string } }>("wait_for_job", {
      job_id: red,
      pattern: "^red$",
      timeout: 5,
    });
    assert.equal(matched.match.text, "red");
    const filtered = await server.ok<Output>("read_job_output", { job_id: red, filter: "^red$" });
    assert.equal(filtered.stdout, "1: red\n");
    const resource = await server.client.readResource({ uri: `job://${red}/stdout` });
    assert.equal((resource.contents[0] as { text: string }).text, "red\nplain\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("execute_command with a name and if_running reuse returns the running job instead of a second", async () => {
  await using server = await TestServer.start();
  const start = (args: Record<string, unknown>) =>
    server.ok<{ job_id: string; reused?: boolean }>("execute_command", {
      command: "sleep 60",
      name: "dev server",
      ...args,
    });
  const first = await start({ if_running: "reuse" });
  assert.deepEqual(Object.keys(first), ["job_id"]);
  const again = await start({ if_running: "reuse" });
  assert.deepEqual(again, { job_id: first.job_id, reused: true });
  const { jobs } = await server.ok<{ jobs: unknown[] }>("list_jobs");
  assert.equal(jobs.length, 1);
  // Without reuse a second copy starts, as before; reuse then finds the newest.
  const second = await start({});
  assert.notEqual(second.job_id, first.job_id);
  assert.equal((await start({ if_running: "reuse" })).job_id, second.job_id);
  // Once the named jobs have ended, reuse starts a fresh one.
  await server.ok("kill_job", { job_id: first.job_id });
  await server.ok("kill_job", { job_id: second.job_id });
  const fresh = await start({ if_running: "reuse" });
  assert.equal(fresh.reused, undefined);
  assert.ok(![first.job_id, second.job_id].includes(fresh.job_id));
  const unnamed = await server.call("execute_command", { command: "true", if_running: "reuse" });
  assert.equal(unnamed.isError, true);
  assert.match(unnamed.text, /^Invalid if_running: "reuse" needs a name/);
  await server.ok("kill_job", { job_id: fresh.job_id });
});

Deno.test("interact_with_job answers a 3 MB reply within the budget, newest kept, with the cursor of the rest", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    // Python is running before the input, so the answer does not race its start-up.
    `sh -c "python3 -c \\"import sys; print('ready', flush=True); sys.stdin.readline(); ` +
      `print('b' * 3000000)\\"; read y"`,
  );
  await server.ok("wait_for_job", { job_id: id, pattern: "ready", timeout: 30 });
  const answer = await server.ok<Output>("interact_with_job", { job_id: id, input: "go" });
  assertWithinBudget("interact_with_job", answer);
  // The answer starts after "ready\n" (6 bytes): that is where the left-out part begins.
  const skipped = 3_000_001 - DEFAULT_MAX_BYTES;
  assert.equal(
    answer.stdout,
    `[… ${skipped.toLocaleString("en-US")} bytes not shown; read_job_output with stdout_cursor 6 ` +
      `gets them]\n${"b".repeat(DEFAULT_MAX_BYTES - 1)}\n`,
  );
  await server.ok("kill_job", { job_id: id });
});
