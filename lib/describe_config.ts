/**
 * A one-line summary of the configuration for the start-up log.
 *
 * @module
 */
import type { Config } from "./config.ts";
import type { GroupSignalMethod } from "./jobs/process_group.ts";

/** Summarises `config` and how process groups will be signalled, e.g. for the ready line. */
export function describeConfig(config: Config, signalMethod: GroupSignalMethod): string {
  const parts = [
    `max_jobs=${config.maxJobs}`,
    `max_output_size=${config.maxOutputSize}B`,
    `job_timeout=${
      config.jobTimeoutSeconds === undefined ? "none" : `${config.jobTimeoutSeconds}s`
    }`,
    `cleanup_interval=${config.cleanupIntervalSeconds}s`,
    `working_dir=${config.workingDir}`,
    `allowlist=${
      config.allowedCommands === undefined ? "off" : `${config.allowedCommands.length} pattern(s)`
    }`,
    `group_kill=${signalMethod}`,
  ];
  return parts.join(" ");
}
