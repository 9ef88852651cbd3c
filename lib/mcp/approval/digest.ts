/**
 * SHA-256 for the approval digests, from `node:crypto`, loaded only by a server that asks the
 * person (`MCP_BG_APPROVAL=ask`, known at start-up): about 0.5 MiB of heap and 1 MiB of RSS a
 * stdio server without approvals does not pay. The digests stay synchronous (see
 * `session_approvals.ts`), so they ask for the hash already loaded.
 *
 * @module
 */
import type { createHash, Hash } from "node:crypto";

let hashing: typeof createHash | undefined;

/**
 * Loads the hash; call it before a server with approvals starts. Later calls return at once.
 *
 * @example Usage
 * ```ts
 * import { loadApprovalDigests, sha256 } from "./digest.ts";
 * import assert from "node:assert/strict";
 * await loadApprovalDigests();
 * assert.equal(sha256().update("").digest("hex").slice(0, 8), "e3b0c442");
 * ```
 */
export async function loadApprovalDigests(): Promise<void> {
  hashing ??= (await import("node:crypto")).createHash;
}

/**
 * A fresh SHA-256 hash.
 *
 * @throws {Error} when {@linkcode loadApprovalDigests} has not run: nothing is approved then.
 */
export function sha256(): Hash {
  if (hashing === undefined) {
    throw new Error("Approval digests are not loaded: call loadApprovalDigests() first");
  }
  return hashing("sha256");
}
