import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";
import { waitUntilGone } from "../../helpers/processes.ts";

Deno.test("send_signal delivers SIGINT that the program handles", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    `sh -c 'trap "echo got INT; exit 3" INT; echo ready; while :; do sleep 0.1; done'`,
  );
  await server.ok("wait_for_job", { job_id: id, pattern: "^ready$", timeout: 30 });
  assert.deepEqual(await server.ok("send_signal", { job_id: id, signal: "SIGINT" }), {
    job_id: id,
    signal: "SIGINT",
    status: "sent",
  });
  const ended = await server.ok("wait_for_job", { job_id: id, timeout: 30 });
  assert.equal(ended.reason, "exited");
  assert.equal(ended.status, "failed");
  assert.equal(ended.exit_code, 3);
  assert.equal(ended.kill_reason, null);
  assert.equal(ended.stdout_last_line, "got INT");
  const late = await server.call("send_signal", { job_id: id, signal: "SIGTERM" });
  assert.equal(late.isError, true);
  assert.equal(late.text, `Job ${id} is not running (status failed): cannot send SIGTERM`);
  const unknown = await server.call("send_signal", { job_id: id, signal: "SIGSEGV" });
  assert.equal(unknown.isError, true);
});

Deno.test("close_stdin gives cat end-of-file and it finishes", async () => {
  await using server = await TestServer.start();
  const id = await server.start("cat");
  const answer = await server.ok("interact_with_job", { job_id: id, input: "hello" });
  assert.equal(answer.stdout, "hello\n");
  assert.deepEqual(await server.ok("close_stdin", { job_id: id }), {
    job_id: id,
    status: "closed",
  });
  const ended = await server.ok("wait_for_job", { job_id: id, timeout: 30 });
  assert.equal(ended.reason, "exited");
  assert.equal(ended.status, "completed");
  const output = await server.ok("get_job_output", { job_id: id });
  assert.equal(output.stdout, "hello\n");
});

Deno.test("stdin closed from the start: cat ends at once and input is refused", async () => {
  await using server = await TestServer.start();
  const id = (await server.ok<{ job_id: string }>("execute_command", {
    command: "cat",
    stdin: "closed",
  })).job_id;
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "completed");
  const running = (await server.ok<{ job_id: string }>("execute_command", {
    command: "sleep 60",
    stdin: "closed",
  })).job_id;
  const refused = await server.call("interact_with_job", { job_id: running, input: "x" });
  assert.equal(refused.isError, true);
  assert.equal(refused.text, `Job ${running} has its stdin closed and cannot accept input`);
  assert.equal((await server.ok("close_stdin", { job_id: running })).status, "already_closed");
  await server.ok("kill_job", { job_id: running });
});

Deno.test("a Python REPL answers interact_with_job promptly", async () => {
  await using server = await TestServer.start();
  const id = await server.start("python3 -i -q");
  // Its first prompt says it has started: the answer then does not race Python's start-up.
  await server.waitForOutput(id, ({ stderr }) => stderr.includes(">>> "), 30_000);
  const first = await server.ok("interact_with_job", { job_id: id, input: "print(6 * 7)" });
  assert.equal(first.stdout, "42\n");
  const second = await server.ok("interact_with_job", {
    job_id: id,
    input: "x = 'abc'; x.upper()",
  });
  assert.equal(second.stdout, "'ABC'\n");
  await server.ok("close_stdin", { job_id: id });
  const ended = await server.ok("wait_for_job", { job_id: id, timeout: 30 });
  assert.equal(ended.status, "completed");
});

Deno.test("a Python program printing into a pipe answers because output is unbuffered", async () => {
  await using server = await TestServer.start();
  // It says "ready" on stderr once started, so neither the answer nor the silence below races
  // Python's start-up.
  const echo = `python3 -c 'import sys\nprint("ready", file=sys.stderr)\n` +
    `for line in sys.stdin: print("got", line.strip())'`;
  const started = (id: string) =>
    server.waitForOutput(id, ({ stderr }) => stderr === "ready\n", 30_000);
  const id = await server.start(echo);
  await started(id);
  const answer = await server.ok("interact_with_job", { job_id: id, input: "one" });
  assert.equal(answer.stdout, "got one\n");
  // The same program with block buffering (PYTHONUNBUFFERED empty) keeps its answer back.
  const buffered = (await server.ok<{ job_id: string }>("execute_command", {
    command: echo,
    env: { PYTHONUNBUFFERED: "" },
  })).job_id;
  await started(buffered);
  const silent = await server.ok("interact_with_job", { job_id: buffered, input: "one" });
  assert.equal(silent.stdout, "");
  await server.ok("close_stdin", { job_id: buffered });
  await server.ok("wait_for_job", { job_id: buffered, timeout: 30 });
  assert.equal((await server.ok("get_job_output", { job_id: buffered })).stdout, "got one\n");
  await server.ok("kill_job", { job_id: id });
});

