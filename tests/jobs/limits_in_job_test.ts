/**
 * MCP_BG_JOB_LIMITS hold inside the job on every way a contained job starts: a `dash -c` or
 * `bash -c` line (whose own shell sets them), any other program (`sh` sets them before it runs
 * it), stdin piped or closed, a terminal job (its foreground bash), and where the shell cannot
 * set them (bash with a file size, or BASH_ENV in the server's environment) through `prlimit`.
 * Soft and hard limits are the ones asked for, the job cannot raise them, as root and as nobody,
 * and code from BASH_ENV already runs under them.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, jobTree, noContainment } from "../helpers/containment.ts";
import { killIfAlive, waitUntilGone } from "../helpers/processes.ts";
import { ignoreAsNobody, startServerAsNobody } from "../helpers/as_nobody.ts";
import { limitRows } from "../helpers/limit_rows.ts";

/** The limits every route is tried with, and the rows of /proc/self/limits they make. */
const ASKED = "memory=200M,processes=40,cpu=30";
const ROWS = {
  "address space": "209715200 209715200",
  processes: "40 40",
  "cpu time": "30 35",
};
const WITH_FILE_SIZE = `${ASKED},file-size=16M`;
const FILE_SIZE_ROW = { "file size": "16777216 16777216" };

const SHOW = "cat /proc/self/limits";
/** A line that tries to lift the hard limits of `options` (ulimit letters), saying which it could. */
const raiseInShell = (options: string) =>
  `for o in ${options}; do ulimit -H$o unlimited 2>/dev/null && echo raised-$o; done; echo tried`;
const raiseInPython = (names: string) =>
  `python3 -c 'import resource as r
for name in "${names}".split():
    try:
        r.setrlimit(getattr(r, "RLIMIT_" + name), (r.RLIM_INFINITY, r.RLIM_INFINITY))
        print("raised-" + name)
    except (ValueError, OSError):
        pass'`;

/** Each way a piped job starts, as a command that shows its limits or tries to raise them. */
function routes(fileSize: boolean): Record<string, string> {
  const f = fileSize ? " f" : "";
  return {
    "a dash -c line": `dash -c '${SHOW}; ${raiseInShell(`v p t${f}`)}'`,
    // sh may be bash elsewhere, whose -p is the pipe size.
    "an sh -c line": `sh -c '${SHOW}; ${raiseInShell(`v t${f}`)}'`,
    "a bash -c line": `bash -c '${SHOW}; ${raiseInShell(`v u t${f}`)}'`,
    "another program": SHOW,
    "another program, raising": raiseInPython(`AS NPROC CPU${fileSize ? " FSIZE" : ""}`),
  };
}

interface Ran {
  status: unknown;
  stdout: string;
  stderr: string;
}

async function runJob(
  server: TestServer,
  args: Record<string, unknown>,
  /** For a job that reads a line once it has printed this: read before it exits, then sent. */
  printedLast?: string,
): Promise<Ran> {
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", args);
  if (printedLast !== undefined) {
    await server.waitForOutput(job_id, ({ stdout }) => stdout.includes(printedLast), 60_000);
    await server.ok("interact_with_job", { job_id, input: "" });
  }
  const status = await server.waitForEnd(job_id, 60_000);
  const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", { job_id });
  return { status: status.status, ...output };
}

async function assertRoutesHold(
  server: TestServer,
  expected: Record<string, string>,
): Promise<void> {
  const fileSize = "file size" in expected;
  for (const [route, command] of Object.entries(routes(fileSize))) {
    for (const stdin of ["pipe", "closed"]) {
      const ran = await runJob(server, { command, stdin });
      const where = `${route}, stdin ${stdin}: ${JSON.stringify(ran)}`;
      assert.equal(ran.status, "completed", where);
      assert.doesNotMatch(ran.stdout, /raised/, where);
      if (!route.endsWith("raising")) {
        assert.deepEqual(limitRows(ran.stdout, expected), expected, where);
      }
    }
  }
  for (const command of [SHOW, raiseInPython("AS NPROC CPU")]) {
    // SHOW's output is what is checked: read before the program exits (see runJob).
    const ran = command === SHOW
      ? await runJob(server, { command: `sh -c '${SHOW}; read line'`, tty: true }, "Max realtime")
      : await runJob(server, { command, tty: true });
    const where = `on a terminal: ${JSON.stringify(ran)}`;
    assert.equal(ran.status, "completed", where);
    assert.doesNotMatch(ran.stdout, /raised/, where);
    if (command === SHOW) assert.deepEqual(limitRows(ran.stdout, expected), expected, where);
  }
}

