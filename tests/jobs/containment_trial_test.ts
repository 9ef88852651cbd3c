/**
 * What a red team found in the background choice of the executor (containment `auto`): a `PATH`
 * the server may not read still fails start-up instead of failing every job later; a trial
 * sandbox that never ends holds up neither the server's end nor its jobs for more than 10 s.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { delay, isAlive, killIfAlive, run, waitUntilGone } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

/** A directory whose `bwrap` records its pid in `pid` and then hangs, for the front of PATH. */
async function hangingBwrap(): Promise<{ dir: string; pidFile: string }> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-hung-bwrap-" });
  const pidFile = `${dir}/pid`;
  await Deno.writeTextFile(`${dir}/bwrap`, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 120\n`);
  await Deno.chmod(`${dir}/bwrap`, 0o755);
  return { dir, pidFile };
}

/** The pid the hanging bwrap wrote, once it has started. */
async function trialPidOf(pidFile: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const text = await Deno.readTextFile(pidFile).catch(() => "");
    if (text.endsWith("\n")) return Number(text);
    await delay(50);
  }
  throw new Error("the trial sandbox never started");
}

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

Deno.test("a trial sandbox that never ends does not keep the server from stopping", async () => {
  const { dir, pidFile } = await hangingBwrap();
  let trialPid: number | undefined;
  const server = await TestServer.start({
    env: { MCP_BG_CONTAINMENT: "auto", PATH: `${dir}:${Deno.env.get("PATH")}` },
  });
  const serverPid = server.pid;
  try {
    trialPid = await trialPidOf(pidFile);
    assert.ok(isAlive(trialPid));
    // Closing stdin ends the server at once: it does not wait for the trial (close fails the
    // test when the server is still there 20 s later, twice the trial's own time limit).
    await server.close();
    await waitUntilGone(serverPid, 10_000);
  } finally {
    // Left to end by itself (a real bwrap does, within milliseconds): this one never would.
    if (trialPid !== undefined) killIfAlive(trialPid);
    if (trialPid !== undefined) await waitUntilGone(trialPid);
    killIfAlive(serverPid);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a trial sandbox that never ends is stopped after 10 s: jobs run uncontained and the ready line says why", async () => {
  const { dir, pidFile } = await hangingBwrap();
  let trialPid: number | undefined;
  await using server = await TestServer.start({
    env: { MCP_BG_CONTAINMENT: "auto", PATH: `${dir}:${Deno.env.get("PATH")}` },
  });
  try {
    trialPid = await trialPidOf(pidFile);
    const ready = await server.waitForStderrLine(/ready on stdio;/, 60_000);
    assert.match(ready.input, /contained=no \(bwrap made no sandbox within 10 s\)/);
    await waitUntilGone(trialPid, 10_000);
    const id = await server.start("echo after");
    const ended = await server.waitForEnd(id);
    assert.equal(ended.status, "completed");
    assert.equal(ended.contained, false);
  } finally {
    if (trialPid !== undefined) killIfAlive(trialPid);
    await Deno.remove(dir, { recursive: true });
  }
});
