/**
 * Reading `/proc/<pid>/stat`, whose second field (the command name in parentheses) may itself hold
 * spaces and parentheses.
 *
 * @module
 */

/**
 * The fields of `/proc/<pid>/stat` from the third (state) on, so field N of proc(5) is at index
 * N - 3; `undefined` when the process is gone (or was never there).
 *
 * @example Usage
 * ```ts
 * import { statFields } from "./proc_stat.ts";
 * import assert from "node:assert/strict";
 * assert.equal(Number(statFields(Deno.pid)![1]) > 0, true); // the parent pid
 * ```
 */
export function statFields(pid: number | "self"): string[] | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  // Count from the last ")": the name before it may hold spaces and parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
