/**
 * Wall 2: the server under a scoped `--allow-run` (no `-A`) serves normally, refuses programs
 * outside the list with a clear message, and still kills whole process groups.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { isAlive, killIfAlive, waitUntilGone } from "../helpers/processes.ts";
import { denoRunLine, programsNamedBy } from "../../lib/sandbox/permissions.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import { DENO_RUN } from "../helpers/server_entry.ts";

const SCOPED = ["--allow-env", "--allow-read", "--allow-run=echo,sh,sleep,kill"];

/**
 * The path of a real shared library on this machine, harmless to preload: the C math library
 * this Deno process has loaded (read from /proc, so no `ldconfig`, which is outside a non-root
 * user's PATH).
 */
function harmlessLibrary(): string {
  const maps = Deno.readTextFileSync("/proc/self/maps").split("\n");
  const path = maps.map((line) => line.split(/\s+/)[5] ?? "").find((file) =>
    /\/libm\.so\.6$/.test(file)
  );
  assert.ok(path, "this Deno process has no libm.so.6 loaded");
  return path;
}

Deno.test("under scoped --allow-run an allowed job runs and a disallowed one is refused", async () => {
  const work = await Deno.makeTempDir({ prefix: "mcp-bg-wall2-" });
  try {
    await using server = await TestServer.start({
      permissions: SCOPED,
      env: { MCP_BG_WORKING_DIR: work },
    });
    const id = await server.start("echo hello");
    assert.equal((await server.waitForEnd(id)).status, "completed");
    assert.equal((await server.ok("get_job_output", { job_id: id })).stdout, "hello\n");

    const refused = await server.call("execute_command", { command: "touch marker" });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /^Cannot start "touch": .*--allow-run/);
    const other = await server.call("execute_command", { command: "/bin/echo x" });
    assert.match(other.text, /Requires run access to "\/bin\/echo"/);
    await assert.rejects(Deno.lstat(`${work}/marker`), Deno.errors.NotFound);
    assert.match(server.stderr, /group_kill=kill-program/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("under scoped --allow-run kill_job, timeouts and shutdown leave no descendant", async () => {
  const pids: number[] = [];
  try {
    {
      await using server = await TestServer.start({ permissions: SCOPED });
      const killed = await server.start(`sh -c "sleep 300 & echo $!; wait"`);
      // Only this job has a timeout (the kill_job above must not race a timer), long enough for
      // its shell to print the grandchild's pid first on a stalled machine.
      const timedOut = (await server.ok<{ job_id: string }>("execute_command", {
        command: `sh -c "sleep 301 & echo $!; wait"`,
        timeout: 10,
      })).job_id;
      pids.push(await server.pidPrintedBy(killed), await server.pidPrintedBy(timedOut));
      assert.deepEqual(await server.ok("kill_job", { job_id: killed }), { status: "killed" });
      await waitUntilGone(pids[0]!, 10_000);
      const status = await server.waitForEnd(timedOut, 20_000);
      assert.equal(status.kill_reason, "timeout");
      await waitUntilGone(pids[1]!, 10_000);

      const left = await server.start(`sh -c "sleep 302 & echo $!; wait"`);
      pids.push(await server.pidPrintedBy(left));
      assert.ok(isAlive(pids[2]!));
    } // closing the client shuts the server down
    await waitUntilGone(pids[2]!, 10_000);
  } finally {
    pids.forEach(killIfAlive);
  }
});

Deno.test("jobs start under scoped --allow-run even when the server has LD_PRELOAD set", async () => {
  const library = harmlessLibrary();
  await using server = await TestServer.start({
    permissions: SCOPED,
    env: { LD_PRELOAD: library, ld_library_path: "/nonexistent" },
  });
  const id = await server.start(`sh -c "echo [$LD_PRELOAD] [$ld_library_path]"`);
  assert.equal((await server.waitForEnd(id)).status, "completed");
  assert.equal((await server.ok("get_job_output", { job_id: id })).stdout, "[] []\n");
});

Deno.test("--print-permissions derives allow-run from the allowlist's literal programs", async () => {
  assert.deepEqual(programsNamedBy(/^ls /), ["ls"]);
  assert.deepEqual(programsNamedBy(/^git( |$)/), ["git"]);
  assert.deepEqual(programsNamedBy(/^(?:npm|npx)\s/), ["npm", "npx"]);
  assert.deepEqual(programsNamedBy(/^python3\.12 /), ["python3.12"]);
  assert.deepEqual(programsNamedBy(/^ls/), ["ls"]);
  assert.equal(programsNamedBy(/ls /), undefined);
  assert.equal(programsNamedBy(/^l.s /), undefined);
  assert.equal(programsNamedBy(/^lsx? /), undefined);

  const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^ls ,^(git|npm)( |$),.*" }, "/tmp");
  const { line, notes } = denoRunLine(config, "/srv/main.ts");
  assert.equal(
    line,
    "deno run --allow-env --allow-read --allow-run=ls,git,npm,kill,bwrap,sh,cat /srv/main.ts",
  );
  assert.match(notes[0]!, /pattern \/\.\*\/ names no literal program/);
  assert.match(notes[1]!, /containment: bwrap starts every job/);
  const uncontained = loadConfig(
    { MCP_BG_ALLOWED_COMMANDS: "^ls ", MCP_BG_CONTAINMENT: "off" },
    "/",
  );
  assert.match(denoRunLine(uncontained, "m.ts").line, / --allow-run=ls,kill m\.ts$/);

  const command = new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "--allow-env", "--allow-read", "main.ts", "--print-permissions"],
    cwd: new URL("../..", import.meta.url).pathname,
    env: { MCP_BG_ALLOWED_COMMANDS: "^echo " },
    stderr: "null",
  });
  const printed = new TextDecoder().decode((await command.output()).stdout);
  assert.match(
    printed,
    /^deno run --allow-env --allow-read --allow-run=echo,kill,bwrap,sh,cat \S+main\.ts\n$/,
  );
});

Deno.test("the printed permissions are enough to serve the allowlisted programs", async () => {
  const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^echo ,^sleep " }, Deno.cwd());
  const { line } = denoRunLine(config, "main.ts");
  const flags = line.split(" ").filter((word) => word.startsWith("--"));
  await using server = await TestServer.start({
    permissions: flags,
    env: { MCP_BG_ALLOWED_COMMANDS: "^echo ,^sleep " },
  });
  const id = await server.start("echo fine");
  assert.equal((await server.waitForEnd(id)).status, "completed");
  const sleeper = await server.start("sleep 300");
  assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), { status: "killed" });
  const refused = await server.call("execute_command", { command: "sh -c 'echo x'" });
  assert.match(refused.text, /^Invalid command: Command not in allowed patterns/);
});
