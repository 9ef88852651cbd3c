/**
 * Whose filter directory is whose: each server names its directory after its pid and the pid's start
 * time (`/proc/<pid>/stat`), so that a later server can remove the directories of servers that were
 * killed (`SIGKILL` dispatches no "unload") without touching one whose server still runs.
 *
 * @module
 */
import { join } from "node:path";
import { statFields } from "../../proc_stat.ts";

/** The start of every filter directory's name. */
export const FILTER_DIR_PREFIX = "mcp-bg-seccomp-";

/** The start time of `pid` in clock ticks since boot, or `undefined` when it is gone. */
function startTime(pid: number | "self"): string | undefined {
  return statFields(pid)?.[19];
}

/** This server's name prefix, `mcp-bg-seccomp-<pid>-<start time>-`; the bare prefix without /proc. */
export function ownPrefix(): string {
  try {
    return `${FILTER_DIR_PREFIX}${Deno.pid}-${startTime("self")}-`;
  } catch {
    return FILTER_DIR_PREFIX;
  }
}

/** Whether the server that named `name` is gone; `false` when that cannot be told. */
function ownerGone(name: string): boolean {
  const [pid, start] = name.slice(FILTER_DIR_PREFIX.length).split("-");
  if (!/^\d+$/.test(pid ?? "") || !/^\d+$/.test(start ?? "")) return false;
  try {
    return startTime(Number(pid)) !== start;
  } catch {
    return false;
  }
}

/**
 * Removes, beside `own` (this server's directory), every filter directory of this user whose
 * server is gone. Best effort: what cannot be read or removed stays.
 */
export function removeAbandoned(tempDir: string, own: string): void {
  try {
    const uid = Deno.lstatSync(join(tempDir, own)).uid;
    for (const entry of Deno.readDirSync(tempDir)) {
      if (!entry.isDirectory || !entry.name.startsWith(FILTER_DIR_PREFIX) || entry.name === own) {
        continue;
      }
      const path = join(tempDir, entry.name);
      if (Deno.lstatSync(path).uid === uid && ownerGone(entry.name)) {
        Deno.removeSync(path, { recursive: true });
      }
    }
  } catch {
    // Another user's directory, a race with its server, or no permission: left as it is.
  }
}
