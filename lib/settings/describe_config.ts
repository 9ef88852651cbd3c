/**
 * A one-line summary of the configuration for the start-up log.
 *
 * @module
 */
import { type Config, showConfig } from "./config.ts";

/** What the summary needs of the executor (structural, so settings/ stays below jobs/). */
export interface ExecutorSummary {
  readonly signalMethod: string;
  readonly containment?: { readonly contained: boolean; readonly reason: string };
}

/**
 * Summarises `config`, how process groups are signalled and whether jobs are contained (and
 * why), e.g. for the ready line.
 */
export function describeConfig(config: Config, executor: ExecutorSummary): string {
  const parts = [...showConfig(config, { brief: true }), `group_kill=${executor.signalMethod}`];
  if (executor.containment !== undefined) {
    const { contained, reason } = executor.containment;
    parts.push(`contained=${contained ? "yes" : "no"} (${reason})`);
  }
  return parts.join(" ");
}
