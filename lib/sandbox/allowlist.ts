/**
 * Wall 1 of the security boundary, the pure part: how allowlist patterns are matched against a
 * command line and against each program it would run. Fail-closed: any doubt refuses.
 *
 * The rules (the README's Security section explains them for users):
 * 1. some pattern matches the raw command line (searched, as written);
 * 2. for every program the line runs, some pattern *names* it: matched at the very start of
 *    that program's own command (name then arguments) and covering the whole program word, so
 *    `ls` names `ls -l` but neither `lscpu` nor `rm -rf x ls`;
 * 3. a program that runs other programs (a shell, `env`, `xargs`, an interpreter,
 *    `find -exec`, ...) must be named explicitly: the naming pattern contains its name (or
 *    the `find` action) literally, so a catch-all like `.*` or `\w+ ` never lets one through.
 *
 * @module
 */
import { InvalidCommandError } from "../errors.ts";
import { findDangerousPattern } from "./denylist.ts";

// C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph separators: a
// pattern written for one line must never see a second one, and no program name holds these.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/;

/** The first control character in `line` (tab excepted), or `undefined`. */
export function findControlCharacter(line: string): string | undefined {
  return CONTROL_CHARACTER.exec(line)?.[0];
}

/** Whether some pattern matches `line` anywhere (rule 1). */
export function lineMatches(line: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => new RegExp(pattern.source, pattern.flags).test(line));
}

/**
 * Whether `pattern` names the program of `commandText` (rule 2): it matches at index 0 and the
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

/** Whether some pattern names the program of `commandText` (rule 2). */
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
 * literally in its source (rule 3).
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

/**
 * Throws unless `line` matches one of `patterns` (searched as written; `undefined` allows all)
 * and matches no dangerous pattern. The per-program rules live in `command_check.ts`.
 *
 * @example Usage
 * ```ts
 * import { assertCommandAllowed } from "./allowlist.ts";
 * import assert from "node:assert/strict";
 * assertCommandAllowed("ls -l", [/^ls /]);
 * assert.throws(() => assertCommandAllowed("lscpu", [/^ls /]));
 * ```
 *
 * @throws {InvalidCommandError} naming why the command was refused.
 */
export function assertCommandAllowed(line: string, patterns: readonly RegExp[] | undefined): void {
  if (patterns !== undefined && !lineMatches(line, patterns)) {
    throw new InvalidCommandError(`Command not in allowed patterns: ${line}`);
  }
  if (findDangerousPattern(line) !== undefined) {
    throw new InvalidCommandError(`Command contains dangerous pattern and is not allowed: ${line}`);
  }
}