Deno.test("execute_command runs in a cwd inside the working directory and refuses others", async () => {
  const root = Deno.realPathSync(await Deno.makeTempDir());
  const outside = Deno.realPathSync(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${root}/sub/deeper`, { recursive: true });
    await Deno.symlink(outside, `${root}/escape`);
    await Deno.writeTextFile(`${root}/file.txt`, "");
    await using server = await TestServer.start({ env: { MCP_BG_WORKING_DIR: root } });
    const id = (await server.ok<{ job_id: string }>("execute_command", {
      command: "pwd",
      cwd: "sub/deeper",
    })).job_id;
    await server.waitForEnd(id);
    assert.equal(
      (await server.ok("get_job_output", { job_id: id })).stdout,
      `${root}/sub/deeper\n`,
    );
    const cases: [string, RegExp][] = [
      ["..", /^Invalid cwd "\.\.": it resolves to ".*", outside the working directory/],
      ["escape", /^Invalid cwd "escape": it resolves to ".*", outside the working directory/],
      [outside, /outside the working directory/],
      ["missing", /^Invalid cwd "missing": no such directory$/],
      ["file.txt", /^Invalid cwd "file.txt": not a directory$/],
    ];
    for (const [cwd, message] of cases) {
      const refused = await server.call("execute_command", { command: "pwd", cwd });
      assert.equal(refused.isError, true, cwd);
      assert.match(refused.text, message);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("execute_command adds env variables and refuses dangerous or invalid names", async () => {
  await using server = await TestServer.start();
  const id = (await server.ok<{ job_id: string }>("execute_command", {
    command: "printenv GREETING PYTHONUNBUFFERED",
    env: { GREETING: "hello there" },
  })).job_id;
  await server.waitForEnd(id);
  assert.equal((await server.ok("get_job_output", { job_id: id })).stdout, "hello there\n1\n");
  for (const name of ["LD_PRELOAD", "PATH", "BASH_ENV", "NODE_OPTIONS", "1BAD", "A-B"]) {
    const refused = await server.call("execute_command", {
      command: "true",
      env: { [name]: "x" },
    });
    assert.equal(refused.isError, true, name);
    assert.match(refused.text, new RegExp(`^Invalid env variable "${name}": `));
  }
});

Deno.test("execute_command timeout kills the job and name labels it", async () => {
  await using server = await TestServer.start();
  const id = (await server.ok<{ job_id: string }>("execute_command", {
    command: `sh -c "echo started; echo warming >&2; sleep 60"`,
    timeout: 1,
    name: "slow one",
  })).job_id;
  const listed = await server.ok<{ jobs: Record<string, unknown>[] }>("list_jobs");
  assert.equal(listed.jobs[0]!.name, "slow one");
  const status = await server.waitForEnd(id, 30_000);
  assert.equal(status.status, "killed");
  assert.equal(status.kill_reason, "timeout");
  assert.equal(status.name, "slow one");
  assert.equal(status.stdout_last_line, "started");
  assert.equal(status.stderr_last_line, "warming");
  await waitUntilGone(status.pid as number);
  const unnamed = await server.start("true");
  assert.equal((await server.waitForEnd(unnamed)).name, null);
});

Deno.test("stdbuf -oL makes a C program that block-buffers into a pipe answer at once", async () => {
  await using server = await TestServer.start();
  const id = await server.start("stdbuf -oL tr a-z A-Z");
  const answer = await server.ok("interact_with_job", { job_id: id, input: "shout" });
  assert.equal(answer.stdout, "SHOUT\n");
  await server.ok("close_stdin", { job_id: id });
  assert.equal((await server.ok("wait_for_job", { job_id: id, timeout: 30 })).status, "completed");
});
