/**
 * Quoting a client's value in an error message: at most a short prefix, so that a refusal never
 * echoes a huge input back (escaped, it could grow past what one message may carry).
 *
 * @module
 */

/** How much of a client's value an error message quotes. */
export const MAX_QUOTED_CHARS = 64;

/** `text` cut to `max` characters, the cut marked with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

/**
 * `value` as JSON, cut to a few dozen characters, for an error message; non-finite numbers (a
 * `1e400` read as `Infinity`) are named as such rather than shown as `null`.
 *
 * @example Usage
 * ```ts
 * import { quoted } from "./quote.ts";
 * import assert from "node:assert/strict";
 * assert.equal(quoted("x".repeat(100)), `"${"x".repeat(62)}…`);
 * assert.equal(quoted(Infinity), "a number too large");
 * ```
 */
export function quoted(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return "a number too large";
  return cut(JSON.stringify(value) ?? typeof value, MAX_QUOTED_CHARS);
}
