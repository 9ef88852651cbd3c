/**
 * Library entry of mcp-background-job: build the MCP server around a job manager and serve it
 * over any transport.
 *
 * @module
 */
export { createServer } from "./server.ts";
export { type JobEvent, JobManager, type JobManagerOptions } from "./job_manager.ts";
export { type Config, loadConfig } from "./config.ts";
export { Job, type JobStatus, type KillOutcome, type KillReason } from "./job.ts";
export { type ByteRange, OutputBuffer } from "./output_buffer.ts";
export type { GroupSignaller, GroupSignalMethod } from "./process_group.ts";
export * from "./errors.ts";
