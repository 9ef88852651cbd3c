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

/** Whether the server's /proc files are closed to its jobs (structural, as above). */
export interface PrivacySummary {
  readonly private: boolean;
  readonly reason: string;
}

/**
 * Summarises `config`, how process groups are signalled, whether jobs are contained (and
 * why) and whether the server's descriptors are closed to them, e.g. for the ready line.
 */
export function describeConfig(
  config: Config,
  executor: ExecutorSummary,
  privacy?: PrivacySummary,
): string {
  const parts = [...showConfig(config, { brief: true }), `group_kill=${executor.signalMethod}`];
  if (executor.containment !== undefined) {
    const { contained, reason } = executor.containment;
    parts.push(`contained=${contained ? "yes" : "no"} (${reason})`);
  }
  if (privacy !== undefined) {
    parts.push(privacy.private ? "server_fds=private" : `server_fds=EXPOSED (${privacy.reason})`);
  }
  return parts.join(" ");
}
