/**
 * Wall 1 of the security boundary: may this command line run? Pure and fail-closed.
 *
 * @module
 */
import { InvalidCommandError } from "./errors.ts";
import { findDangerousPattern } from "./denylist.ts";

/**
 * Throws unless `line` is allowed by `patterns` (searched as written; `undefined` allows all)
 * and matches no dangerous pattern.
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
  if (patterns !== undefined && !patterns.some((pattern) => pattern.test(line))) {
    throw new InvalidCommandError(`Command not in allowed patterns: ${line}`);
  }
  if (findDangerousPattern(line) !== undefined) {
    throw new InvalidCommandError(`Command contains dangerous pattern and is not allowed: ${line}`);
  }
}
