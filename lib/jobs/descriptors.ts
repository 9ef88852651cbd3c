/**
 * The process's file descriptors: its limit, how many are open, and how many connections the HTTP
 * server may hold (fewer than the limit, with descriptors kept in reserve for jobs, three pipes
 * each plus bubblewrap's own, and for the server's files, so a flood of connections cannot starve
 * them).
 *
 * @module
 */

/** Descriptors the server may use at once, or `undefined` when `/proc` does not say. */
export function descriptorLimit(): number | undefined {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
    if (soft === undefined) return undefined;
    return soft === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(soft);
  } catch {
    return undefined;
  }
}

/** Descriptors open now, or `undefined` when `/proc` does not say. */
export function descriptorsInUse(): number | undefined {
  try {
    return [...Deno.readDirSync("/proc/self/fd")].length;
  } catch {
    return undefined;
  }
}

/** Connections held at most however high the limit, so a huge limit does not mean a huge table. */
export const MOST_CONNECTIONS = 10_000;
/** Connections held at most when the limit cannot be read (no Linux `/proc`). */
const UNKNOWN_LIMIT_CONNECTIONS = 256;

/**
 * The most connections to hold open under a descriptor limit of `limit` with `inUse` open now: a
 * quarter of the limit (at least 128) and what is in use stay free for jobs and files.
 *
 * @example Usage
 * ```ts
 * import { connectionCap } from "./descriptors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(connectionCap(1024, 40), 728);
 * assert.equal(connectionCap(256, 30), 98);
 * assert.equal(connectionCap(1_048_576, 40), 10_000);
 * ```
 */
export function connectionCap(
  limit = descriptorLimit(),
  inUse = descriptorsInUse() ?? 64,
): number {
  if (limit === undefined) return UNKNOWN_LIMIT_CONNECTIONS;
  const reserve = Math.max(128, Math.floor(limit / 4));
  return Math.max(8, Math.min(MOST_CONNECTIONS, limit - reserve - inUse));
}

/**
 * Whether `error` (from starting a process) means the server ran out of descriptors: the kernel's
 * EMFILE, or a spawn that failed without saying why while nearly every descriptor is in use.
 */
export function outOfDescriptors(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  if (/Too many open files|EMFILE|os error 24/.test(message)) return true;
  const limit = descriptorLimit(), inUse = descriptorsInUse();
  return limit !== undefined && inUse !== undefined && inUse >= limit - 8;
}

/** What a client is told when a job cannot start for lack of descriptors. */
export function descriptorShortage(): string {
  const limit = descriptorLimit();
  return `the server is out of file descriptors (limit ${limit ?? "unknown"}): end a job or ` +
    "wait for connections to close, or start the server with a higher limit (ulimit -n)";
}