Deno.test({
  name: "MCP_BG_JOB_LIMITS hold, soft and hard, on every way a contained job starts",
  ignore: noContainment,
  fn: async () => {
    {
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: ASKED },
      });
      await assertRoutesHold(server, ROWS);
    }
    // dash says a file size itself; bash leaves all of them to prlimit then.
    await using server = await TestServer.start({
      env: { ...CONTAINED, MCP_BG_JOB_LIMITS: WITH_FILE_SIZE },
    });
    await assertRoutesHold(server, { ...ROWS, ...FILE_SIZE_ROW });
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS already hold for code that bash runs before the job's line",
  ignore: noContainment,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mcp-bg-bash-env-" });
    try {
      const startup = `${dir}/startup.sh`;
      await Deno.writeTextFile(startup, `${SHOW}; echo startup-ran\n`);
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(startup, 0o644);
      await using server = await TestServer.start({
        env: {
          ...CONTAINED,
          MCP_BG_JOB_LIMITS: ASKED,
          // The server's own environment, which its jobs inherit (a client may set neither).
          BASH_ENV: startup,
          "BASH_FUNC_ulimit%%": "() { echo hijacked; }",
        },
      });
      for (const tty of [false, true]) {
        // A terminal program that exits at once can lose its last output on a loaded machine
        // (the terminal addon waits 200 ms for it): the tty one waits for a line after it.
        const ran = tty
          ? await runJob(server, { command: `bash -c 'echo line-ran; read line'`, tty }, "line-ran")
          : await runJob(server, { command: `bash -c 'echo line-ran'`, tty });
        const where = JSON.stringify(ran);
        assert.equal(ran.status, "completed", where);
        assert.doesNotMatch(ran.stdout, /hijacked/, where);
        assert.match(ran.stdout, /line-ran/, where);
        if (!tty) {
          // bwrap unsets BASH_ENV for a terminal job's bash; a piped job's bash reads it.
          assert.match(ran.stdout, /startup-ran/, where);
          assert.deepEqual(limitRows(ran.stdout, ROWS), ROWS, where);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS hold on every way a job starts for a server run as nobody",
  ignore: noContainment || ignoreAsNobody("the job limits test as nobody"),
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "mcp-bg-limits-nobody-" });
    const pids: number[] = [];
    try {
      await Deno.chmod(home, 0o777);
      await using server = await startServerAsNobody({
        home: home,
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: ASKED },
      });
      await assertRoutesHold(server, ROWS);
      // The process limit binds a dash line: the subshell stops starting sleeps at 40 processes.
      const id = await server.start(
        `dash -c '(n=0; while [ $n -lt 200 ]; do sleep 300 & n=$((n+1)); echo $n; done) 2>/dev/null; echo stopped; exec sleep 301'`,
      );
      const output = await server.waitForOutput(
        id,
        (seen) => seen.stdout.includes("stopped"),
        60_000,
      );
      const started = output.stdout.trim().split("\n").filter((line) => /^\d+$/.test(line));
      assert.ok(started.length > 0 && started.length < 40, output.stdout);
      pids.push(...await jobTree(server, id, { prefix: "sleep 30", count: started.length + 1 }));
      assert.deepEqual(await server.ok("kill_job", { job_id: id }), { status: "killed" });
      for (const pid of pids) await waitUntilGone(pid, 5000);
    } finally {
      pids.forEach(killIfAlive);
      await Deno.remove(home, { recursive: true });
    }
  },
});
