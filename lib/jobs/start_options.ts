/**
 * Checks for the optional settings a client may give a new job: its directory, environment
 * additions, time limit and label.
 *
 * @module
 */
import { quoted } from "../quote.ts";
import { isAbsolute, join, sep } from "node:path";
import { ToolError } from "../errors.ts";
import { runsOtherCode } from "../sandbox/sensitive_env.ts";

/** Variables every job gets unless the server's environment or the client sets them. */
export const DEFAULT_JOB_ENV: Readonly<Record<string, string>> = Object.freeze({
  // Python block-buffers stdout into a pipe; unbuffered output reaches interact_with_job at once.
  PYTHONUNBUFFERED: "1",
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The most variables one job may add. */
export const MAX_ENV_ADDITIONS = 100;
/** The longest job label. */
export const MAX_NAME_LENGTH = 200;

/** Why `name` may not be set by a client, or `undefined` when it may. */
export function refusedEnvReason(name: string): string | undefined {
  if (!ENV_NAME.test(name)) {
    return "not a valid name (letters, digits and _, not starting with a digit)";
  }
  if (runsOtherCode(name)) {
    return "it could make the job run a program the allowlist does not allow";
  }
  return undefined;
}

/**
 * Checks environment additions.
 *
 * @example Usage
 * ```ts
 * import { checkEnvAdditions } from "./start_options.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkEnvAdditions({ PORT: "3000" }), { PORT: "3000" });
 * assert.throws(() => checkEnvAdditions({ LD_PRELOAD: "x.so" }));
 * ```
 *
 * @throws {ToolError} naming the first refused variable and why.
 */
export function checkEnvAdditions(env: Record<string, string>): Record<string, string> {
  const entries = Object.entries(env);
  if (entries.length > MAX_ENV_ADDITIONS) {
    throw new ToolError(
      `Invalid env: ${entries.length} variables given; at most ${MAX_ENV_ADDITIONS} are accepted`,
    );
  }
  for (const [name, value] of entries) {
    const reason = refusedEnvReason(name);
    if (reason !== undefined) {
      throw new ToolError(`Invalid env variable ${quoted(name)}: ${reason}`);
    }
    if (value.includes("\0")) {
      throw new ToolError(
        `Invalid env variable ${quoted(name)}: the value contains a NUL byte`,
      );
    }
  }
  return Object.fromEntries(entries);
}

/**
 * Why jobs cannot start in `dir`, when it has been deleted or replaced since the server started
 * (a failed spawn would otherwise blame the program: `program not found`); `undefined` when it is
 * a directory.
 *
 * @example Usage
 * ```ts
 * import { missingDirectory } from "./start_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(missingDirectory(Deno.cwd()), undefined);
 * assert.match(missingDirectory("/no/such/dir") ?? "", /no longer exists/);
 * ```
 */
export function missingDirectory(dir: string): string | undefined {
  try {
    if (Deno.statSync(dir).isDirectory) return undefined;
    return `the working directory ${quoted(dir)} is no longer a directory`;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return `the working directory ${quoted(dir)} no longer exists`;
  }
}

// Linux refuses a path longer than this (PATH_MAX less its NUL) with "File name too long".
const MAX_PATH_CHARS = 4095;

/**
 * Resolves `cwd` (relative to `workingDir`, or absolute) to a real directory inside `workingDir`,
 * following symlinks before the check so that no link leads outside.
 *
 * @throws {ToolError} when it does not exist, is not a directory, or lies outside `workingDir`.
 */
export function resolveJobCwd(workingDir: string, cwd: string): string {
  if (cwd.includes("\0")) {
    throw new ToolError(`Invalid cwd ${quoted(cwd)}: contains a NUL byte`);
  }
  if (cwd.length > MAX_PATH_CHARS) {
    throw new ToolError(
      `Invalid cwd ${quoted(cwd)}: ${cwd.length} characters, longer than a path may be ` +
        `(${MAX_PATH_CHARS})`,
    );
  }
  const joined = isAbsolute(cwd) ? cwd : join(workingDir, cwd);
  let real: string;
  try {
    real = Deno.realPathSync(joined);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ToolError(`Invalid cwd ${quoted(cwd)}: no such directory`, {
        cause: error,
      });
    }
    throw new ToolError(`Invalid cwd ${quoted(cwd)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const root = workingDir.endsWith(sep) ? workingDir : workingDir + sep;
  if (real !== workingDir && !real.startsWith(root)) {
    throw new ToolError(
      `Invalid cwd ${quoted(cwd)}: it resolves to ${quoted(real)}, outside the working directory ${
        JSON.stringify(workingDir)
      }`,
    );
  }
  if (!Deno.statSync(real).isDirectory) {
    throw new ToolError(`Invalid cwd ${quoted(cwd)}: not a directory`);
  }
  return real;
}

/** Reads `name` from the server's environment, or `undefined` when unset or not permitted. */
function serverEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // No permission to read the variable: treat it as unset.
    return undefined;
  }
}

/**
 * The variables to add to a job's environment: the defaults the base environment (`base`, or the
 * server's own when `undefined`) does not set, then the client's additions.
 */
export function jobEnvAdditions(
  base: Record<string, string> | undefined,
  additions: Record<string, string> = {},
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(DEFAULT_JOB_ENV)) {
    const existing = base === undefined ? serverEnv(name) : base[name];
    if (existing === undefined) result[name] = value;
  }
  return { ...result, ...additions };
}
