import assert from "node:assert/strict";
import { HttpTestServer } from "../helpers/http_server.ts";
import { assertStillWorking, TestServer, type ToolClient } from "../helpers/mcp_client.ts";

const GONE =
  /^Cannot start jobs: the working directory ".*" (no longer exists|is no longer a directory) \(MCP_BG_WORKING_DIR\); recreate it/;

/** Deletes (or replaces with a file) the working directory under the server; starts must say so. */
async function assertDeletedWorkingDirExplained(client: ToolClient, dir: string): Promise<void> {
  const before = await client.start("sleep 30");
  for (const replaceWithFile of [false, true]) {
    await Deno.remove(dir, { recursive: true });
    if (replaceWithFile) await Deno.writeTextFile(dir, "not a directory");
    for (
      const args of [{ command: "echo x" }, { command: "./script.sh" }, {
        command: "ls",
        cwd: "sub",
      }]
    ) {
      const outcome = await client.call("execute_command", args);
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, GONE, JSON.stringify(args));
      assert.doesNotMatch(outcome.text, /program not found/);
    }
    if (replaceWithFile) await Deno.remove(dir);
    await Deno.mkdir(`${dir}/sub`, { recursive: true });
    await assertStillWorking(client);
  }
  const status = await client.ok("get_job_status", { job_id: before });
  assert.equal(status.status, "running", "the job started before is still there");
  await client.ok("kill_job", { job_id: before });
}

Deno.test("a deleted working directory is named as the reason a job cannot start (stdio)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using server = await TestServer.start({ env: { MCP_BG_WORKING_DIR: dir } });
    await assertDeletedWorkingDirExplained(server, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a deleted working directory is named as the reason a job cannot start (HTTP)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using server = await HttpTestServer.start({ env: { MCP_BG_WORKING_DIR: dir } });
    await assertDeletedWorkingDirExplained(await server.connect(), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function assertClosedStdinExplained(client: ToolClient): Promise<void> {
  for (const close of ["exec 0<&-", "exec 0</dev/null"]) {
    const id = await client.start(`sh -c '${close}; echo ready; sleep 30'`);
    await client.waitForOutput(id, (output) => output.stdout === "ready\n");
    for (let attempt = 0; attempt < 2; attempt++) {
      const outcome = await client.call("interact_with_job", { job_id: id, input: "hello" });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        `Job ${id} is still running but has closed its stdin, so it cannot accept input`,
      );
    }
    await client.ok("kill_job", { job_id: id });
    const ended = await client.call("interact_with_job", { job_id: id, input: "hello" });
    assert.equal(ended.text, `Job ${id} is not running and cannot accept input`);
  }
}

Deno.test("a job that closed its own stdin is said to have done so (stdio and HTTP)", async () => {
  await using server = await TestServer.start();
  await assertClosedStdinExplained(server);
  await using http = await HttpTestServer.start();
  await assertClosedStdinExplained(await http.connect());
});

Deno.test("send_signal to a job whose program exited but whose output drains says so", async () => {
  await using server = await TestServer.start();
  const work = await Deno.makeTempDir({ prefix: "mcp-bg-draining-" });
  try {
    // The background loop keeps stdout open after sh exits, until the test creates "go"; sh
    // itself exits only once the test creates "exit", while it is already signalling, because
    // the server reads a leftover's output for only a short while after the program exits.
    const id = await server.start(
      `sh -c '(until [ -e ${work}/go ]; do sleep 0.05; done) & echo started; ` +
        `until [ -e ${work}/exit ]; do sleep 0.01; done'`,
    );
    await server.waitForOutput(id, (output) => output.stdout === "started\n");
    // SIGCONT is harmless: it is delivered until the server has seen the program exit.
    let outcome = await server.call("send_signal", { job_id: id, signal: "SIGCONT" });
    assert.equal(outcome.isError, false, outcome.text);
    await Deno.writeTextFile(`${work}/exit`, "");
    while (!outcome.isError) {
      outcome = await server.call("send_signal", { job_id: id, signal: "SIGCONT" });
    }
    // The refusal says which state the job was in when it was refused: still running.
    assert.match(
      outcome.text,
      new RegExp(`^Job ${id}'s program has exited .*: cannot send SIGCONT$`),
    );
    await Deno.writeTextFile(`${work}/go`, "");
    await server.waitForEnd(id);
    const late = await server.call("send_signal", { job_id: id, signal: "SIGINT" });
    assert.match(
      late.text,
      new RegExp(`^Job ${id} is not running \\(status completed\\): cannot send SIGINT$`),
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

/** A program that exists but cannot run is not reported as missing. */
async function assertUnrunnableExplained(client: ToolClient, dir: string): Promise<void> {
  const cases: [string, RegExp][] = [
    [
      "./bad.sh",
      /^Cannot start "\.\/bad\.sh": its interpreter "\/no\/such\/interpreter" \(from its #! line\) was not found$/,
    ],
    [
      `${dir}/bad.sh arg`,
      /its interpreter "\/no\/such\/interpreter" \(from its #! line\) was not found$/,
    ],
    [
      "./plain.sh",
      /^Cannot start "\.\/plain\.sh": it is not executable \(no execute permission\)$/,
    ],
    ["./sub", /^Cannot start "\.\/sub": it is a directory$/],
    ["./", /^Cannot start "\.\/": it is a directory$/],
    ["./missing.sh", /^Cannot start "\.\/missing\.sh": program not found$/],
    ["no-such-program-here", /^Cannot start "no-such-program-here": program not found$/],
  ];
  for (const [command, message] of cases) {
    const outcome = await client.call("execute_command", { command });
    assert.equal(outcome.isError, true, command);
    assert.match(outcome.text, message);
  }
  await assertStillWorking(client);
}

Deno.test("a program that exists but cannot run says why: interpreter, permission, directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.sh`, "#!/no/such/interpreter -x\necho hi\n", {
      mode: 0o755,
    });
    await Deno.writeTextFile(`${dir}/plain.sh`, "echo hi\n", { mode: 0o644 });
    await Deno.mkdir(`${dir}/sub`);
    await using server = await TestServer.start({ env: { MCP_BG_WORKING_DIR: dir } });
    await assertUnrunnableExplained(server, dir);
    await using http = await HttpTestServer.start({ env: { MCP_BG_WORKING_DIR: dir } });
    await assertUnrunnableExplained(await http.connect(), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
