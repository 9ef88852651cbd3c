import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";
import { RawStdioServer } from "../../helpers/raw_stdio.ts";
import {
  commandLineOf,
  delay,
  isAlive,
  killIfAlive,
  waitUntilGone,
  waitUntilReaped,
} from "../../helpers/processes.ts";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Status {
  job_id: string;
  status: string;
  command: string;
  started: string;
  ended: string | null;
  exit_code: number | null;
  signal: string | null;
  kill_reason: string | null;
  pid: number;
  duration_ms: number;
  stdout_bytes: number;
  stderr_bytes: number;
  stdout_dropped_bytes: number;
  stderr_dropped_bytes: number;
}

interface Output {
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  stdout_dropped_bytes: number;
  stderr_dropped_bytes: number;
}

Deno.test("get_job_status reports a failed job's exit code, byte counts and ISO times", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo out; echo error >&2; exit 3"`);
  await server.waitForEnd(id);
  const status = await server.ok<Status>("get_job_status", { job_id: id });
  assert.equal(status.job_id, id);
  assert.equal(status.status, "failed");
  assert.equal(status.exit_code, 3);
  assert.equal(status.signal, null);
  assert.equal(status.kill_reason, null);
  assert.equal(status.command, `sh -c "echo out; echo error >&2; exit 3"`);
  assert.ok(Number.isInteger(status.pid) && status.pid > 0);
  assert.match(status.started, ISO_UTC);
  assert.match(status.ended!, ISO_UTC);
  // The duration is the span between the two reported times, to the millisecond.
  assert.equal(status.duration_ms, Date.parse(status.ended!) - Date.parse(status.started));
  assert.equal(status.stdout_bytes, 4);
  assert.equal(status.stderr_bytes, 6);
  assert.equal(status.stdout_dropped_bytes, 0);
});

Deno.test("get_job_status reports completed with exit code 0", async () => {
  await using server = await TestServer.start();
  const id = await server.start("true");
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "completed");
  assert.equal(status.exit_code, 0);
  assert.equal(status.signal, null);
});

Deno.test("get_job_status of a running job has its real pid and no end", async () => {
  await using server = await TestServer.start();
  const id = await server.start("sleep 300");
  const status = await server.ok<Status>("get_job_status", { job_id: id });
  try {
    assert.equal(status.status, "running");
    assert.equal(status.ended, null);
    assert.equal(status.exit_code, null);
    // A job starts through setsid, which then becomes the program under the same pid.
    let [program, ...args] = commandLineOf(status.pid).split(" ");
    for (const deadline = Date.now() + 20_000; /(^|\/)setsid$/.test(program!);) {
      if (Date.now() > deadline) throw new Error(`pid ${status.pid} is still setsid`);
      await delay(20);
      [program, ...args] = commandLineOf(status.pid).split(" ");
    }
    assert.match(program!, /(^|\/)sleep$/);
    assert.deepEqual(args, ["300"]);
  } finally {
    await server.ok("kill_job", { job_id: id });
    await waitUntilGone(status.pid);
  }
});

Deno.test("a job ended by a signal nobody sent is failed with that signal", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "kill -KILL $$"`);
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "failed");
  assert.equal(status.signal, "SIGKILL");
  assert.equal(status.exit_code, null);
  assert.equal(status.kill_reason, null);
});

Deno.test("list_jobs lists every job newest first with its status", async () => {
  await using server = await TestServer.start();
  assert.deepEqual(await server.ok("list_jobs"), { jobs: [] });
  const first = await server.start("echo first");
  const second = await server.start("sleep 300");
  const third = await server.start("echo third");
  await server.waitForEnd(first);
  await server.waitForEnd(third);
  const { jobs } = await server.ok<{ jobs: Status[] }>("list_jobs");
  assert.deepEqual(jobs.map((job) => job.job_id), [third, second, first]);
  assert.deepEqual(jobs.map((job) => job.status), ["completed", "running", "completed"]);
  assert.deepEqual(jobs.map((job) => job.command), ["echo third", "sleep 300", "echo first"]);
  for (const job of jobs) assert.match(job.started, ISO_UTC);
  await server.ok("kill_job", { job_id: second });
});

Deno.test("get_job_output returns both streams with truncation fields", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo out; echo err >&2; printf 'no newline'"`);
  await server.waitForEnd(id);
  assert.deepEqual(await server.ok<Output>("get_job_output", { job_id: id }), {
    stdout: "out\nno newline",
    stderr: "err\n",
    stdout_truncated: false,
    stderr_truncated: false,
    stdout_dropped_bytes: 0,
    stderr_dropped_bytes: 0,
  });
});

