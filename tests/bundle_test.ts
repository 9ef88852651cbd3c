/**
 * The single-file bundle (`deno task bundle`), run alone — no deno.json, no node_modules —
 * with only the permission set `server` from deno.json, and driven by a real MCP client.
 */
import assert from "node:assert/strict";
import { permissionFlags, readPermissionSet } from "../scripts/build.ts";
import { helpText } from "../lib/cli/cli.ts";
import { VERSION } from "../lib/version.ts";
import { TestServer } from "./helpers/mcp_client.ts";
import { isAlive, run, waitUntilGone } from "./helpers/processes.ts";
import { DENO_RUN, MAIN } from "./helpers/server_entry.ts";

Deno.test("the bundle runs alone and serves MCP over stdio", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-bundle-" });
  try {
    const bundle = `${dir}/mcp-background-job.js`;
    // The same command as `deno task bundle`, written to a private directory.
    const built = await run(Deno.execPath(), ["bundle", "--quiet", "-o", bundle, MAIN]);
    assert.equal(built.code, 0, built.stderr);
    const permissions = ["--no-config", ...permissionFlags(readPermissionSet())];
    const deno = (...args: string[]) =>
      run(Deno.execPath(), [...DENO_RUN, ...permissions, bundle, ...args], { cwd: dir });

    await t.step("--version prints the package version", async () => {
      const result = await deno("--version");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${VERSION}\n`);
    });

    await t.step("--help prints the help text", async () => {
      const result = await deno("--help");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${helpText()}\n`);
    });

    await t.step("an unknown flag exits 2 with a hint", async () => {
      const result = await deno("--vesion");
      assert.equal(result.code, 2);
      assert.match(result.stderr, /Unknown option "--vesion"; did you mean --version\?/);
    });

    await t.step("initialize, run a job, read its output, kill another", async () => {
      await using server = await TestServer.start({ entry: bundle, permissions, cwd: dir });
      assert.equal(server.client.getServerVersion()?.version, VERSION);

      const echo = await server.start("echo from the bundle");
      assert.equal((await server.waitForEnd(echo)).status, "completed");
      const output = await server.ok("get_job_output", { job_id: echo });
      assert.equal(output.stdout, "from the bundle\n");

      const sleeper = await server.start(`sh -c "sleep 300 & echo $!; wait"`);
      const grandchild = await server.pidPrintedBy(sleeper);
      assert.ok(isAlive(grandchild));
      assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), { status: "killed" });
      await waitUntilGone(grandchild, 10_000);
      assert.equal((await server.ok("get_job_status", { job_id: sleeper })).status, "killed");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
