/**
 * Breaks of "MCP_BG_JOB_LIMITS hold before any of the job's code" since the job's own shell sets
 * them with `ulimit` (cc0b243, e25057c). Each test is a way to have code of the job's run with
 * the host's limits, or with values other than the ones asked for:
 *
 * - bash sources `~/.bashrc` before its `-c` line when `SSH_CLIENT` or `SSH2_CLIENT` is set (a
 *   Debian build option): a client sets that and `HOME` in `env`, on a piped or terminal job;
 * - a program named `bash` or `dash` is taken for that shell by its file name alone: a script of
 *   that name gets the `ulimit` line as text, and a bash named `dash` reads `-f` in KiB;
 * - dash multiplies an oversized `ulimit -v` value into a small one, where prlimit refused it;
 * - a `BASH_ENV` that is not UTF-8 in the server's environment is invisible to the check (Deno's
 *   `toObject` drops it) but reaches the job, whose environment the runtime now passes as is.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";
import { limitRows } from "../helpers/limit_rows.ts";

const ASKED = "memory=200M,processes=40,cpu=30";
const ROWS = {
  "address space": "209715200 209715200",
  processes: "40 40",
  "cpu time": "30 35",
};
/** What a startup file or a stand-in shell prints: its limits between two markers. */
const SHOW_LIMITS = "echo startup-begin; cat /proc/self/limits; echo startup-end";

interface Ran {
  refused?: string;
  status?: unknown;
  stdout: string;
  stderr: string;
}

async function runJob(server: TestServer, args: Record<string, unknown>): Promise<Ran> {
  const started = await server.call<{ job_id: string }>("execute_command", args);
  if (started.isError) return { refused: started.text, stdout: "", stderr: "" };
  const { job_id } = started.data;
  const status = await server.waitForEnd(job_id, 60_000);
  const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", { job_id });
  return { status: status.status, ...output };
}

/** What was printed between the startup markers, or `undefined` when the startup code never ran. */
function startupSection(stdout: string): string | undefined {
  const text = stdout.replaceAll("\r", "");
  const begin = text.indexOf("startup-begin");
  if (begin < 0) return undefined;
  return text.slice(begin, text.indexOf("startup-end", begin));
}