Deno.test("get_job_output reads a running job's output so far", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo started; exec sleep 300"`);
  const output = await server.waitForOutput(id, ({ stdout }) => stdout === "started\n");
  assert.equal(output.stderr, "");
  assert.equal((await server.ok<Status>("get_job_status", { job_id: id })).status, "running");
  await server.ok("kill_job", { job_id: id });
});

Deno.test("tail_job_output returns the last lines of each stream, 50 by default", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "seq 1 100; seq 1 5 >&2; printf last"`);
  await server.waitForEnd(id);
  const lines = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join("");
  const byDefault = await server.ok("tail_job_output", { job_id: id });
  assert.deepEqual(byDefault, { stdout: lines(52, 100) + "last", stderr: lines(1, 5) });
  assert.deepEqual(await server.ok("tail_job_output", { job_id: id, lines: 3 }), {
    stdout: "99\n100\nlast",
    stderr: "3\n4\n5\n",
  });
  assert.deepEqual(await server.ok("tail_job_output", { job_id: id, lines: 1 }), {
    stdout: "last",
    stderr: "5\n",
  });
  assert.deepEqual(await server.ok("tail_job_output", { job_id: id, lines: 1000 }), {
    stdout: lines(1, 100) + "last",
    stderr: lines(1, 5),
  });
});

Deno.test("interact_with_job runs the seed README example with python3 -i", async () => {
  await using server = await TestServer.start();
  const id = await server.start("python3 -i");
  // Python prints its first prompt to stderr once it is ready to read.
  await server.waitForOutput(id, ({ stderr }) => stderr.includes(">>> "), 30_000);
  const answer = await server.ok<{ stdout: string; stderr: string }>("interact_with_job", {
    job_id: id,
    input: "print('Hello, World!')",
  });
  assert.match(answer.stdout, /Hello, World!/);
  const status = await server.ok<Status>("get_job_status", { job_id: id });
  assert.equal((await server.ok("kill_job", { job_id: id })).status, "killed");
  await waitUntilGone(status.pid);
});

Deno.test("interact_with_job returns a prompt that ends without a newline", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c 'read x; printf "name? "; read y; echo got $y'`);
  assert.deepEqual(await server.ok("interact_with_job", { job_id: id, input: "first" }), {
    stdout: "name? ",
    stderr: "",
  });
  const answer = await server.ok<{ stdout: string }>("interact_with_job", {
    job_id: id,
    input: "bob",
  });
  assert.equal(answer.stdout, "got bob\n");
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "completed");
});

Deno.test("interact_with_job returns only what was printed after the input", async () => {
  await using server = await TestServer.start();
  const id = await server.start("cat");
  assert.deepEqual(await server.ok("interact_with_job", { job_id: id, input: "one\n" }), {
    stdout: "one\n",
    stderr: "",
  });
  assert.deepEqual(await server.ok("interact_with_job", { job_id: id, input: "two\nthree" }), {
    stdout: "two\nthree\n",
    stderr: "",
  });
  assert.equal(
    (await server.ok<Output>("get_job_output", { job_id: id })).stdout,
    "one\ntwo\nthree\n",
  );
  await server.ok("kill_job", { job_id: id });
});

