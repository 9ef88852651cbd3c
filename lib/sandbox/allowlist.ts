/**
 * Wall 1 of the security boundary, the pure part: how allowlist patterns are matched against a
 * command line and against each program it would run. The gate that applies them, and the
 * numbered list of every rule, is `prepareCommand` in `command_check.ts`; SECURITY.md's Wall 1
 * explains the same rules, by the same numbers, for users.
 *
 * @module
 */

/**
 * Whether some pattern matches `line` anywhere (rule 4).
 *
 * @example Usage
 * ```ts
 * import { lineMatches } from "./allowlist.ts";
 * import assert from "node:assert/strict";
 * assert.ok(lineMatches("ls -l", [/^ls /]));
 * assert.ok(!lineMatches("lscpu", [/^ls /]));
 * ```
 */
export function lineMatches(line: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => new RegExp(pattern.source, pattern.flags).test(line));
}

/**
 * Whether `pattern` names the program of `commandText` (rule 6): it matches at index 0 and the
 * match covers at least `nameText`, the program word as it appears at the start of `commandText`.
 *
 * @example Usage
 * ```ts
 * import { patternNamesProgram } from "./allowlist.ts";
 * import assert from "node:assert/strict";
 * assert.ok(patternNamesProgram(/ls/, "ls -l", "ls"));
 * assert.ok(!patternNamesProgram(/ls/, "lscpu", "lscpu"));
 * assert.ok(!patternNamesProgram(/ls/, "rm -rf x ls", "rm"));
 * ```
 */
export function patternNamesProgram(
  pattern: RegExp,
  commandText: string,
  nameText: string,
): boolean {
  const sticky = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "") + "y");
  const match = sticky.exec(commandText);
  return match !== null && match.index === 0 && match[0].length >= nameText.length;
}

/** Whether some pattern names the program of `commandText` (rule 6). */
export function someNamesProgram(
  patterns: readonly RegExp[],
  commandText: string,
  nameText: string,
): boolean {
  return patterns.some((pattern) => patternNamesProgram(pattern, commandText, nameText));
}

function containsWord(source: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  // Written in the pattern either plainly or with regex escapes (`\-exec`, `python3\.12`).
  const loose = escaped.replace(/\\(.)/g, "\\\\?\\$1");
  return new RegExp(`(^|[^A-Za-z0-9_])${loose}($|[^A-Za-z0-9_])`).test(source);
}

/**
 * Whether some pattern names the program of `commandText` and spells one of `triggers`
 * literally in its source (rule 8).
 */
export function someNamesExplicitly(
  patterns: readonly RegExp[],
  commandText: string,
  nameText: string,
  triggers: readonly string[],
): boolean {
  return patterns.some((pattern) =>
    patternNamesProgram(pattern, commandText, nameText) &&
    triggers.some((trigger) => containsWord(pattern.source, trigger))
  );
}
