/**
 * A safety net of destructive command shapes that are refused even when the allowlist would let
 * them through. It is not the security boundary (a determined caller can phrase things other
 * ways); the allowlist and Deno's `--allow-run` are.
 *
 * @module
 */

/** Patterns for commands that wreck a machine, kept in the spirit of the Python server's list. */
export const DANGEROUS_PATTERNS: readonly RegExp[] = [
  /\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*\s+|-[a-zA-Z]*f[a-zA-Z]*\s+|--recursive\s+|--force\s+)*\/(\s|\*|$)/, // rm -rf /
  /\brm\s+.*--no-preserve-root/,
  /\bsudo\s+rm\b/,
  /\bmkfs(\.\w+)?\b/,
  /\bdd\s+.*\bof=\/dev\//,
  />\s*\/dev\/(sd|hd|nvme|vd|xvd)/,
  /\b(curl|wget)\b.*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/,
  /:\s*\(\s*\)\s*\{.*:\s*\|\s*:.*\}/, // the classic fork bomb
  /\bchmod\s+(-[a-zA-Z]*R[a-zA-Z]*\s+)?0?777\s+\/(\s|$)/,
  /\bchown\s+-[a-zA-Z]*R[a-zA-Z]*\s+\S+\s+\/(\s|$)/,
];

/** Returns the first dangerous pattern `line` matches, or `undefined`. */
export function findDangerousPattern(line: string): RegExp | undefined {
  return DANGEROUS_PATTERNS.find((pattern) => pattern.test(line));
}
