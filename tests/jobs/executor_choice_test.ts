/**
 * A server chooses where jobs run (contained or not) once it is serving, not before it answers
 * `initialize`: the jobs asked for in the meantime wait for that choice and then run as chosen,
 * none is refused or run uncontained by mistake, and a server that ends during the choice
 * leaves no process of it behind.
 */
import assert from "node:assert/strict";
import { JobManager } from "../../lib/jobs/job_table.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import { containmentAvailability } from "../../lib/jobs/containment.ts";
import { TestServer } from "../helpers/mcp_client.ts";
import { descendantsOf, waitUntilGone } from "../helpers/processes.ts";

const { available } = containmentAvailability();
const MODES = available ? ["auto", "required", "off"] : ["auto", "off"];

for (const mode of MODES) {
  const expectContained = mode !== "off" && available;

  Deno.test(`a JobManager starts jobs only once ready() has chosen the executor (containment ${mode})`, async () => {
    const manager = new JobManager(loadConfig({ MCP_BG_CONTAINMENT: mode }, Deno.cwd()));
    try {
      // Off needs no choice; any other mode waits for ready().
      assert.equal(manager.isReady, mode === "off");
      if (!manager.isReady) {
        assert.throws(() => manager.start("true"), /await manager\.ready\(\)/);
        assert.throws(() => manager.executor, /await manager\.ready\(\)/);
      }
      const [first, second] = await Promise.all([manager.ready(), manager.ready()]);
      assert.equal(first, second, "one choice, however many ask");
      assert.equal(manager.isReady, true);
      const job = manager.start("echo chosen");
      await job.done;
      assert.equal(job.stdout.text(), "chosen\n");
      assert.equal(job.contained, expectContained);
    } finally {
      await manager.shutdown();
    }
  });

  Deno.test(`jobs asked for right after initialize wait for the choice and run as chosen (containment ${mode})`, async () => {
    await using server = await TestServer.start({ env: { MCP_BG_CONTAINMENT: mode } });
    // Sent at once, before the server can have finished choosing.
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) => server.start(`echo first-${i}`)),
    );
    for (const [i, id] of ids.entries()) {
      const ended = await server.waitForEnd(id);
      assert.equal(ended.status, "completed", JSON.stringify(ended));
      assert.equal(ended.contained, expectContained);
      const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
      assert.equal(output.stdout, `first-${i}\n`);
    }
    const ready = await server.waitForStderrLine(/ready on stdio;/);
    assert.match(ready.input, expectContained ? /contained=yes/ : /contained=no/);
  });
}

Deno.test("a server whose client leaves during the executor choice leaves no process behind", async () => {
  // Containment auto: the choice runs one trial sandbox, which must not outlive the server.
  const server = await TestServer.start({ env: { MCP_BG_CONTAINMENT: "auto" } });
  const pid = server.pid;
  const seen = new Set(descendantsOf(pid));
  await server.close();
  await waitUntilGone(pid);
  for (const child of seen) await waitUntilGone(child);
});
