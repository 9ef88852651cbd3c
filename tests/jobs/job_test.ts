import assert from "node:assert/strict";
import { JobManager } from "../../lib/jobs/job_table.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import { MemoryLogger } from "../../lib/logger.ts";
import { createGroupSignaller, type GroupSignaller } from "../../lib/jobs/process_group.ts";

Deno.test("a change listener that throws loses no output and does not break the job's end", async () => {
  const logger = new MemoryLogger();
  const manager = new JobManager(loadConfig({}, Deno.cwd()), { logger });
  await manager.ready();
  try {
    const job = manager.start(`sh -c "echo a; sleep 0.2; echo b"`);
    job.onChange(() => {
      throw new Error("listener bug");
    });
    await job.done;
    assert.equal(job.status, "completed");
    assert.equal(job.stdout.text(), "a\nb\n");
    assert.ok(logger.lines.length > 0, "the listener's failure is logged");
    assert.equal(logger.lines[0], `job ${job.id}: change listener failed: listener bug`);
  } finally {
    await manager.shutdown();
  }
});

Deno.test("a job event listener that throws is reported to the injected logger, not the console", async () => {
  const logger = new MemoryLogger();
  const manager = new JobManager(loadConfig({}, Deno.cwd()), { logger });
  await manager.ready();
  const logError = console.error;
  const printed: unknown[] = [];
  console.error = (...args: unknown[]) => printed.push(args);
  try {
    manager.onEvent((event) => {
      if (event.kind === "started") throw new Error("listener bug");
    });
    const job = manager.start("true");
    await job.done;
    assert.deepEqual(logger.lines, [
      `job event listener failed for started ${job.id}: listener bug`,
    ]);
    assert.deepEqual(printed, []);
  } finally {
    console.error = logError;
    await manager.shutdown();
  }
});

Deno.test("shutdown stops every other job when one job's kill fails", async () => {
  const real = createGroupSignaller();
  let refusedPid = -1;
  // Stands for a group the server may not signal (EPERM), e.g. a set-user-ID leader.
  const signaller: GroupSignaller = {
    method: real.method,
    async signal(child, signal) {
      if (child.pid === refusedPid && signal === "SIGTERM") {
        throw new Deno.errors.PermissionDenied("Operation not permitted");
      }
      await real.signal(child, signal);
    },
  };
  const logger = new MemoryLogger();
  const manager = new JobManager(loadConfig({}, Deno.cwd()), {
    signaller,
    killGraceMs: 200,
    logger,
  });
  await manager.ready();
  const stubborn = manager.start("sleep 60");
  refusedPid = stubborn.pid;
  const others = [1, 2].map(() => manager.start(`sh -c 'trap "" TERM; sleep 60'`));
  try {
    await manager.shutdown();
    assert.deepEqual(others.map((job) => job.status), ["killed", "killed"]);
    assert.deepEqual(logger.lines, [`job ${stubborn.id}: kill failed: Operation not permitted`]);
  } finally {
    Deno.kill(-stubborn.pid, "SIGKILL");
    await stubborn.done;
    await Promise.all(others.map((job) => job.done));
  }
});
