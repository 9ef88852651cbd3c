import assert from "node:assert/strict";
import { JobManager } from "../../../lib/jobs/job_table.ts";
import { loadConfig } from "../../../lib/settings/config.ts";
import { listJobs } from "../../../lib/mcp/tools/list_jobs.ts";
import { assertStillWorking, TestServer } from "../../helpers/mcp_client.ts";

Deno.test("list_jobs cuts a long command, which get_job_status keeps whole", async () => {
  await using server = await TestServer.start();
  const command = `echo ${"a".repeat(100_000)}`;
  const id = await server.start(command);
  await server.waitForEnd(id);
  const { jobs } = await server.ok<{ jobs: { command: string }[] }>("list_jobs");
  assert.equal(jobs.length, 1);
  assert.ok(jobs[0].command.startsWith(command.slice(0, 1000)));
  assert.match(
    jobs[0].command,
    /… \(99005 more characters: get_job_status has the whole command\)$/,
  );
  assert.equal((await server.ok("get_job_status", { job_id: id })).command, command);
  await assertStillWorking(server);
});

Deno.test("listJobs lists the newest jobs that fit its budget and counts the rest", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    for (let i = 0; i < 6; i++) await manager.start(`echo job-${i}`).done;
    const all = listJobs(manager.list());
    assert.equal(all.jobs.length, 6);
    assert.equal(all.omitted, 0);
    const oneEntry = JSON.stringify(all.jobs[0]).length + 1;
    const some = listJobs(manager.list(), oneEntry * 2 + 10);
    assert.deepEqual(some.jobs.map((job) => job.command), ["echo job-5", "echo job-4"]);
    assert.equal(some.omitted, 4);
    assert.deepEqual(listJobs(manager.list(), 10), { jobs: [], omitted: 6 });
  } finally {
    await manager.shutdown();
  }
});
