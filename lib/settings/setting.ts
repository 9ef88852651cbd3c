/**
 * One `MCP_BG_*` environment variable: how it is read, its default, and how `--help`, the
 * start-up line and `--doctor` describe it. The builders here make the common kinds, so that a
 * range or a default is written once and the error message and the help text both follow from it.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** What a setting may look at besides its own value. */
export interface SettingContext {
  /** Every environment variable (e.g. `PATH`, or another setting's raw value). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The server's working directory. */
  readonly cwd: string;
}

/** One environment variable of the server. */
export interface Setting<T> {
  /** The variable's name. */
  readonly variable: `MCP_BG_${string}`;
  /** One line for `--help`: what it controls and which values are valid. */
  readonly help: string;
  /** The value used when it is unset, as `--help` shows it. */
  readonly default: string;
  /** Reads the raw value (`undefined` when unset). @throws {ConfigError} when it is invalid. */
  read(raw: string | undefined, context: SettingContext): T;
  /** `key=value` for the start-up line and `--doctor`. */
  show(value: T): string;
  /** `false` keeps it out of the one-line start-up summary (`--doctor` still shows it). */
  readonly brief?: boolean;
  /** `true` for a secret of the server's: the variable is removed from every job's environment. */
  readonly secret?: boolean;
}

/** `MCP_BG_MAX_JOBS` → `max_jobs`, the key the start-up line uses. */
export function keyOf(variable: string): string {
  return variable.replace(/^MCP_BG_/, "").toLowerCase();
}

const isBlank = (raw: string | undefined): raw is undefined =>
  raw === undefined || raw.trim() === "";

interface WholeNumberSpec {
  readonly variable: `MCP_BG_${string}`;
  /** What it controls; the range is appended. */
  readonly help: string;
  readonly min: number;
  readonly max: number;
  /** Shown after the number on the start-up line, e.g. `s`. */
  readonly unit?: string;
}

/**
 * A whole number from `min` to `max`; a blank value counts as unset. With `default`, an unset
 * variable takes it; with `unset` instead, an unset variable is `undefined` and `--help` shows
 * that text.
 *
 * @example Usage
 * ```ts
 * import { wholeNumber } from "./setting.ts";
 * import assert from "node:assert/strict";
 * const jobs = wholeNumber({ variable: "MCP_BG_MAX_JOBS", help: "Jobs", min: 1, max: 9, default: 3 });
 * assert.equal(jobs.read(undefined, { env: {}, cwd: "/" }), 3);
 * assert.equal(jobs.help, "Jobs (1-9).");
 * assert.equal(jobs.show(4), "max_jobs=4");
 * ```
 */
export function wholeNumber(spec: WholeNumberSpec & { default: number }): Setting<number>;
export function wholeNumber(
  spec: WholeNumberSpec & { unset: string },
): Setting<number | undefined>;
export function wholeNumber(
  spec: WholeNumberSpec & { default?: number; unset?: string },
): Setting<number | undefined> {
  const valid = `a whole number from ${spec.min} to ${spec.max}`;
  return {
    variable: spec.variable,
    help: `${spec.help} (${spec.min}-${spec.max}).`,
    default: spec.default === undefined ? spec.unset! : String(spec.default),
    read(raw) {
      if (isBlank(raw)) return spec.default;
      const value = Number(raw);
      if (!/^\s*\d+\s*$/.test(raw) || value < spec.min || value > spec.max) {
        throw new ConfigError(spec.variable, raw, valid);
      }
      return value;
    },
    show: (value) =>
      `${keyOf(spec.variable)}=${value === undefined ? spec.unset : `${value}${spec.unit ?? ""}`}`,
  };
}

/**
 * A setting read by `parse`, which gets `undefined` when the variable is unset (or, with
 * `blankIsUnset`, blank) and returns the value; `show` defaults to `key=value`.
 *
 * @example Usage
 * ```ts
 * import { custom } from "./setting.ts";
 * import assert from "node:assert/strict";
 * const shell = custom({
 *   variable: "MCP_BG_SHELL",
 *   help: "A shell.",
 *   default: "sh",
 *   parse: (raw) => raw ?? "sh",
 * });
 * assert.equal(shell.show(shell.read(undefined, { env: {}, cwd: "/" })), "shell=sh");
 * ```
 */
export function custom<T>(spec: {
  readonly variable: `MCP_BG_${string}`;
  readonly help: string;
  readonly default: string;
  readonly parse: (raw: string | undefined, context: SettingContext) => T;
  readonly show?: (value: T) => string;
  readonly blankIsUnset?: boolean;
  readonly brief?: boolean;
  readonly secret?: boolean;
}): Setting<T> {
  return {
    variable: spec.variable,
    help: spec.help,
    default: spec.default,
    read: (raw, context) =>
      spec.parse(spec.blankIsUnset && isBlank(raw) ? undefined : raw, context),
    show: spec.show ?? ((value) => `${keyOf(spec.variable)}=${value ?? "unset"}`),
    ...(spec.brief === undefined ? {} : { brief: spec.brief }),
    ...(spec.secret === undefined ? {} : { secret: spec.secret }),
  };
}
