import assert from "node:assert/strict";
import { JobManager } from "../lib/job_manager.ts";
import { loadConfig } from "../lib/config.ts";

Deno.test("a change listener that throws loses no output and does not break the job's end", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  const failures: unknown[] = [];
  const logError = console.error;
  console.error = (...args: unknown[]) => failures.push(args);
  try {
    const job = manager.start(`sh -c "echo a; sleep 0.2; echo b"`);
    job.onChange(() => {
      throw new Error("listener bug");
    });
    await job.done;
    assert.equal(job.status, "completed");
    assert.equal(job.stdout.text(), "a\nb\n");
    assert.ok(failures.length > 0, "the listener's failure is logged");
  } finally {
    console.error = logError;
    await manager.shutdown();
  }
});
