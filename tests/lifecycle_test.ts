import assert from "node:assert/strict";
import { TestServer } from "./helpers/mcp_client.ts";
import { isAlive, killIfAlive, waitUntilGone } from "./helpers/processes.ts";
import { DENO_RUN, MAIN } from "./helpers/server_entry.ts";

/** Pids a test must see gone: job leaders and the grandchildren they started. */
interface JobPids {
  readonly leaders: number[];
  readonly grandchildren: number[];
}

/** Starts jobs with background grandchildren (one of them ignoring SIGTERM) and collects pids. */
async function startFamilies(server: TestServer, withStubborn: boolean): Promise<JobPids> {
  const commands = [
    `sh -c "sleep 300 & echo $!; wait"`,
    `sh -c "sleep 301 & echo $!; sleep 302"`,
  ];
  if (withStubborn) {
    commands.push(`sh -c 'trap "" TERM; sleep 303 & echo $!; while :; do sleep 1; done'`);
  }
  const pids: JobPids = { leaders: [], grandchildren: [] };
  for (const command of commands) {
    const id = await server.start(command);
    pids.grandchildren.push(await server.pidPrintedBy(id));
    pids.leaders.push((await server.ok<{ pid: number }>("get_job_status", { job_id: id })).pid);
  }
  for (const pid of [...pids.leaders, ...pids.grandchildren]) assert.ok(isAlive(pid));
  return pids;
}

async function assertAllGone(pids: JobPids): Promise<void> {
  try {
    for (const pid of [...pids.leaders, ...pids.grandchildren]) await waitUntilGone(pid, 10_000);
  } finally {
    for (const pid of [...pids.leaders, ...pids.grandchildren]) killIfAlive(pid);
  }
}

Deno.test("the server logs a ready line with its configuration on stderr", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_JOBS: "7" } });
  const { input: ready } = await server.waitForStderrLine(/ready on stdio;/);
  assert.match(ready, /max_jobs=7/);
  assert.match(ready, /cleanup_interval=300s/);
});

Deno.test("closing stdin stops every job and its descendants, then the server exits", async () => {
  const server = await TestServer.start();
  let pids: JobPids = { leaders: [], grandchildren: [] };
  try {
    pids = await startFamilies(server, false);
  } finally {
    await server.close(); // ends stdin; close() also waits for the server process to be gone
    await assertAllGone(pids);
  }
  assert.match(server.stderr, /shutting down \(client disconnected\): stopping 2 running job/);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} stops every job, even one ignoring SIGTERM, then the server exits`, async () => {
    const server = await TestServer.start();
    let pids: JobPids = { leaders: [], grandchildren: [] };
    try {
      pids = await startFamilies(server, true);
      Deno.kill(server.pid, signal);
      await waitUntilGone(server.pid, 20_000);
      await assertAllGone(pids);
      assert.match(server.stderr, new RegExp(`shutting down \\(${signal}\\): stopping 3`));
    } finally {
      await server.close();
      await assertAllGone(pids);
    }
  });
}

Deno.test("an invalid variable stops the server at start with exit code 2 naming it", async () => {
  const cases: [string, string, RegExp][] = [
    ["MCP_BG_MAX_JOBS", "0", /from 1 to 100/],
    ["MCP_BG_MAX_OUTPUT_SIZE", "10XB", /from 1KB to 1GB/],
    ["MCP_BG_JOB_TIMEOUT", "soon", /whole number/],
    ["MCP_BG_CLEANUP_INTERVAL", "5", /from 10 to 86400/],
    ["MCP_BG_WORKING_DIR", "/no/such/dir/for/tests", /an existing directory/],
    ["MCP_BG_ALLOWED_COMMANDS", "^ls (", /regular expressions/],
  ];
  for (const [variable, value, valid] of cases) {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...DENO_RUN, "-A", MAIN],
      env: { NO_COLOR: "1", [variable]: value },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const message = new TextDecoder().decode(stderr);
    assert.equal(code, 2, `${variable}=${value}: exit ${code}, stderr ${message}`);
    assert.ok(message.includes(variable), message);
    assert.ok(message.includes(JSON.stringify(value)), message);
    assert.match(message, valid);
    assert.doesNotMatch(message, /ready on stdio/);
    assert.equal(stdout.length, 0, "nothing may be written to stdout, the MCP channel");
  }
});

Deno.test("MCP_BG_JOB_TIMEOUT kills a job that runs too long, with reason timeout", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_JOB_TIMEOUT: "1" } });
  const slow = await server.start("sleep 300");
  const quick = await server.start("echo quick");
  const { pid } = await server.ok<{ pid: number }>("get_job_status", { job_id: slow });
  try {
    const status = await server.waitForEnd(slow, 30_000);
    assert.equal(status.status, "killed");
    assert.equal(status.kill_reason, "timeout");
    assert.equal(status.signal, "SIGTERM");
    await waitUntilGone(pid);
  } finally {
    killIfAlive(pid);
  }
  const quickStatus = await server.waitForEnd(quick);
  assert.equal(quickStatus.status, "completed");
  assert.equal(quickStatus.kill_reason, null);
});

Deno.test("MCP_BG_CLEANUP_INTERVAL drops a finished job but keeps a running one", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_CLEANUP_INTERVAL: "10" } });
  const finished = await server.start("echo done");
  const running = await server.start("sleep 300");
  await server.waitForEnd(finished);
  assert.equal((await server.ok("get_job_output", { job_id: finished })).stdout, "done\n");
  const deadline = Date.now() + 60_000;
  let outcome = await server.call("get_job_status", { job_id: finished });
  while (!outcome.isError && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    outcome = await server.call("get_job_status", { job_id: finished });
  }
  assert.equal(outcome.text, `Job ${finished} not found`);
  const output = await server.call("get_job_output", { job_id: finished });
  assert.equal(output.text, `Job ${finished} not found`);
  assert.deepEqual(await server.ok("kill_job", { job_id: finished }), { status: "not_found" });
  const { jobs } = await server.ok<{ jobs: { job_id: string }[] }>("list_jobs");
  assert.deepEqual(jobs.map((job) => job.job_id), [running]);
  assert.deepEqual(await server.ok("kill_job", { job_id: running }), { status: "killed" });
});

Deno.test("MCP_BG_WORKING_DIR is where jobs run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/marker.txt`, "found me\n");
    await using server = await TestServer.start({ env: { MCP_BG_WORKING_DIR: dir } });
    const pwd = await server.start("pwd");
    await server.waitForEnd(pwd);
    const real = await Deno.realPath(dir);
    assert.equal((await server.ok("get_job_output", { job_id: pwd })).stdout, `${real}\n`);
    const cat = await server.start("cat marker.txt");
    assert.equal((await server.waitForEnd(cat)).status, "completed");
    assert.equal((await server.ok("get_job_output", { job_id: cat })).stdout, "found me\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("jobs run in the server's working directory by default", async () => {
  await using server = await TestServer.start();
  const id = await server.start("pwd");
  await server.waitForEnd(id);
  assert.equal((await server.ok("get_job_output", { job_id: id })).stdout, `${Deno.cwd()}\n`);
});

Deno.test("--version and --help print to stdout and exit 0; an unknown flag exits 2", async () => {
  const run = async (flag: string) => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...DENO_RUN, "-A", MAIN, flag],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code, stdout: decode(stdout), stderr: decode(stderr) };
  };
  const version = await run("--version");
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  const help = await run("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: mcp-background-job/);
  const unknown = await run("--frobnicate");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /frobnicate/);
});
