import assert from "node:assert/strict";
import { JobManager } from "../../lib/jobs/job_table.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import type { Executor, SpawnSpec } from "../../lib/jobs/executor.ts";
import { createLocalExecutor } from "../../lib/jobs/local_executor.ts";
import { waitUntilGone } from "../helpers/processes.ts";
import type { Argv } from "../../lib/sandbox/command_line.ts";

Deno.test("the job table starts every job through the executor it was given", async () => {
  const local = createLocalExecutor();
  const specs: SpawnSpec[] = [];
  const recording: Executor = {
    signalMethod: local.signalMethod,
    spawn(spec) {
      specs.push(spec);
      return local.spawn(spec);
    },
  };
  const manager = new JobManager(loadConfig({}, Deno.cwd()), { executor: recording });
  try {
    const job = manager.start("echo seam", { stdin: "closed", env: { MARK: "1" } });
    await job.done;
    assert.equal(job.stdout.text(), "seam\n");
    assert.equal(job.contained, false);
    assert.equal(specs.length, 1);
    assert.equal(specs[0]!.argv[1], "seam");
    assert.equal(specs[0]!.stdin, "closed");
    assert.equal(specs[0]!.envAdditions?.MARK, "1");
  } finally {
    await manager.shutdown();
  }
});

Deno.test("a local process's SIGKILL ends its whole group and its status names the signal", async () => {
  const spawned = createLocalExecutor().spawn({
    argv: ["sh", "-c", "sleep 300 & echo $!; wait"],
    cwd: Deno.cwd(),
    stdin: "closed",
  });
  const reader = spawned.stdout.getReader();
  const { value } = await reader.read();
  const grandchild = Number.parseInt(new TextDecoder().decode(value));
  await spawned.signal("SIGKILL");
  const status = await spawned.status;
  await reader.cancel();
  await spawned.stderr.cancel();
  assert.equal(status.signal, "SIGKILL");
  assert.equal(status.success, false);
  await waitUntilGone(grandchild);
});

/** pid, process group and session of the process that printed its own /proc/self/stat fields. */
async function idsPrinted(argv: Argv, env?: Record<string, string>): Promise<number[]> {
  const spawned = createLocalExecutor().spawn({ argv, cwd: Deno.cwd(), stdin: "closed", env });
  const [stdout] = await Promise.all([
    new Response(spawned.stdout).text(),
    spawned.stderr.cancel(),
  ]);
  await spawned.status;
  return stdout.trim().split(" ").map(Number).concat(spawned.pid);
}

Deno.test("a local job leads its own session and process group, with the pid the server sees", async () => {
  const report = "cut -d' ' -f1,5,6 /proc/$$/stat";
  // A bare name found on PATH, an absolute path, and a script started by its #! line.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/report.sh`, `#!/bin/sh\n${report}\n`, { mode: 0o755 });
    const argvs: Argv[] = [["sh", "-c", report], ["/bin/sh", "-c", report], [`${dir}/report.sh`]];
    for (const argv of argvs) {
      const [pid, group, session, seen] = await idsPrinted(argv);
      assert.deepEqual([pid, group, session], [seen, seen, seen], argv.join(" "));
    }
    // With its own environment (clearEnv) too.
    const [pid, group, session, seen] = await idsPrinted(["sh", "-c", report], {
      PATH: "/usr/bin:/bin",
    });
    assert.deepEqual([pid, group, session], [seen, seen, seen]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a signal sent the moment a local job starts reaches it, before its group exists too", async () => {
  // Started through setsid, a job makes its group a moment after spawn() returns; a group
  // signal in that moment used to be lost (ESRCH), leaving `sleep` running.
  for (let i = 0; i < 20; i++) {
    const spawned = createLocalExecutor().spawn({
      argv: ["sleep", "30"],
      cwd: Deno.cwd(),
      stdin: "closed",
    });
    await spawned.signal("SIGTERM");
    const status = await spawned.status;
    await Promise.all([spawned.stdout.cancel(), spawned.stderr.cancel()]);
    assert.equal(status.signal, "SIGTERM");
  }
});
