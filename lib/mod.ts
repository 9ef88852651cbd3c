/**
 * Library entry of mcp-background-job: build the MCP server around a job manager and serve it
 * over any transport.
 *
 * @module
 */
export { createServer } from "./mcp/server.ts";
export { type JobEvent, JobManager, type JobManagerOptions } from "./jobs/job_table.ts";
export { type Config, loadConfig } from "./settings/config.ts";
export { Job, type JobStatus, type KillOutcome, type KillReason } from "./jobs/job.ts";
export { type ByteRange, OutputBuffer } from "./output/output_buffer.ts";
export type { GroupSignaller, GroupSignalMethod } from "./jobs/process_group.ts";
export * from "./errors.ts";
export { type Logger, MemoryLogger, stderrLogger } from "./logger.ts";
export type {
  Executor,
  ProcessStatus,
  SpawnedProcess,
  SpawnSpec,
  StdinMode,
} from "./jobs/executor.ts";
export { createLocalExecutor } from "./jobs/local_executor.ts";
// A configuration with an allowlist and MCP_BG_SHELL needs the shell parser loaded before any job.
export { loadShellParser, needsShellParser } from "./sandbox/shell_parser.ts";
// A configuration with MCP_BG_APPROVAL=ask needs the approval digests loaded before any session.
export { loadApprovalDigests } from "./mcp/approval/digest.ts";
