/**
 * A one-line summary of the configuration for the start-up log.
 *
 * @module
 */
import { type Config, showConfig } from "./config.ts";
import type { GroupSignalMethod } from "./jobs/process_group.ts";

/** Summarises `config` and how process groups will be signalled, e.g. for the ready line. */
export function describeConfig(config: Config, signalMethod: GroupSignalMethod): string {
  return [...showConfig(config, { brief: true }), `group_kill=${signalMethod}`].join(" ");
}
