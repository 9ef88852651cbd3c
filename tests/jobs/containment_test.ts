/**
 * Containment keeps a job's processes inside the job: whatever they do (`setsid`, double forks),
 * they end with kill_job, a timeout, shutdown, and even a SIGKILL of the server; and inside the
 * sandbox every job behaviour works as without it.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { killIfAlive, run, waitUntilGone } from "../helpers/processes.ts";
import {
  CONTAINED,
  ESCAPING_JOB,
  jobTree,
  noContainment,
  removeFilterDirectoryOf,
} from "../helpers/containment.ts";
import { MAIN } from "../helpers/server_entry.ts";
import { AS_NOBODY, CAN_BE_NOBODY, SETPRIV } from "../helpers/as_nobody.ts";

/**
 * SIGKILLs the server, then checks that it and each of `pids` are gone (bubblewrap's
 * --die-with-parent ends them at once; the bound is room for a busy machine, not a speed claim).
 */
async function killServerExpectingGone(serverPid: number, pids: readonly number[]): Promise<void> {
  Deno.kill(serverPid, "SIGKILL");
  await waitUntilGone(serverPid);
  removeFilterDirectoryOf(serverPid);
  for (const pid of pids) await waitUntilGone(pid, 20_000);
}

/**
 * Whatever a failed test left: the job processes, the server (by the pid read at start: the
 * transport forgets it once the process is gone), the client's transport.
 */
async function cleanUp(server: TestServer, serverPid: number, pids: readonly number[]) {
  pids.forEach(killIfAlive);
  killIfAlive(serverPid);
  await server.client.close();
}

Deno.test({
  name: "SIGKILL of the server ends every contained process, setsid and daemonised ones too",
  ignore: noContainment,
  fn: async () => {
    const pids: number[] = [];
    const server = await TestServer.start({ env: CONTAINED });
    const serverPid = server.pid;
    try {
      for (let i = 0; i < 2; i++) {
        const id = await server.start(ESCAPING_JOB);
        pids.push(...await jobTree(server, id, { prefix: "sleep 30", count: 3 }));
      }
      await killServerExpectingGone(serverPid, pids);
    } finally {
      await cleanUp(server, serverPid, pids);
    }
  },
});

Deno.test({
  name: "kill_job, a timeout and shutdown end a contained job's setsid and daemonised processes",
  ignore: noContainment,
  fn: async () => {
    const pids: number[] = [];
    try {
      {
        await using server = await TestServer.start({ env: CONTAINED });
        // Only this job has a timeout, long enough to find its processes first on a busy machine.
        const timedOut = (await server.ok<{ job_id: string }>("execute_command", {
          command: ESCAPING_JOB,
          timeout: 10,
        })).job_id;
        const timedOutTree = await jobTree(server, timedOut, { prefix: "sleep 30", count: 3 });
        const killed = await server.start(ESCAPING_JOB);
        const killedTree = await jobTree(server, killed, { prefix: "sleep 30", count: 3 });
        pids.push(...killedTree, ...timedOutTree);
        assert.deepEqual(await server.ok("kill_job", { job_id: killed }), { status: "killed" });
        for (const pid of killedTree) await waitUntilGone(pid);
        const status = await server.waitForEnd(timedOut, 20_000);
        assert.equal(status.kill_reason, "timeout");
        for (const pid of timedOutTree) await waitUntilGone(pid);

        const left = await server.start(ESCAPING_JOB);
        pids.push(...await jobTree(server, left, { prefix: "sleep 30", count: 3 }));
      } // closing the client shuts the server down
      for (const pid of pids) await waitUntilGone(pid);
    } finally {
      pids.forEach(killIfAlive);
    }
  },
});

Deno.test({
  name: "a contained job reports its program's own exit code and signal, and says it is contained",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: CONTAINED });
    const exited = await server.waitForEnd(await server.start(`sh -c 'exit 7'`));
    assert.equal(exited.status, "failed");
    assert.equal(exited.exit_code, 7);
    assert.equal(exited.signal, null);
    assert.equal(exited.contained, true);

    const crashed = await server.waitForEnd(await server.start(`sh -c 'kill -SEGV $$'`));
    assert.equal(crashed.status, "failed");
    assert.equal(crashed.signal, "SIGSEGV");
    assert.equal(crashed.exit_code, null);

    const sleeper = await server.start("sleep 300");
    assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), { status: "killed" });
    const killed = await server.ok("get_job_status", { job_id: sleeper });
    assert.equal(killed.signal, "SIGTERM");
    assert.equal(killed.kill_reason, "user");

    const { jobs } = await server.ok<{ jobs: { contained: boolean }[] }>("list_jobs");
    assert.deepEqual(jobs.map((job) => job.contained), [true, true, true]);
    assert.match(server.stderr, /contained=yes/);
  },
});

Deno.test({
  name: "send_signal SIGINT reaches the contained program's trap, not only the sandbox's init",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: CONTAINED });
    const id = await server.start(
      `sh -c 'trap "echo got INT; exit 3" INT; echo ready; while :; do sleep 0.1; done'`,
    );
    await server.waitForOutput(id, (output) => output.stdout.includes("ready"));
    await server.ok("send_signal", { job_id: id, signal: "SIGINT" });
    const status = await server.waitForEnd(id);
    assert.equal(status.exit_code, 3);
    assert.equal(status.kill_reason, null, "a signal is not a kill");
    const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
    assert.equal(output.stdout, "ready\ngot INT\n");
  },
});

