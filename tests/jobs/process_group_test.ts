import assert from "node:assert/strict";
import { createGroupSignaller, detectGroupSignalMethod } from "../../lib/jobs/process_group.ts";
import { isAlive, killIfAlive, waitUntilGone } from "../helpers/processes.ts";

/** Spawns `sh` leading its own group, with a background grandchild; returns both. */
async function spawnFamily(): Promise<{ child: Deno.ChildProcess; grandchild: number }> {
  const child = new Deno.Command("sh", {
    args: ["-c", "sleep 300 & echo $!; wait"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    detached: true,
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  await child.stdout.cancel();
  return { child, grandchild: Number.parseInt(text) };
}

Deno.test("detectGroupSignalMethod picks Deno.kill under unscoped --allow-run", () => {
  assert.equal(detectGroupSignalMethod(), "deno-kill");
});

for (const method of ["deno-kill", "kill-program"] as const) {
  Deno.test(`${method} signals the whole group, grandchild included`, async () => {
    const { child, grandchild } = await spawnFamily();
    try {
      assert.ok(isAlive(grandchild));
      await createGroupSignaller(method).signal(child, "SIGKILL");
      assert.equal((await child.status).signal, "SIGKILL");
      await waitUntilGone(grandchild);
    } finally {
      killIfAlive(grandchild);
      killIfAlive(child.pid);
      await child.status;
    }
  });
}

for (const method of ["deno-kill", "kill-program", "leader-only"] as const) {
  Deno.test(`${method} does not throw for a group that is already gone`, async () => {
    const child = new Deno.Command("true", { stdin: "null", stdout: "null", detached: true })
      .spawn();
    await child.status;
    const signaller = createGroupSignaller(method);
    await signaller.signal(child, "SIGTERM");
    await signaller.signal(child, "SIGKILL");
  });
}

Deno.test("leader-only reaches the leader only", async () => {
  const { child, grandchild } = await spawnFamily();
  try {
    await createGroupSignaller("leader-only").signal(child, "SIGKILL");
    assert.equal((await child.status).signal, "SIGKILL");
    assert.ok(isAlive(grandchild), "leader-only cannot reach the rest of the group");
  } finally {
    killIfAlive(grandchild);
    await waitUntilGone(grandchild);
  }
});
