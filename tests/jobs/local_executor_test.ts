import assert from "node:assert/strict";
import { JobManager } from "../../lib/jobs/job_table.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import type { Executor, SpawnSpec } from "../../lib/jobs/executor.ts";
import { createLocalExecutor } from "../../lib/jobs/local_executor.ts";
import { waitUntilGone } from "../helpers/processes.ts";

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
