/**
 * Configuration from `MCP_BG_*` environment variables, parsed and validated once.
 * An invalid value is a {@linkcode ConfigError}: the server refuses to start rather than
 * silently fall back (a dropped allowlist would be a security hole).
 *
 * @module
 */
import { ConfigError } from "./errors.ts";
import { loadShell, type ShellConfig } from "./sandbox/shell_config.ts";

/** The validated, frozen configuration every other module reads. */
export interface Config {
  /** Jobs allowed to run at once; finished jobs never hold a slot. */
  readonly maxJobs: number;
  /** Bytes kept per stream per job; the newest are kept. */
  readonly maxOutputSize: number;
  /** Seconds after which a running job is killed, or `undefined` for no limit. */
  readonly jobTimeoutSeconds: number | undefined;
  /** Seconds a finished job is kept before it is dropped from memory. */
  readonly cleanupIntervalSeconds: number;
  /** Absolute directory jobs run in. */
  readonly workingDir: string;
  /** Allowlist patterns (as written); `undefined` allows every command. */
  readonly allowedCommands: readonly RegExp[] | undefined;
  /** `MCP_BG_SHELL`: run each line as `<shell> -c <line>`; `undefined` runs argv directly. */
  readonly shell: ShellConfig | undefined;
}

const UNITS: Record<string, number> = { "": 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const MIN_OUTPUT = 1024;
const MAX_OUTPUT = 1024 ** 3;
/** The longest job time limit in seconds: setTimeout fires at once for delays over 2^31-1 ms. */
export const MAX_TIMER_SECONDS = 2_147_483;

/**
 * Parses a byte size such as `10MB`, `512KB` or `4096`.
 *
 * @example Usage
 * ```ts
 * import { parseByteSize } from "./config.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseByteSize("2KB"), 2048);
 * ```
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = UNITS[match[2]!.toUpperCase()];
  if (unit === undefined) return undefined;
  return Math.floor(Number(match[1]) * unit);
}

function integerIn(
  env: Record<string, string | undefined>,
  name: string,
  range: { min: number; max?: number },
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const valid = range.max === undefined
    ? `a whole number ≥ ${range.min}`
    : `a whole number from ${range.min} to ${range.max}`;
  if (!/^\s*\d+\s*$/.test(raw)) throw new ConfigError(name, raw, valid);
  const value = Number(raw);
  if (value < range.min || (range.max !== undefined && value > range.max)) {
    throw new ConfigError(name, raw, valid);
  }
  return value;
}

function outputSize(env: Record<string, string | undefined>): number {
  const name = "MCP_BG_MAX_OUTPUT_SIZE";
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return 10 * 1024 ** 2;
  const value = parseByteSize(raw);
  if (value === undefined || value < MIN_OUTPUT || value > MAX_OUTPUT) {
    throw new ConfigError(name, raw, "a byte count or a number with KB, MB or GB, from 1KB to 1GB");
  }
  return value;
}

function workingDir(env: Record<string, string | undefined>, cwd: string): string {
  const name = "MCP_BG_WORKING_DIR";
  const raw = env[name];
  if (raw === undefined || raw === "") return cwd;
  let path: string;
  try {
    path = Deno.realPathSync(raw);
  } catch (error) {
    throw new ConfigError(name, raw, `an existing directory (${(error as Error).message})`);
  }
  if (!Deno.statSync(path).isDirectory) throw new ConfigError(name, raw, "an existing directory");
  return path;
}

/** Splits the comma-separated allowlist; each non-empty entry must compile as a regex. */
function allowedCommands(env: Record<string, string | undefined>): RegExp[] | undefined {
  const name = "MCP_BG_ALLOWED_COMMANDS";
  const raw = env[name];
  if (raw === undefined) return undefined;
  // Entries are kept exactly as written: a trailing space in "^ls " is part of the pattern.
  const entries = raw.split(",").filter((entry) => entry.trim() !== "");
  if (entries.length === 0) {
    throw new ConfigError(name, raw, "one or more comma-separated regular expressions");
  }
  return entries.map((entry) => {
    try {
      return new RegExp(entry);
    } catch (error) {
      throw new ConfigError(name, raw, `valid regular expressions (${(error as Error).message})`);
    }
  });
}

/**
 * Reads and validates every `MCP_BG_*` variable.
 *
 * @example Usage
 * ```ts
 * import { loadConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * const config = loadConfig({ MCP_BG_MAX_JOBS: "3" }, Deno.cwd());
 * assert.equal(config.maxJobs, 3);
 * ```
 *
 * @throws {ConfigError} naming the variable, the value and the valid range.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string): Config {
  const allowed = allowedCommands(env);
  return Object.freeze({
    maxJobs: integerIn(env, "MCP_BG_MAX_JOBS", { min: 1, max: 100 }) ?? 10,
    maxOutputSize: outputSize(env),
    jobTimeoutSeconds: integerIn(env, "MCP_BG_JOB_TIMEOUT", { min: 1, max: MAX_TIMER_SECONDS }),
    cleanupIntervalSeconds: integerIn(env, "MCP_BG_CLEANUP_INTERVAL", { min: 10, max: 86400 }) ??
      300,
    workingDir: workingDir(env, cwd),
    allowedCommands: allowed,
    shell: loadShell(env, { cwd, allowlist: allowed !== undefined }),
  });
}
