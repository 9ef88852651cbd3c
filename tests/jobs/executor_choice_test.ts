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
import { RawStdioServer } from "../helpers/raw_stdio.ts";
import { descendantsOf, waitUntilGone } from "../helpers/processes.ts";

const { available } = containmentAvailability();
const IMMEDIATE_RESPONSE = "io.modelcontextprotocol/model-immediate-response";
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

  Deno.test(`jobs sent with initialize wait for the choice and run as chosen (containment ${mode})`, async () => {
    const { server, ids } = await RawStdioServer.startWith(
      { MCP_BG_CONTAINMENT: mode },
      Array.from({ length: 5 }, (_, i) => ({
        method: "tools/call",
        params: { name: "execute_command", arguments: { command: `echo first-${i}` } },
      })),
    );
    await using _ = server;
    for (const [i, id] of ids.entries()) {
      const started = await server.reply(id);
      const jobId = started.result?.structuredContent?.job_id;
      assert.equal(typeof jobId, "string", JSON.stringify(started));
      const ended = await server.callTool("wait_for_job", { job_id: jobId, timeout: 20 });
      const status = ended.result?.structuredContent;
      assert.equal(status?.status, "completed", JSON.stringify(ended));
      assert.equal(status?.contained, expectContained);
      const output = await server.callTool("get_job_output", { job_id: jobId });
      assert.equal(output.result?.structuredContent?.stdout, `first-${i}\n`);
    }
  });

  Deno.test(`the ready line says how jobs run (containment ${mode})`, async () => {
    await using server = await TestServer.start({ env: { MCP_BG_CONTAINMENT: mode } });
    const ready = await server.waitForStderrLine(/ready on stdio;/);
    assert.match(ready.input, expectContained ? /contained=yes/ : /contained=no/);
  });

  // Sent in the same write as initialize, so they reach the server while it still chooses.
  Deno.test(`a run_command task sent with initialize names its job in its first answer (containment ${mode})`, async () => {
    const { server, ids: [task] } = await RawStdioServer.startWith(
      { MCP_BG_CONTAINMENT: mode },
      [{
        method: "tools/call",
        params: {
          name: "run_command",
          arguments: { command: "echo tasked" },
          task: { ttl: 60_000 },
        },
      }],
    );
    await using _ = server;
    const created = await server.reply(task);
    const immediate = String(created.result?._meta?.[IMMEDIATE_RESPONSE]);
    const jobId = /^run_command runs as task \S+ on job (\S+);/.exec(immediate)?.[1];
    assert.ok(jobId !== undefined, immediate);
    const ended = await server.callTool("wait_for_job", { job_id: jobId, timeout: 20 });
    assert.equal(
      ended.result?.structuredContent?.contained,
      expectContained,
      JSON.stringify(ended),
    );
  });

  for (const tty of [false, true]) {
    Deno.test(`if_running reuse${tty ? " of a tty job" : ""}, sent twice with initialize, starts one job (containment ${mode})`, async () => {
      const reuse = {
        method: "tools/call",
        params: {
          name: "execute_command",
          arguments: { command: "sleep 30", name: "dev", tty, if_running: "reuse" },
        },
      };
      const { server, ids } = await RawStdioServer.startWith({ MCP_BG_CONTAINMENT: mode }, [
        reuse,
        reuse,
      ]);
      await using _ = server;
      const [first, second] = await Promise.all(
        ids.map(async (id) => (await server.reply(id)).result?.structuredContent),
      );
      assert.equal(second.job_id, first.job_id, JSON.stringify([first, second]));
      assert.equal([first.reused, second.reused].filter(Boolean).length, 1);
      await server.callTool("kill_job", { job_id: first.job_id });
    });
  }

  Deno.test(`PATH entries below a file or in a link loop do not fail jobs sent with initialize (containment ${mode})`, async () => {
    // Before node:fs is loaded (after start-up), a lookup there must read as "not there".
    const loop = await Deno.makeTempDir({ prefix: "mcp-bg-link-loop-" });
    await Deno.symlink("x", `${loop}/x`);
    try {
      for (const entry of ["/etc/passwd", `${loop}/x`]) {
        const { server, ids: [start] } = await RawStdioServer.startWith(
          { MCP_BG_CONTAINMENT: mode, PATH: `${entry}:${Deno.env.get("PATH")}` },
          [{
            method: "tools/call",
            params: { name: "execute_command", arguments: { command: "echo through" } },
          }],
        );
        await using _ = server;
        const started = await server.reply(start);
        const jobId = started.result?.structuredContent?.job_id;
        assert.equal(typeof jobId, "string", `${entry}: ${JSON.stringify(started)}`);
        const output = await server.callTool("wait_for_job", { job_id: jobId, timeout: 20 });
        const status = output.result?.structuredContent;
        // execvp (setsid's) gives up at a link loop as a shell's lookup would not: said, not hidden.
        if (entry !== "/etc/passwd" && status?.status === "failed") {
          assert.match(status.stderr_last_line, /Too many levels of symbolic links/);
        } else assert.equal(status?.status, "completed", JSON.stringify(output));
      }
    } finally {
      await Deno.remove(loop, { recursive: true });
    }
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
