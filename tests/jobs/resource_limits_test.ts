/**
 * MCP_BG_JOB_LIMITS, tried by jobs that go past each limit: /tmp and /dev/shm fill up to their
 * size and no further, a fork loop stops at the process limit (and kill_job still ends it all),
 * memory, file size and CPU time stop where set (the last two say kill_reason "limit"), and a
 * bad value stops the server at start with one line.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, jobTree, noContainment } from "../helpers/containment.ts";
import { killIfAlive, run, waitUntilGone } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";
import { ignoreAsNobody, startServerAsNobody } from "../helpers/as_nobody.ts";

async function runJob(server: TestServer, command: string) {
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", { command });
  const status = await server.waitForEnd(job_id, 60_000);
  const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", { job_id });
  return { ...status, ...output } as Record<string, unknown> & { stdout: string; stderr: string };
}

Deno.test({
  name: "MCP_BG_JOB_LIMITS: tmp, memory, file-size and cpu stop a contained job where set",
  ignore: noContainment,
  fn: async () => {
    const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-limits-" }));
    try {
      await using server = await TestServer.start({
        env: {
          ...CONTAINED,
          MCP_BG_WORKING_DIR: work,
          MCP_BG_ALLOW_WRITE: work,
          MCP_BG_JOB_LIMITS: "tmp=8M,memory=200M,file-size=16M,cpu=1",
        },
      });
      // Each in-memory file system takes 8 MiB of the 20 asked for, and says it is full.
      for (const dir of ["/tmp", "/dev/shm"]) {
        const fill = await runJob(
          server,
          `sh -c 'cd ${dir} && dd if=/dev/zero of=fill bs=64K count=320; echo "dd=$?"; stat -c %s fill'`,
        );
        const [exit, bytes] = fill.stdout.trim().split("\n");
        assert.equal(exit, "dd=1", dir);
        assert.match(fill.stderr, /No space left on device/, dir);
        assert.ok(Number(bytes) <= 8 * 1024 * 1024, `${dir}: ${fill.stdout}`);
      }
      const memory = await runJob(server, `python3 -c 'x = bytearray(500 * 1024 * 1024)'`);
      assert.equal(memory.status, "failed");
      assert.match(memory.stderr, /MemoryError/);

      const big = await runJob(server, "dd if=/dev/zero of=big bs=64K count=512");
      assert.equal(big.status, "killed");
      assert.equal(big.signal, "SIGXFSZ");
      assert.equal(big.kill_reason, "limit");
      assert.equal((await Deno.stat(`${work}/big`)).size, 16 * 1024 * 1024);

      const spin = await runJob(server, `sh -c 'while :; do :; done'`);
      assert.equal(spin.status, "killed");
      assert.equal(spin.signal, "SIGXCPU");
      assert.equal(spin.kill_reason, "limit");

      // A terminal job gets the same limits.
      const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
        command: "dd if=/dev/zero of=tty-big bs=64K count=512",
        tty: true,
      });
      const onTty = await server.waitForEnd(job_id, 60_000);
      assert.equal(onTty.signal, "SIGXFSZ");
      assert.equal(onTty.kill_reason, "limit");
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "MCP_BG_JOB_LIMITS processes: a fork loop stops at the limit and kill_job ends every one",
  // The kernel exempts root from RLIMIT_NPROC: the server runs as nobody.
  ignore: noContainment || ignoreAsNobody("the process-limit test as nobody"),
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "mcp-bg-nproc-" });
    const pids: number[] = [];
    try {
      await Deno.chmod(home, 0o777);
      await using server = await startServerAsNobody({
        home: home,
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: "processes=40" },
      });
      const id = await server.start(`python3 -c 'import subprocess, time
started = []
try:
    while len(started) < 200:
        started.append(subprocess.Popen(["sleep", "300"]))
except OSError as error:
    print("stopped at", len(started), error.strerror, flush=True)
time.sleep(300)'`);
      const output = await server.waitForOutput(id, (seen) => seen.stdout.includes("\n"), 60_000);
      const [, count, why] = /^stopped at (\d+) (.*)$/.exec(output.stdout.trim())!;
      assert.equal(why, "Resource temporarily unavailable");
      assert.ok(Number(count) < 40, output.stdout);
      pids.push(...await jobTree(server, id, { prefix: "sleep 300", count: Number(count) }));
      assert.deepEqual(await server.ok("kill_job", { job_id: id }), { status: "killed" });
      for (const pid of pids) await waitUntilGone(pid, 5000);
    } finally {
      pids.forEach(killIfAlive);
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("an invalid MCP_BG_JOB_LIMITS stops the server at start with one line", async () => {
  for (
    const [value, why] of [
      ["memory=2X", /memory needs a size/],
      ["forks=10", /unknown limit "forks"/],
      ["processes=-1", /processes needs a count/],
      ["tmp=0", /tmp needs a size/],
    ] as const
  ) {
    const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN], {
      env: { MCP_BG_JOB_LIMITS: value },
    });
    assert.equal(result.code, 2, value);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /Invalid MCP_BG_JOB_LIMITS=/);
    assert.match(lines[0]!, why);
  }
});
