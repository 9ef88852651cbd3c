/**
 * Choosing a job manager's executor without loading containment up front: the sandbox's modules
 * and its one trial `bwrap` run cost a fresh server about 30 ms, so a server that may start
 * contained loads them in the background, once the client has its answer to `initialize`.
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import type { Executor } from "./executor.ts";
import { createLocalExecutor } from "./local_executor.ts";
import type { GroupSignaller } from "./process_group.ts";

/** The containment variables the user set, which need containment to mean anything. */
export function policyVariables(config: Config): string[] {
  const set: string[] = [];
  if (config.allowWrite !== undefined) set.push("MCP_BG_ALLOW_WRITE");
  if (config.denyRead !== undefined) set.push("MCP_BG_DENY_READ");
  if (!config.network) set.push("MCP_BG_NETWORK");
  return set;
}

/**
 * Whether choosing the executor for `config` can refuse to start (`required`, or a containment
 * rule set): then a server chooses before it answers anyone, so that it fails at start-up.
 */
export function choiceCanFail(config: Config): boolean {
  return config.containment === "required" ||
    (config.containment === "auto" && policyVariables(config).length > 0);
}

/** The local executor, saying why jobs are not contained. */
export function uncontainedExecutor(reason: string, signaller?: GroupSignaller): Executor {
  return { ...createLocalExecutor(signaller), containment: { contained: false, reason } };
}

/**
 * The executor `config` asks for (see `createExecutor` in `containment.ts`), loading containment
 * only when it may be used. Contained jobs cannot see the `hidden` paths. When `signal` aborts,
 * the choice stops waiting for the trial sandbox (a server shutting down does not wait for it).
 *
 * @throws {ConfigError} (rejected) when containment is required, or a rule is set, and
 * containment is unavailable.
 */
export async function chooseExecutor(
  config: Config,
  hidden: readonly string[] = [],
  signal?: AbortSignal,
): Promise<Executor> {
  if (config.containment === "off") return uncontainedExecutor("MCP_BG_CONTAINMENT=off");
  const { createExecutorInBackground } = await import("./containment.ts");
  return await createExecutorInBackground(config, hidden, signal);
}
