/**
 * A one-line summary of the configuration for the start-up log.
 *
 * @module
 */
import { type Config, showConfig } from "./config.ts";
import type { Executor } from "./jobs/executor.ts";

/**
 * Summarises `config`, how process groups are signalled and whether jobs are contained (and
 * why), e.g. for the ready line.
 */
export function describeConfig(config: Config, executor: Executor): string {
  const parts = [...showConfig(config, { brief: true }), `group_kill=${executor.signalMethod}`];
  if (executor.containment !== undefined) {
    const { contained, reason } = executor.containment;
    parts.push(`contained=${contained ? "yes" : "no"} (${reason})`);
  }
  return parts.join(" ");
}