/** A directory every user can enter, removed with all it holds when `use` is done. */
async function withDirectory(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-limits-first-" }));
  try {
    await Deno.chmod(dir, 0o755);
    await use(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function startServer(dir: string, limits = ASKED): Promise<TestServer> {
  return TestServer.start({
    env: { ...CONTAINED, MCP_BG_JOB_LIMITS: limits, MCP_BG_WORKING_DIR: dir },
    cwd: dir,
  });
}

Deno.test({
  name: "MCP_BG_JOB_LIMITS already hold for the ~/.bashrc bash reads when SSH_CLIENT is set",
  ignore: noContainment,
  fn: async () => {
    await withDirectory(async (dir) => {
      await Deno.writeTextFile(`${dir}/.bashrc`, `${SHOW_LIMITS}\n`);
      await using server = await startServer(dir);
      const jobs: Record<string, unknown>[] = [];
      for (const ssh of ["SSH_CLIENT", "SSH2_CLIENT"]) {
        const env = { [ssh]: "192.0.2.1 50000 22", HOME: dir, SHLVL: "0" };
        jobs.push(
          { command: "bash -c 'echo line-ran'", env },
          { command: "bash -c 'echo line-ran'", env, stdin: "closed" },
          // A terminal job's program runs under a bash of the server's, whatever it is.
          { command: "echo line-ran", env, tty: true },
        );
      }
      for (const args of jobs) {
        const ran = await runJob(server, args);
        const where = `${JSON.stringify(args)}: ${JSON.stringify(ran)}`;
        if (ran.refused !== undefined) continue; // refusing such an environment is a fix too
        assert.equal(ran.status, "completed", where);
        const startup = startupSection(ran.stdout);
        if (startup !== undefined) assert.deepEqual(limitRows(startup, ROWS), ROWS, where);
      }
    });
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS hold for a program named bash or dash that is not that shell",
  ignore: noContainment,
  fn: async () => {
    await withDirectory(async (dir) => {
      await Deno.mkdir(`${dir}/bin`);
      for (const name of ["bash", "dash"]) {
        await Deno.writeTextFile(`${dir}/bin/${name}`, `#!/bin/sh\n${SHOW_LIMITS}\n`);
        await Deno.chmod(`${dir}/bin/${name}`, 0o755);
      }
      await using server = await startServer(dir);
      for (const name of ["bash", "dash"]) {
        for (const stdin of ["pipe", "closed"]) {
          const args = { command: `./bin/${name} -c 'echo line-ran'`, stdin };
          const ran = await runJob(server, args);
          const where = `${JSON.stringify(args)}: ${JSON.stringify(ran)}`;
          assert.equal(ran.status, "completed", where);
          const startup = startupSection(ran.stdout);
          assert.ok(startup !== undefined, where);
          assert.deepEqual(limitRows(startup, ROWS), ROWS, where);
        }
      }
    });
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS' file size holds for a bash copied under the name dash",
  ignore: noContainment,
  fn: async () => {
    await withDirectory(async (dir) => {
      await Deno.mkdir(`${dir}/bin`);
      await Deno.copyFile("/usr/bin/bash", `${dir}/bin/dash`);
      await Deno.chmod(`${dir}/bin/dash`, 0o755);
      await using server = await startServer(dir, "processes=unlimited,file-size=16M");
      const ran = await runJob(server, { command: "./bin/dash -c 'cat /proc/self/limits'" });
      const where = JSON.stringify(ran);
      const expected = { "file size": "16777216 16777216" };
      if (ran.status === "completed") {
        assert.deepEqual(limitRows(ran.stdout, expected), expected, where);
      } else assert.equal(ran.status, "failed", where); // not setting it at all would be worse
    });
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS memory beyond 2^64 bytes is never set as a small limit",
  ignore: noContainment,
  fn: async () => {
    await withDirectory(async (dir) => {
      // 16 EiB + 1 TiB: prlimit refuses it; dash's ulimit -v multiplied it round to 1 TiB.
      let server: TestServer;
      try {
        server = await startServer(dir, "memory=16777217T");
      } catch {
        return; // refused at start: a fix too
      }
      await using _server = server;
      for (const command of ["dash -c 'cat /proc/self/limits'", "cat /proc/self/limits"]) {
        const ran = await runJob(server, { command });
        const where = `${command}: ${JSON.stringify(ran)}`;
        if (ran.status !== "completed") continue; // refused to start the job, as prlimit did
        const rows = limitRows(ran.stdout, { "address space": "" });
        assert.equal(rows["address space"], "unlimited unlimited", where);
      }
    });
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS already hold for a BASH_ENV of the server's that is not UTF-8",
  ignore: noContainment,
  fn: async () => {
    await withDirectory(async (dir) => {
      // A directory named by the byte 0xff, which Deno's environment object cannot hold.
      const made = await new Deno.Command("/bin/sh", {
        args: [
          "-c",
          'd="$1/$(printf "\\377")"; mkdir "$d" && echo "$2" > "$d/startup.sh"',
          "sh",
          dir,
          SHOW_LIMITS,
        ],
      }).output();
      assert.ok(made.success, new TextDecoder().decode(made.stderr));
      await using server = await TestServer.start({
        command: "/bin/sh",
        args: [
          "-c",
          'BASH_ENV="$1/$(printf "\\377")/startup.sh"; export BASH_ENV; shift; exec "$@"',
          "sh",
          dir,
          Deno.execPath(),
          ...DENO_RUN,
          "-A",
          MAIN,
        ],
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: ASKED, MCP_BG_WORKING_DIR: dir },
        cwd: dir,
      });
      for (const stdin of ["pipe", "closed"]) {
        const ran = await runJob(server, { command: "bash -c 'echo line-ran'", stdin });
        const where = JSON.stringify(ran);
        assert.equal(ran.status, "completed", where);
        assert.match(ran.stdout, /line-ran/, where);
        const startup = startupSection(ran.stdout);
        if (startup !== undefined) assert.deepEqual(limitRows(startup, ROWS), ROWS, where);
      }
    });
  },
});
