/**
 * Containment settings are checked at start: a bad value, a rule that nothing would enforce, or
 * `required` without a working bubblewrap stops the server with exit code 2 and a clear message;
 * `auto` falls back and says why. Wall 2 still refuses programs outside a scoped --allow-run.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { run } from "../helpers/processes.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { denoRunLine } from "../../lib/sandbox/permissions.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

/** Starts the server with `env` and stdin closed, so it stops at once when it starts at all. */
function startServer(env: Record<string, string>, permissions = ["-A"]) {
  return run(Deno.execPath(), [...DENO_RUN, ...permissions, MAIN], { env });
}

Deno.test("invalid or unenforceable containment settings stop the server with exit code 2", async () => {
  const noBwrap = await Deno.makeTempDir({ prefix: "mcp-bg-no-bwrap-" });
  try {
    const cases: [Record<string, string>, RegExp][] = [
      [{ MCP_BG_CONTAINMENT: "sometimes" }, /MCP_BG_CONTAINMENT="sometimes".*auto, required, off/],
      [{ MCP_BG_NETWORK: "maybe" }, /MCP_BG_NETWORK="maybe".*on or off/],
      [{ MCP_BG_CONTAINMENT: "off", MCP_BG_ALLOW_WRITE: "/tmp" }, /MCP_BG_ALLOW_WRITE.*=off/],
      [{ MCP_BG_CONTAINMENT: "off", MCP_BG_DENY_READ: "~/.ssh" }, /MCP_BG_DENY_READ.*=off/],
      [{ MCP_BG_CONTAINMENT: "off", MCP_BG_NETWORK: "off" }, /MCP_BG_NETWORK.*=off/],
      [{ MCP_BG_ALLOW_WRITE: "/no/such/place" }, /MCP_BG_ALLOW_WRITE.*existing paths/],
      // `~user` is not expanded: it would silently name a path under the working directory.
      [{ MCP_BG_DENY_READ: "/etc/x, ~root/.ssh" }, /MCP_BG_DENY_READ.*not ~root\/\.ssh/],
      [{ MCP_BG_ALLOW_WRITE: "~nobody" }, /MCP_BG_ALLOW_WRITE.*not ~nobody/],
      [
        { MCP_BG_CONTAINMENT: "required", PATH: noBwrap },
        /MCP_BG_CONTAINMENT="required".*bwrap not found on PATH.*apt-get install bubblewrap/,
      ],
      [
        { MCP_BG_DENY_READ: "~/.ssh", PATH: noBwrap },
        /MCP_BG_DENY_READ.*containment, which enforces it, is unavailable \(bwrap not found/,
      ],
    ];
    for (const [env, message] of cases) {
      const { code, stdout, stderr } = await startServer(env);
      assert.equal(code, 2, `${JSON.stringify(env)}: exit ${code}, stderr ${stderr}`);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /ready on stdio/);
      assert.equal(stdout, "");
    }
    const scoped = await startServer({ MCP_BG_CONTAINMENT: "required" }, [
      "--allow-env",
      "--allow-read",
      "--allow-run=echo,kill",
    ]);
    assert.equal(scoped.code, 2);
    assert.match(scoped.stderr, /--allow-run does not include bwrap/);

    const fallback = await startServer({ PATH: noBwrap });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(fallback.stderr, /contained=no \(bwrap not found on PATH/);
    const off = await startServer({ MCP_BG_CONTAINMENT: "off" });
    assert.match(off.stderr, /contained=no \(MCP_BG_CONTAINMENT=off\)/);
  } finally {
    await Deno.remove(noBwrap);
  }
});

Deno.test({
  name: "under a scoped --allow-run with bwrap allowed, the program inside is still checked",
  ignore: noContainment,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "mcp-bg-wall2-contained-" });
    try {
      const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^echo ,^sleep ,^sh " }, work);
      const flags = denoRunLine(config, MAIN).line.split(" ").filter((word) =>
        word.startsWith("--")
      );
      assert.ok(flags.includes("--allow-run=echo,sleep,sh,kill,bwrap,cat"), flags.join(" "));
      await using server = await TestServer.start({
        permissions: flags,
        env: { ...CONTAINED, MCP_BG_WORKING_DIR: work },
      });
      const id = await server.start("echo inside");
      const status = await server.waitForEnd(id);
      assert.equal(status.status, "completed");
      assert.equal(status.contained, true);
      const sleeper = await server.start("sleep 300");
      assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), { status: "killed" });
      assert.equal((await server.ok("get_job_status", { job_id: sleeper })).signal, "SIGTERM");

      // send_signal reaches the program, found through cat since /proc needs --allow-all.
      const trap = await server.start(
        `sh -c 'trap "echo got INT; exit 3" INT; echo ready; while :; do sleep 0.1; done'`,
      );
      await server.waitForOutput(trap, (output) => output.stdout.includes("ready"));
      await server.ok("send_signal", { job_id: trap, signal: "SIGINT" });
      assert.equal((await server.waitForEnd(trap)).exit_code, 3);

      const refused = await server.call("execute_command", { command: "touch marker" });
      assert.equal(refused.isError, true);
      assert.match(
        refused.text,
        /^Cannot start "touch": Requires run access to "touch".*--allow-run/,
      );
      const other = await server.call("execute_command", { command: "/bin/echo x" });
      assert.match(other.text, /Requires run access to "\/bin\/echo"/);
      await assert.rejects(Deno.lstat(`${work}/marker`), Deno.errors.NotFound);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
