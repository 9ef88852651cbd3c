/**
 * What a red team found in the background choice of the executor (containment `auto`): a `PATH`
 * the server may not read still fails start-up instead of failing every job later; a trial
 * sandbox that never ends does not hold the server up, nor outlive it.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { delay, isAlive, killIfAlive, run, waitUntilGone } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

Deno.test("containment auto with a PATH entry the server may not read stops at start-up (exit 2)", async () => {
  const hidden = await Deno.makeTempDir({ prefix: "mcp-bg-unreadable-path-" });
  try {
    for (const deny of [hidden, `${hidden},/nonexistent-too`]) {
      const { code, stderr } = await run(
        Deno.execPath(),
        [...DENO_RUN, "-A", `--deny-read=${deny}`, MAIN],
        { env: { MCP_BG_CONTAINMENT: "auto", PATH: `${hidden}:${Deno.env.get("PATH")}` } },
      );
      assert.equal(code, 2, stderr);
      assert.match(stderr, /cannot start: .*Requires read access to "[^"]*mcp-bg-unreadable-path-/);
      assert.doesNotMatch(stderr, /ready on stdio/);
    }
  } finally {
    await Deno.remove(hidden, { recursive: true });
  }
});

Deno.test("a trial sandbox that never ends does not keep the server from stopping, nor outlives it", async () => {
  // A `bwrap` first on PATH that records its pid and then hangs.
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-hung-bwrap-" });
  const pidFile = `${dir}/pid`;
  await Deno.writeTextFile(`${dir}/bwrap`, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 120\n`);
  await Deno.chmod(`${dir}/bwrap`, 0o755);
  let trialPid: number | undefined;
  const server = await TestServer.start({
    env: { MCP_BG_CONTAINMENT: "auto", PATH: `${dir}:${Deno.env.get("PATH")}` },
  });
  const serverPid = server.pid;
  try {
    // The trial starts once the server serves; its pid file says it is running.
    for (let i = 0; trialPid === undefined && i < 400; i++) {
      const text = await Deno.readTextFile(pidFile).catch(() => "");
      if (text.endsWith("\n")) trialPid = Number(text);
      else await delay(50);
    }
    assert.ok(trialPid !== undefined && isAlive(trialPid), "the trial sandbox never started");
    // Closing stdin ends the server, which stops the trial instead of waiting for it.
    await server.close();
    await waitUntilGone(serverPid, 10_000);
    await waitUntilGone(trialPid, 10_000);
  } finally {
    if (trialPid !== undefined) killIfAlive(trialPid);
    killIfAlive(serverPid);
    await Deno.remove(dir, { recursive: true });
  }
});
