/**
 * Job lifecycle events (started, completed, failed, killed, timed out) as MCP log messages, sent
 * to each client at or above the level it chose with `logging/setLevel`, and to no client that
 * has not chosen one.
 *
 * @module
 */
import { type LoggingLevel, type McpServer, onServerClose, SetLevelRequestSchema } from "./sdk.ts";
import type { JobEvent, JobManager } from "../jobs/job_table.ts";

/** The logger name clients see on every job message. */
export const JOB_LOGGER = "jobs";

/** A log message for one job event: its level and what the client reads. */
export interface JobLogEntry {
  readonly level: LoggingLevel;
  readonly event: string;
  readonly message: string;
}

/**
 * Describes `event` as a log entry.
 *
 * @example Usage
 * ```ts
 * import { describeJobEvent } from "./logging.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * await manager.ready();
 * const job = manager.start("true");
 * await job.done;
 * assert.equal(describeJobEvent({ kind: "ended", job }).event, "completed");
 * await manager.shutdown();
 * ```
 */
export function describeJobEvent({ kind, job }: JobEvent): JobLogEntry {
  const name = `Job ${job.id} (${job.command})`;
  if (kind === "started") {
    return { level: "info", event: "started", message: `${name} started, pid ${job.pid}` };
  }
  if (kind === "dropped") {
    return { level: "debug", event: "dropped", message: `${name} was dropped from memory` };
  }
  switch (job.status) {
    case "completed":
      return { level: "info", event: "completed", message: `${name} completed with exit code 0` };
    case "failed": {
      const how = job.signal === null ? `exit code ${job.exitCode}` : `signal ${job.signal}`;
      return { level: "warning", event: "failed", message: `${name} failed with ${how}` };
    }
    case "killed":
      if (job.killReason === "timeout") {
        return {
          level: "warning",
          event: "timed_out",
          message: `${name} timed out and was killed`,
        };
      }
      if (job.killReason === "shutdown") {
        return { level: "info", event: "killed", message: `${name} was killed at shutdown` };
      }
      return { level: "notice", event: "killed", message: `${name} was killed on request` };
    case "lost":
      return { level: "warning", event: "lost", message: `${name} was lost with its server` };
    case "running":
      return { level: "debug", event: "ended", message: `${name} ended` };
  }
}

/** Levels from least to most severe, as RFC 5424 (and MCP) order them. */
const SEVERITY: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/**
 * Sends every job event of `manager` at or above the level `server`'s client set as a
 * `notifications/message`; nothing before the client calls `logging/setLevel` (the SDK alone
 * would send everything to a client that never asked, which the protocol does not allow).
 */
export function registerJobLogging(server: McpServer, manager: JobManager): void {
  // One McpServer serves one client (one per HTTP session), so the level lives here.
  let threshold: LoggingLevel | undefined;
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    threshold = request.params.level;
    return {};
  });
  const stopListening = manager.onEvent((event) => {
    if (!server.isConnected() || threshold === undefined) return;
    const entry = describeJobEvent(event);
    if (SEVERITY.indexOf(entry.level) < SEVERITY.indexOf(threshold)) return;
    const data = {
      event: entry.event,
      message: entry.message,
      job_id: event.job.id,
      command: event.job.command,
      status: event.job.status,
      exit_code: event.job.exitCode,
      signal: event.job.signal,
      kill_reason: event.job.killReason,
    };
    server.sendLoggingMessage({ level: entry.level, logger: JOB_LOGGER, data }).catch((
      error: unknown,
    ) => manager.logger.error("could not send a job log message", error));
  });
  onServerClose(server, stopListening);
}
