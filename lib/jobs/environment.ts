/**
 * The environment jobs start with: the server's, never with its secrets. Under a scoped
 * `--allow-run=<list>`, Deno refuses to spawn a child whose environment sets any `LD_*` or
 * `DYLD_*` variable (they can inject code into an allowed program), so jobs then get the
 * server's environment without them too.
 *
 * @module
 */
import { isLoaderVariable } from "../sandbox/sensitive_env.ts";
import { runIsUnscoped } from "./process_group.ts";
import { SECRET_VARIABLES } from "../settings/config.ts";

/**
 * `env` without its `LD_*` and `DYLD_*` variables.
 *
 * @example Usage
 * ```ts
 * import { withoutLoaderVariables } from "./environment.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(withoutLoaderVariables({ PATH: "/bin", LD_PRELOAD: "x.so" }), { PATH: "/bin" });
 * ```
 */
export function withoutLoaderVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isLoaderVariable(name)));
}

/**
 * `env` without the server's secrets (`MCP_BG_HTTP_TOKEN` and the like): a job that could read the
 * token could drive the server.
 *
 * @example Usage
 * ```ts
 * import { withoutServerSecrets } from "./environment.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(withoutServerSecrets({ PATH: "/bin", MCP_BG_HTTP_TOKEN: "t" }), { PATH: "/bin" });
 * ```
 */
export function withoutServerSecrets(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !SECRET_VARIABLES.includes(name)),
  );
}

/**
 * The environment for jobs when none is given: the server's, without its secrets, and without
 * loader variables under scoped `--allow-run`, always passed whole (with `clearEnv`). Inheriting
 * it would pass what `Deno.env` cannot show, a variable whose value is not UTF-8, and so a
 * secret no check here could see.
 */
export function defaultJobEnvironment(): Record<string, string> {
  const clean = withoutServerSecrets(Deno.env.toObject());
  return runIsUnscoped() ? clean : withoutLoaderVariables(clean);
}
