/**
 * What the user reads when the server cannot start: one line, no stack trace.
 *
 * @module
 */
import { UsageError } from "./cli.ts";
import { ConfigError, StartupError } from "../errors.ts";

/** The exit code of every start-up failure the user can fix (a bad flag, value or permission). */
export const STARTUP_FAILURE_EXIT_CODE = 2;

/**
 * The one line to print for a start-up failure the user can fix, or `undefined` for any other
 * error (a bug, whose stack trace is worth seeing).
 *
 * @example Usage
 * ```ts
 * import { startupFailureLine } from "./startup_failure.ts";
 * import { ConfigError } from "../errors.ts";
 * import assert from "node:assert/strict";
 * const line = startupFailureLine(new ConfigError("MCP_BG_MAX_JOBS", "0", "a whole number"));
 * assert.equal(line, 'cannot start: Invalid MCP_BG_MAX_JOBS="0": expected a whole number');
 * assert.equal(startupFailureLine(new TypeError("a bug")), undefined);
 * ```
 */
export function startupFailureLine(error: unknown): string | undefined {
  if (error instanceof UsageError) return error.message;
  if (error instanceof ConfigError || error instanceof StartupError) {
    return `cannot start: ${error.message}`;
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    // Deno's message names the flag ("Requires env access, run again with the --allow-env flag").
    return `cannot start: ${error.message} (the server needs --allow-env, --allow-read and ` +
      "--allow-run; --print-permissions derives the narrowest set)";
  }
  return undefined;
}
