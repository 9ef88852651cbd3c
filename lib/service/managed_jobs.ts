/**
 * The job table a server runs on, with its ledger when the configuration asks for one.
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import { JobManager } from "../jobs/job_table.ts";
import { Ledger } from "./ledger.ts";
import type { Logger } from "../logger.ts";
import { stderrLogger } from "../logger.ts";

/** A job table, and the ledger recording it (when there is one). */
export interface ManagedJobs {
  readonly manager: JobManager;
  readonly ledger: Ledger | undefined;
}

/**
 * Creates the job table for `config`. With a state directory, the ledger there is opened, its
 * earlier jobs are taken into the table (listed and readable, ended or `lost`), and every new job
 * is recorded; without one, nothing is written to disk.
 *
 * @throws {StartupError} when the state directory is not private, or another server uses it.
 *
 * @example Usage
 * ```ts
 * import { managedJobs } from "./managed_jobs.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const { manager, ledger } = managedJobs(loadConfig({}, Deno.cwd()));
 * assert.equal(ledger, undefined);
 * await manager.shutdown();
 * ```
 */
export function managedJobs(
  config: Config,
  options: { stateDir?: string; logger?: Logger; hidden?: readonly string[] } = {},
): ManagedJobs {
  const dir = options.stateDir ?? config.stateDir;
  const logger = options.logger ?? stderrLogger;
  if (dir === undefined) return { manager: new JobManager(config, { logger }), ledger: undefined };
  const ledger = Ledger.open(dir, {
    streamLimit: config.maxOutputSize,
    totalLimit: config.stateMaxSize,
    logger,
  });
  const manager = new JobManager(config, {
    logger,
    hidden: [dir, ...(options.hidden ?? [])],
    recall: (id) => ledger.recall(id),
  });
  manager.adopt(ledger.restore());
  ledger.follow(manager);
  return { manager, ledger };
}
