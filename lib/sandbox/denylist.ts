/**
 * A safety net of destructive command shapes that are refused even when the allowlist would let
 * them through. It is not the security boundary (a determined caller can phrase things other
 * ways); the allowlist and Deno's `--allow-run` are.
 *
 * Every check runs in time linear in the line's length: the line comes from the client, so a
 * pattern that backtracks (`(a|a)*`, or `.*` between two parts that may each occur many times)
 * would let one crafted line freeze the server. A shape with several parts is therefore a list
 * of patterns that must all match, each searched once from the start of the line, in any order.
 *
 * @module
 */

/** A destructive shape: the line matches it when it matches every one of these patterns. */
export type DangerousShape = readonly RegExp[];

// `^` plus one greedy scan: a lookahead tried from the start only, never from every position.
const somewhere = (source: string) => new RegExp(String.raw`^[\s\S]*?(?:${source})`);

/** Shapes of commands that wreck a machine, kept in the spirit of the Python server's list. */
export const DANGEROUS_PATTERNS: readonly DangerousShape[] = [
  // rm -rf /: options (each a dash then letters, or a long one) before `/` alone or `/*`. Not
  // after a dash: in `rm -rm -rm ...` every inner `rm` would rescan the options that follow.
  [new RegExp(String.raw`(?<![\w-])rm\s+(?:(?:-[a-zA-Z]+|--[a-z-]+)\s+)*\/(?:\s|\*|$)`)],
  [somewhere(String.raw`\brm\s`), /--no-preserve-root/],
  [/\bsudo\s+rm\b/],
  [/\bmkfs(?:\.\w+)?\b/],
  [somewhere(String.raw`\bdd\s`), /\bof=\/dev\//],
  [/>\s*\/dev\/(?:sd|hd|nvme|vd|xvd)/],
  [
    somewhere(String.raw`\b(?:curl|wget)\b`),
    /\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b/,
  ],
  // The classic fork bomb, `:(){ :|:& };:`.
  [/:\s*\(\s*\)\s*\{/, /:\s*\|\s*:/, /\}/],
  [/\bchmod\s+(?:-[a-zA-Z]+\s+)?0?777\s+\/(?:\s|$)/],
  [/\bchown\s+-[a-zA-Z]+\s+\S+\s+\/(?:\s|$)/],
];

/**
 * Returns the first dangerous shape `line` matches, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import { findDangerousPattern } from "./denylist.ts";
 * import assert from "node:assert/strict";
 * assert.notEqual(findDangerousPattern("rm -rf /"), undefined);
 * assert.equal(findDangerousPattern("rm -rf build/"), undefined);
 * ```
 */
export function findDangerousPattern(line: string): DangerousShape | undefined {
  return DANGEROUS_PATTERNS.find((shape) => shape.every((pattern) => pattern.test(line)));
}
