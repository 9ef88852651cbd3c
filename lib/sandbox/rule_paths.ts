/**
 * The paths of containment rules (`MCP_BG_ALLOW_WRITE`, `MCP_BG_DENY_READ`, the working
 * directory), resolved on the host: where each leads, that it still leads there, and the
 * directories above it that a job could rename to move it away or swap for a symlink.
 *
 * @module
 */
import { dirname } from "node:path";

/** The file a path leads to. */
export interface ResolvedPath {
  readonly real: string;
  readonly directory: boolean;
}

/** `path` with every symlink followed, or `undefined` when it does not exist. */
export function existing(path: string): ResolvedPath | undefined {
  try {
    const real = Deno.realPathSync(path);
    return { real, directory: Deno.statSync(real).isDirectory };
  } catch (error) {
    // Nothing there, or not reachable by the server (a HOME it may not enter), nor so by its
    // jobs, which run as its user: nothing to hide or to open up.
    if (
      error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      return undefined;
    }
    throw error;
  }
}

/** A rule's path no longer leads where it did: applying the rule now could miss its target. */
export class RulePathMoved extends Error {}

/**
 * Where each of `variable`'s paths leads, checked against where it led the first time it was
 * seen. A job that can write above a rule's path could rename a directory on the way, or swap
 * it for a symlink (`mv conf c2`, `ln -s /var x`), so that a deny rule matches nothing for the
 * next job or a write rule opens another directory: once a rule's path has existed, it must
 * keep leading to the same place, or no job starts. (A file replaced in place, as editors and
 * credential tools save, still leads there: the rule hides the new one.)
 *
 * @throws {RulePathMoved} naming the path when it is gone or leads elsewhere.
 */
export function trackedTargets(
  paths: readonly string[],
  seen: Map<string, ResolvedPath> | undefined,
  variable: string,
): ResolvedPath[] {
  const targets: ResolvedPath[] = [];
  for (const path of paths) {
    const found = existing(path);
    const before = seen?.get(`${variable}=${path}`);
    if (before !== undefined && found?.real !== before.real) {
      throw new RulePathMoved(
        `${variable} path ${JSON.stringify(path)} was moved or removed since ` +
          `a job first ran (it led to ${JSON.stringify(before.real)}); what it names may now be ` +
          "elsewhere, so no job starts until it is back or the server restarts",
      );
    }
    if (found === undefined) continue;
    seen?.set(`${variable}=${path}`, found);
    targets.push(found);
  }
  return targets;
}

/** Whether `path` is `dir` or inside it. */
function within(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(`${dir}/`);
}

// What the sandbox mounts afresh: nothing of the host's there to pin.
const OWN_MOUNTS = ["/dev", "/proc", "/sys"];

/**
 * The directories strictly between the deepest writable root holding each of `paths` and the
 * path itself, outermost first: binding each onto itself makes it a mount point, which `rename`
 * refuses to move (EBUSY). Roots are themselves mounts already; paths in no writable root
 * cannot be moved by a job and need none.
 *
 * @example Usage
 * ```ts
 * import { pinnedAncestors } from "./rule_paths.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(pinnedAncestors(["/w/a/b/secret"], ["/w"]), ["/w/a", "/w/a/b"]);
 * assert.deepEqual(pinnedAncestors(["/etc/secret"], ["/w"]), []);
 * ```
 */
export function pinnedAncestors(paths: readonly string[], roots: readonly string[]): string[] {
  const pinned = new Set<string>();
  for (const path of paths) {
    const root = roots.filter((dir) => within(path, dir) && path !== dir)
      .sort((a, b) => b.length - a.length)[0];
    if (root === undefined || OWN_MOUNTS.some((dir) => within(path, dir))) continue;
    const above: string[] = [];
    for (let dir = dirname(path); dir !== root && within(dir, root); dir = dirname(dir)) {
      above.unshift(dir);
    }
    above.forEach((dir) => pinned.add(dir));
  }
  return [...pinned].sort((a, b) => a.split("/").length - b.split("/").length);
}
