/**
 * Errors whose message is exactly what an MCP client reads in an `isError` result.
 * The wording of the seed-compatible ones is kept so prompts written for the Python server still match.
 *
 * @module
 */
import { cut, MAX_QUOTED_CHARS, quoted } from "./quote.ts";
import { formatBytes } from "./message_limits.ts";

/** Base class: a failure the client caused or should be told about, never a server bug. */
export class ToolError extends Error {
  /** Creates the error; `message` is what the client reads. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A job id as given, or a short quoted prefix of one too long or odd to be a job's. */
function shortId(jobId: string): string {
  return /^[\w-]{1,64}$/.test(jobId) ? jobId : quoted(jobId);
}

/** The job id is unknown, or the job was already dropped by the cleanup. */
export class JobNotFoundError extends ToolError {
  /** Creates the error for the unknown `jobId`. */
  constructor(readonly jobId: string) {
    super(`Job ${shortId(jobId)} not found`);
  }
}

/** The command line was refused before anything ran. */
export class InvalidCommandError extends ToolError {
  /** Creates the error; `reason` follows `Invalid command: `. */
  constructor(readonly reason: string, options?: ErrorOptions) {
    super(`Invalid command: ${reason}`, options);
  }
}

/** Every job slot is taken by a running job. */
export class JobLimitError extends ToolError {
  /** Creates the error naming the job `limit` that was reached. */
  constructor(readonly limit: number) {
    super(`Job limit reached: Maximum concurrent jobs limit (${limit}) reached`);
  }
}

/** Input was sent to a job that has already ended. */
export class JobNotRunningError extends ToolError {
  /** Creates the error for the ended job `jobId`. */
  constructor(readonly jobId: string, options?: ErrorOptions) {
    super(`Job ${jobId} is not running and cannot accept input`, options);
  }
}

/**
 * Input was sent to a running job whose stdin is closed: by the client (or never opened), or by
 * the job itself, which then still runs but reads no more input.
 */
export class StdinClosedError extends ToolError {
  /** Creates the error for job `jobId`, saying who closed its stdin. */
  constructor(
    readonly jobId: string,
    readonly by: "client" | "job" = "client",
    options?: ErrorOptions,
  ) {
    super(
      by === "client"
        ? `Job ${jobId} has its stdin closed and cannot accept input`
        : `Job ${jobId} is still running but has closed its stdin, so it cannot accept input`,
      options,
    );
  }
}

/** A result would be too large to send in one message. */
export class ResultTooLargeError extends ToolError {
  /** Creates the error naming the `limit` in bytes of one message, and the `size` when known. */
  constructor(readonly limit: number, readonly size?: number) {
    const would = size === undefined || !Number.isFinite(size)
      ? "it would exceed"
      : `it would take ${formatBytes(size)}, over`;
    super(
      `Result too large: ${would} the ${formatBytes(limit)} one message may carry; read the ` +
        "output in pieces with read_job_output (cursor, max_bytes) or tail_job_output",
    );
  }
}

/** The program could not be started (missing, not executable, or not permitted). */
export class SpawnError extends ToolError {}

/**
 * The one wording for a program that does not exist, whether the allowlist looked for it or the
 * spawn did.
 *
 * @example Usage
 * ```ts
 * import { programNotFound } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(programNotFound("nope").message, 'Cannot start "nope": program not found');
 * ```
 */
export function programNotFound(program: string, options?: ErrorOptions): SpawnError {
  return new SpawnError(
    `Cannot start "${cut(program, MAX_QUOTED_CHARS)}": program not found`,
    options,
  );
}

/** A configuration value is invalid; the server refuses to start. */
export class ConfigError extends Error {
  /** Creates the error naming the `variable`, its `value` and what is `valid`. */
  constructor(readonly variable: string, readonly value: string, readonly valid: string) {
    super(`Invalid ${variable}=${JSON.stringify(value)}: expected ${valid}`);
    this.name = "ConfigError";
  }
}

/** Something on this machine keeps the server from starting, such as a port already in use. */
export class StartupError extends Error {
  /** Creates the error; `message` says what is wrong and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StartupError";
  }
}
