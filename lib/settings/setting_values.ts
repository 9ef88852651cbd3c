/**
 * How the raw text of an `MCP_BG_*` variable becomes a value: byte sizes, directories, pattern
 * lists, a token file, containment paths. Each reader throws a {@linkcode ConfigError} naming the
 * variable, the value and what is valid. The table that uses them is `settings.ts`.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { resolve } from "node:path";
import type { SettingContext } from "./setting.ts";
import {
  CONTAINMENT_MODES,
  type ContainmentMode,
  parsePathList,
} from "../sandbox/containment_policy.ts";

const UNITS: Record<string, number> = { "": 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/**
 * Parses a byte size such as `10MB`, `512KB` or `4096`.
 *
 * @example Usage
 * ```ts
 * import { parseByteSize } from "./setting_values.ts";
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

/** A byte size from 1KB to `maxGB` GB, for a size setting. */
export function outputSize(variable: string, raw: string, maxGB = 1): number {
  const value = parseByteSize(raw);
  if (value === undefined || value < 1024 || value > maxGB * 1024 ** 3) {
    throw new ConfigError(
      variable,
      raw,
      `a byte count or a number with KB, MB or GB, from 1KB to ${maxGB}GB`,
    );
  }
  return value;
}

/** The real path of an existing directory. */
export function existingDirectory(variable: string, raw: string): string {
  let path: string;
  try {
    path = Deno.realPathSync(raw);
  } catch (error) {
    throw new ConfigError(variable, raw, `an existing directory (${(error as Error).message})`);
  }
  if (!Deno.statSync(path).isDirectory) {
    throw new ConfigError(variable, raw, "an existing directory");
  }
  return path;
}

/** Splits a comma-separated allowlist; each non-empty entry must compile as a regex. */
export function patterns(variable: string, raw: string): RegExp[] {
  // Entries are kept exactly as written: a trailing space in "^ls " is part of the pattern.
  const entries = raw.split(",").filter((entry) => entry.trim() !== "");
  if (entries.length === 0) {
    throw new ConfigError(variable, raw, "one or more comma-separated regular expressions");
  }
  return entries.map((entry) => {
    try {
      return new RegExp(entry);
    } catch (error) {
      throw new ConfigError(
        variable,
        raw,
        `valid regular expressions (${(error as Error).message})`,
      );
    }
  });
}

/** The token in file `path`: it must be readable, non-empty, and the only token given. */
export function tokenFile(path: string, env: SettingContext["env"], cwd: string): string {
  const variable = "MCP_BG_HTTP_TOKEN_FILE";
  if (env.MCP_BG_HTTP_TOKEN) {
    throw new ConfigError(
      variable,
      path,
      "unset while MCP_BG_HTTP_TOKEN is set (give one of them)",
    );
  }
  let token: string;
  try {
    token = Deno.readTextFileSync(resolve(cwd, path)).trim();
  } catch (error) {
    throw new ConfigError(variable, path, `a readable file (${(error as Error).message})`);
  }
  if (token === "") throw new ConfigError(variable, path, "a file holding the token (it is empty)");
  return token;
}

/** `MCP_BG_CONTAINMENT`: one of the containment modes, `auto` when unset. */
export function containmentMode(raw: string | undefined): ContainmentMode {
  const mode = (raw ?? "auto").trim();
  if (!(CONTAINMENT_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError("MCP_BG_CONTAINMENT", raw!, CONTAINMENT_MODES.join(", "));
  }
  return mode as ContainmentMode;
}

/** A containment rule given while containment is off would be silently ignored: refuse it. */
export function refuseWithoutContainment(
  variable: string,
  raw: string,
  env: SettingContext["env"],
) {
  if (env.MCP_BG_CONTAINMENT?.trim() === "off") {
    throw new ConfigError(
      variable,
      raw,
      "no value while MCP_BG_CONTAINMENT=off (only containment enforces it; unset one of them)",
    );
  }
}

/** A comma-separated path list for a containment rule; `~` is the home, relative is the working dir. */
export function containmentPaths(variable: string, raw: string, context: SettingContext): string[] {
  refuseWithoutContainment(variable, raw, context.env);
  const base = context.env.MCP_BG_WORKING_DIR || context.cwd;
  // `~user/...` or `~` without HOME would otherwise become a path under the working dir, silently.
  const tilde = raw.split(",").map((entry) => entry.trim()).find((entry) =>
    entry.startsWith("~") && !(/^~(\/|$)/.test(entry) && context.env.HOME)
  );
  if (tilde !== undefined) {
    throw new ConfigError(
      variable,
      raw,
      `paths where ~ is only ~ or ~/... with HOME set, not ${tilde}`,
    );
  }
  const paths = parsePathList(raw, { home: context.env.HOME, base });
  if (paths.length === 0) throw new ConfigError(variable, raw, "one or more comma-separated paths");
  return paths;
}

/** `MCP_BG_ALLOW_WRITE`: containment paths that exist. */
export function writablePaths(raw: string, context: SettingContext): string[] {
  const paths = containmentPaths("MCP_BG_ALLOW_WRITE", raw, context);
  for (const path of paths) {
    try {
      Deno.statSync(path);
    } catch (error) {
      throw new ConfigError(
        "MCP_BG_ALLOW_WRITE",
        raw,
        `existing paths (${path}: ${(error as Error).message})`,
      );
    }
  }
  return paths;
}
