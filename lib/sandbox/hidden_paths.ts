/**
 * What a contained job cannot see of the host: the host's `/tmp` when `MCP_BG_ALLOW_WRITE` gives
 * each job a private one (but for writable directories bound back into it), and every path under
 * `MCP_BG_DENY_READ`. A program found on the host in such a place would fail inside the sandbox
 * with bubblewrap's bare `execvp` error; this says why before it starts.
 *
 * @module
 */
import { normalize } from "node:path";
import type { ContainmentPolicy } from "./containment_policy.ts";
import { existing } from "./rule_paths.ts";

/** Whether `path` is `dir` or inside it. */
function within(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(`${dir}/`);
}

/**
 * Why a job under `policy` cannot see the absolute `path` (checked as written and with its
 * symlinks followed), or `undefined` when it can. `workingDir` is the server's working directory,
 * which a job may write, and so sees, even under `/tmp`.
 *
 * @example Usage
 * ```ts
 * import { whyHidden } from "./hidden_paths.ts";
 * import assert from "node:assert/strict";
 * const policy = { allowWrite: [], denyRead: [], network: true };
 * assert.match(whyHidden("/tmp/tools/x", policy, "/etc")!, /private, empty \/tmp/);
 * assert.equal(whyHidden("/bin/sh", policy, "/etc"), undefined);
 * ```
 */
export function whyHidden(
  path: string,
  policy: ContainmentPolicy,
  workingDir: string,
): string | undefined {
  const seen = [normalize(path), existing(path)?.real].filter((p) => p !== undefined);
  for (const rule of policy.denyRead) {
    const target = existing(rule);
    if (target === undefined) continue;
    const hides = (p: string) => target.directory ? within(p, target.real) : p === target.real;
    if (seen.some(hides)) return `MCP_BG_DENY_READ hides ${JSON.stringify(rule)} from jobs`;
  }
  if (policy.allowWrite === undefined) return undefined;
  const boundBack = [workingDir, ...policy.allowWrite].map((dir) => existing(dir)?.real)
    .filter((dir) => dir !== undefined);
  const inPrivateTmp = (p: string) => within(p, "/tmp") && !boundBack.some((dir) => within(p, dir));
  if (seen.some(inPrivateTmp)) {
    return "MCP_BG_ALLOW_WRITE gives each job a private, empty /tmp";
  }
  return undefined;
}
