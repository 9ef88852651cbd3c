/**
 * The pattern engine (RE2, `npm:re2js`, and the patterns built on it), loaded on the first
 * `filter` or `pattern` a client sends: a server that is never asked for one does not load,
 * evaluate or keep it.
 *
 * @module
 */

let loading: Promise<typeof import("./line_pattern.ts")> | undefined;

/**
 * The `line_pattern` module, imported once.
 *
 * @example Usage
 * ```ts
 * import { loadPatterns } from "./load_patterns.ts";
 * import assert from "node:assert/strict";
 * const { compilePattern } = await loadPatterns();
 * assert.ok(compilePattern("filter", "^ok").test("ok"));
 * ```
 */
export function loadPatterns(): Promise<typeof import("./line_pattern.ts")> {
  loading ??= import("./line_pattern.ts");
  return loading;
}
