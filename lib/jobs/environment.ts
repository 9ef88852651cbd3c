/**
 * The environment jobs start with. Under a scoped `--allow-run=<list>`, Deno refuses to spawn
 * a child whose environment sets any `LD_*` or `DYLD_*` variable (they can inject code into an
 * allowed program), so jobs then get the server's environment without them.
 *
 * @module
 */
import { isLoaderVariable } from "../sandbox/sensitive_env.ts";
import { runIsUnscoped } from "./process_group.ts";

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
 * The environment for jobs when none is given: `undefined` (inherit the server's) with unscoped
 * `--allow-run`, else the server's environment without loader variables (passed with `clearEnv`).
 */
export function defaultJobEnvironment(): Record<string, string> | undefined {
  if (runIsUnscoped()) return undefined;
  return withoutLoaderVariables(Deno.env.toObject());
}
