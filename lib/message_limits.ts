/**
 * The largest JSON-RPC message the server reads or writes, on every transport. Clients built on
 * the official SDK drop the whole connection on a stdio message over 10 MiB, so the server stays
 * well under that, and a client cannot make it buffer more than this per request.
 *
 * @module
 */

/** The most bytes of serialized JSON-RPC one message from the server may take (4 MiB). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The most bytes one request from a client may take; a longer one is refused alone (4 MiB). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/**
 * `bytes` as a short figure for messages: `4 MiB`, `512 KiB`, `100 bytes`.
 *
 * @example Usage
 * ```ts
 * import { formatBytes } from "./message_limits.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatBytes(4 * 1024 * 1024), "4 MiB");
 * assert.equal(formatBytes(1536), "1.5 KiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, "KiB"] : [bytes / 1024 / 1024, "MiB"];
  return `${Number(value.toFixed(1))} ${unit}`;
}