Deno.test("interact_with_job with a job that prints nothing returns empty streams and says why", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "cat > /dev/null"`);
  const answer = await server.ok<{ stdout: string; stderr: string; note: string }>(
    "interact_with_job",
    { job_id: id, input: "ignored" },
  );
  assert.equal(answer.stdout, "");
  assert.equal(answer.stderr, "");
  assert.match(answer.note, /^No output yet: .*buffer.*stdbuf -oL.*may not read stdin/);
  assert.equal((await server.ok<Status>("get_job_status", { job_id: id })).status, "running");
  await server.ok("kill_job", { job_id: id });
});

Deno.test("kill_job reports killed, then already_terminated; a finished job is already_terminated", async () => {
  await using server = await TestServer.start();
  const sleeper = await server.start("sleep 300");
  const { pid } = await server.ok<Status>("get_job_status", { job_id: sleeper });
  assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), { status: "killed" });
  await waitUntilGone(pid);
  const status = await server.ok<Status>("get_job_status", { job_id: sleeper });
  assert.equal(status.status, "killed");
  assert.equal(status.signal, "SIGTERM");
  assert.equal(status.exit_code, null);
  assert.equal(status.kill_reason, "user");
  assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), {
    status: "already_terminated",
  });
  const done = await server.start("true");
  await server.waitForEnd(done);
  assert.deepEqual(await server.ok("kill_job", { job_id: done }), {
    status: "already_terminated",
  });
  assert.equal((await server.ok<Status>("get_job_status", { job_id: done })).status, "completed");
});

Deno.test("two kill_job calls during one kill both report killed", async () => {
  await using server = await TestServer.start();
  // Ignoring SIGTERM keeps the first kill in its grace period while the second call arrives.
  const id = await server.start(`sh -c 'trap "" TERM; echo ready; while :; do sleep 1; done'`);
  await server.waitForOutput(id, ({ stdout }) => stdout === "ready\n");
  const { pid } = await server.ok<Status>("get_job_status", { job_id: id });
  const [a, b] = await Promise.all([
    server.ok("kill_job", { job_id: id }),
    server.ok("kill_job", { job_id: id }),
  ]);
  assert.deepEqual([a, b], [{ status: "killed" }, { status: "killed" }]);
  await waitUntilGone(pid);
});

Deno.test("kill_job escalates to SIGKILL for a job that ignores SIGTERM, without blocking other calls", async () => {
  await using server = await RawStdioServer.start({ MCP_BG_CONTAINMENT: "off" });
  const started = await server.callTool("execute_command", {
    command: `sh -c 'trap "" TERM; sleep 300 & echo $!; while :; do sleep 1; done'`,
  });
  const id = started.result.structuredContent.job_id;
  const printed = await server.callTool("wait_for_job", {
    job_id: id,
    pattern: "^\\d+$",
    timeout: 60,
  });
  const grandchild = Number.parseInt(printed.result.structuredContent.match.text);
  const statusCall = { name: "get_job_status", arguments: { job_id: id } };
  const { pid } = (await server.callTool(statusCall.name, statusCall.arguments)).result
    .structuredContent;
  try {
    // One write: the status calls reach the server with the kill, which waits out its grace
    // period; they are answered meanwhile, and see the job still running.
    const replies = await server.callToolsTogether([
      { name: "kill_job", arguments: { job_id: id } },
      statusCall,
      statusCall,
      statusCall,
    ]);
    assert.equal(replies.at(-1)!.call, 0, "get_job_status waited for the kill");
    for (const { call, reply } of replies) {
      assert.equal(reply.result.structuredContent.status, call === 0 ? "killed" : "running");
    }
    const status = (await server.callTool(statusCall.name, statusCall.arguments)).result
      .structuredContent;
    assert.equal(status.status, "killed");
    assert.equal(status.signal, "SIGKILL");
    await waitUntilGone(pid);
    await waitUntilGone(grandchild);
  } finally {
    killIfAlive(grandchild);
    killIfAlive(pid);
  }
});

Deno.test("a job's leftover background processes are stopped when it exits", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "sleep 300 & echo $!"`);
  const status = await server.waitForEnd(id);
  const grandchild = await server.pidPrintedBy(id);
  try {
    assert.equal(status.status, "completed");
    await waitUntilGone(grandchild);
  } finally {
    killIfAlive(grandchild);
  }
  assert.equal(isAlive(grandchild), false);
});

Deno.test("kill_job after the job exited on its own, while its output drains, does not call it killed", async () => {
  await using server = await TestServer.start();
  // The background sleep holds the output pipes open, so the job ends a moment after its shell.
  const id = await server.start(`sh -c 'sleep 300 & echo $!; read line; exit 3'`);
  const grandchild = await server.pidPrintedBy(id);
  const { pid } = await server.ok<Status>("get_job_status", { job_id: id });
  try {
    await server.ok("close_stdin", { job_id: id });
    await waitUntilReaped(pid);
    const kill = await server.ok("kill_job", { job_id: id });
    const status = await server.waitForEnd(id);
    assert.deepEqual(
      [kill.status, status.status, status.exit_code, status.kill_reason],
      ["already_terminated", "failed", 3, null],
    );
    await waitUntilGone(grandchild);
  } finally {
    killIfAlive(grandchild);
  }
});
