/**
 * Configuration from `MCP_BG_*` environment variables, parsed and validated once, as the
 * table in `settings.ts` says. An invalid value is a {@linkcode ConfigError}: the server refuses
 * to start rather than silently fall back (a dropped allowlist would be a security hole).
 *
 * @module
 */
import { closestName } from "./closest_name.ts";
import { type Config, SETTINGS } from "./settings.ts";
import type { Setting } from "./setting.ts";

export {
  type Config,
  DEFAULT_MAX_SESSIONS,
  MAX_TIMER_SECONDS,
  parseByteSize,
  SETTINGS,
} from "./settings.ts";

/** The table's entries as a list, in table order. */
export const SETTING_LIST: readonly Setting<unknown>[] = Object.values(SETTINGS);

/** The variables holding the server's secrets, which no job may see. */
export const SECRET_VARIABLES: readonly string[] = SETTING_LIST
  .filter((setting) => setting.secret === true).map((setting) => setting.variable);

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
  const context = { env, cwd };
  const entries = Object.entries(SETTINGS as Record<string, Setting<unknown>>).map((
    [key, setting],
  ) => [key, setting.read(env[setting.variable], context)]);
  return Object.freeze(Object.fromEntries(entries)) as Config;
}

/**
 * One warning per `MCP_BG_*` variable in `env` (in any case) that the server does not read,
 * naming the variable it most likely meant.
 *
 * @example Usage
 * ```ts
 * import { unknownVariableWarnings } from "./config.ts";
 * import assert from "node:assert/strict";
 * const [warning] = unknownVariableWarnings({ mcp_bg_max_jobs: "5" });
 * assert.match(warning!, /did you mean MCP_BG_MAX_JOBS\?/);
 * ```
 */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  const known = SETTING_LIST.map((setting) => setting.variable as string);
  return Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith("MCP_BG_") && !known.includes(name))
    .sort().map((name) => {
      const guess = closestName(name.toUpperCase(), known);
      const hint = guess === undefined ? "see --help for the list" : `did you mean ${guess}?`;
      return `${name} is not a variable this server reads (${hint}); it is ignored`;
    });
}

/**
 * `key=value` for every setting of `config`, in table order; `brief` leaves out those marked
 * `brief: false` (the start-up line), otherwise all are listed (`--doctor`).
 *
 * @example Usage
 * ```ts
 * import { loadConfig, showConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * assert.equal(showConfig(loadConfig({}, "/"), { brief: true })[0], "max_jobs=10");
 * ```
 */
export function showConfig(config: Config, options: { brief: boolean }): string[] {
  return Object.entries(SETTINGS as Record<string, Setting<unknown>>)
    .filter(([, setting]) => !options.brief || setting.brief !== false)
    .map(([key, setting]) => setting.show(config[key as keyof Config]));
}

/**
 * The HTTP bearer token, from `MCP_BG_HTTP_TOKEN` or the file `MCP_BG_HTTP_TOKEN_FILE` names
 * (at most one of them is set); `undefined` when neither is.
 *
 * @example Usage
 * ```ts
 * import { httpToken, loadConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * assert.equal(httpToken(loadConfig({ MCP_BG_HTTP_TOKEN: "t" }, "/")), "t");
 * ```
 */
export function httpToken(config: Config): string | undefined {
  return config.httpToken ?? config.httpTokenFromFile;
}