Deno.test({
  name: "inside the sandbox cwd, env, stdin, interact with python3 -i and the output cap work",
  ignore: noContainment,
  fn: async () => {
    const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-contained-" }));
    await Deno.mkdir(`${work}/sub`);
    try {
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_WORKING_DIR: work, MCP_BG_MAX_OUTPUT_SIZE: "1KB" },
      });
      const where = await server.ok<{ job_id: string }>("execute_command", {
        command: `sh -c 'pwd; echo "$GREETING"'`,
        cwd: "sub",
        env: { GREETING: "hello inside" },
      });
      await server.waitForEnd(where.job_id);
      const printed = await server.ok("get_job_output", { job_id: where.job_id });
      assert.equal(printed.stdout, `${work}/sub\nhello inside\n`);

      const cat = await server.start("cat");
      const echoed = await server.ok<{ stdout: string }>("interact_with_job", {
        job_id: cat,
        input: "line one",
      });
      assert.equal(echoed.stdout, "line one\n");
      await server.ok("close_stdin", { job_id: cat });
      assert.equal((await server.waitForEnd(cat)).status, "completed");

      const python = await server.start("python3 -i -q");
      // Its first prompt: python is up (its start on a loaded machine can take seconds).
      await server.waitForOutput(python, (output) => output.stderr.startsWith(">>> "), 30_000);
      const answer = await server.ok<{ stdout: string }>("interact_with_job", {
        job_id: python,
        input: "print(6 * 7)",
      });
      assert.equal(answer.stdout, "42\n");
      await server.ok("kill_job", { job_id: python });

      const flood = await server.waitForEnd(await server.start(`sh -c 'yes | head -c 100000'`));
      assert.equal(flood.stdout_bytes, 100_000);
      assert.equal(flood.stdout_dropped_bytes, 100_000 - 1024);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "a contained job sees only its own processes and cannot signal another job's",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: CONTAINED });
    const other = await server.start("sleep 300");
    const [, , otherSleep] = await jobTree(server, other, { prefix: "sleep 300", count: 1 });
    const id = await server.start(
      `sh -c 'ls /proc | grep -c "^[0-9]"; kill -0 ${otherSleep} && echo reached || echo refused'`,
    );
    await server.waitForEnd(id);
    const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
    const [processes, verdict] = output.stdout.trim().split("\n");
    assert.ok(Number(processes) <= 5, `the job saw ${processes} processes`);
    assert.equal(verdict, "refused");
    assert.equal((await server.ok("get_job_status", { job_id: other })).status, "running");
  },
});

Deno.test({
  name: "run by an unprivileged user, a contained server still takes every job process with it",
  ignore: noContainment || !CAN_BE_NOBODY,
  fn: async (t) => {
    // Its own home and Deno cache (nobody may not read root's), and the server as a bundle there:
    // the checkout may sit in a directory nobody cannot enter (a clone in `mktemp -d` is 0700).
    const home = await Deno.makeTempDir({ prefix: "mcp-bg-nobody-" });
    const pids: number[] = [];
    try {
      await Deno.chmod(home, 0o777);
      const bundle = `${home}/mcp-background-job.js`;
      const built = await run(Deno.execPath(), ["bundle", "--quiet", "-o", bundle, MAIN]);
      assert.equal(built.code, 0, built.stderr);
      await Deno.chmod(bundle, 0o644);
      // Deno itself may be installed where nobody cannot run it (e.g. under /root): then the step
      // is reported as ignored, with the reason.
      const reachable = await run(SETPRIV, [...AS_NOBODY, Deno.execPath(), "--version"]);
      if (reachable.code !== 0) {
        console.log(`nobody cannot run ${Deno.execPath()}: ${reachable.stderr.trim()}`);
      }
      await t.step({
        name: "jobs run contained as nobody and die with the server",
        ignore: reachable.code !== 0,
        fn: async () => {
          const server = await TestServer.start({
            command: SETPRIV,
            args: [...AS_NOBODY, Deno.execPath(), "run", "--no-config", "-A", bundle],
            env: { ...CONTAINED, HOME: home, DENO_DIR: `${home}/deno`, MCP_BG_WORKING_DIR: home },
            cwd: home,
          });
          const serverPid = server.pid;
          try {
            const whoami = await server.waitForEnd(await server.start("id -u"));
            assert.equal(whoami.contained, true);
            const { stdout } = await server.ok<{ stdout: string }>("get_job_output", {
              job_id: whoami.job_id,
            });
            assert.equal(stdout, "65534\n");
            const id = await server.start(ESCAPING_JOB);
            pids.push(...await jobTree(server, id, { prefix: "sleep 30", count: 3 }));
            await killServerExpectingGone(serverPid, pids);
          } finally {
            await cleanUp(server, serverPid, pids);
          }
        },
      });
    } finally {
      pids.forEach(killIfAlive);
      await Deno.remove(home, { recursive: true });
    }
  },
});
