/**
 * Test helpers for containment: whether bubblewrap is usable here (tests that need it are
 * ignored otherwise, with the reason printed once), and the host pids of a job's processes.
 *
 * @module
 */
import { join } from "node:path";
import { containmentAvailability } from "../../lib/jobs/containment.ts";
import { FILTER_DIR_PREFIX } from "../../lib/sandbox/seccomp/filter_dir_owner.ts";
import type { ToolClient } from "./mcp_client.ts";
import { commandLineOf, delay, descendantsOf } from "./processes.ts";

const availability = containmentAvailability();
if (!availability.available) {
  console.log(`containment tests skipped: ${availability.reason}`);
}

/** `true` when bubblewrap cannot make a sandbox here: pass as `ignore` to `Deno.test`. */
export const noContainment = !availability.available;

/** The server environment that insists on containment. */
export const CONTAINED: Readonly<Record<string, string>> = Object.freeze({
  MCP_BG_CONTAINMENT: "required",
});

/**
 * Waits until the job's process tree, seen from the host, holds `count` processes whose command
 * line starts with `prefix`, and returns every process of the tree (bwrap's own included).
 */
export async function jobTree(
  server: ToolClient,
  jobId: string,
  options: { prefix: string; count: number },
): Promise<number[]> {
  const { pid } = await server.ok<{ pid: number }>("get_job_status", { job_id: jobId });
  for (let i = 0; i < 500; i++) {
    const tree = descendantsOf(pid);
    const matching = tree.filter((child) => commandLineOf(child).startsWith(options.prefix));
    if (matching.length >= options.count) return [pid, ...tree];
    await delay(20);
  }
  throw new Error(`job ${jobId} never had ${options.count} "${options.prefix}" processes`);
}

/** A job that leaves a `setsid` grandchild and a double-forked daemon, then waits. */
export const ESCAPING_JOB =
  `sh -c 'setsid sleep 300 & (sh -c "sleep 301 &" &); sleep 302 & echo started; wait'`;

/**
 * Removes the seccomp filter directory that the SIGKILLed server `pid` could not remove itself
 * (the next contained server would), so that a test which kills its server leaves nothing in the
 * temp directory. Returns how many it removed.
 */
export function removeFilterDirectoryOf(pid: number): number {
  const tempDir = Deno.env.get("TMPDIR") || "/tmp";
  let removed = 0;
  // In the killed server's user's directory, which need not be the test's (a server run as nobody).
  for (const users of Deno.readDirSync(tempDir)) {
    if (!users.isDirectory || !/^\S+-u\d+$/.test(users.name)) continue;
    if (!users.name.startsWith(FILTER_DIR_PREFIX)) continue;
    const dir = join(tempDir, users.name);
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (!entry.name.startsWith(`${FILTER_DIR_PREFIX}${pid}-`)) continue;
        Deno.removeSync(join(dir, entry.name), { recursive: true });
        removed++;
      }
      // Empty once no server of that user runs: the servers remove it as they exit; so does this.
      if (removed > 0) Deno.removeSync(dir);
    } catch {
      // Another user's directory this test may not read, or another server's is still in it.
    }
  }
  return removed;
}
