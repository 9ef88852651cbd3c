/**
 * How a job is described to clients: the schema of a job summary and the function that fills it.
 *
 * @module
 */
import { z } from "zod";
import { type Job, JOB_STATUSES, KILL_REASONS } from "../jobs/job.ts";
import { lastLine } from "../output/reading.ts";

/** A job's status as every status-bearing tool reports it. */
export const jobStatusShape = {
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  command: z.string(),
  started: z.string().describe("ISO 8601 UTC"),
  ended: z.string().nullable().describe("ISO 8601 UTC, null while running"),
  exit_code: z.number().int().nullable().describe("null while running or when ended by a signal"),
  signal: z.string().nullable().describe("the signal that ended the process, if any"),
  kill_reason: z.enum(KILL_REASONS).nullable(),
  pid: z.number().int(),
  duration_ms: z.number().int(),
  stdout_bytes: z.number().int().describe("bytes the job wrote to stdout"),
  stderr_bytes: z.number().int(),
  stdout_dropped_bytes: z.number().int().describe("oldest stdout bytes dropped by the size cap"),
  stderr_dropped_bytes: z.number().int(),
  name: z.string().nullable().describe("the label given to execute_command, if any"),
  stdout_last_line: z.string().nullable().describe(
    "the last non-blank line on stdout (a carriage return also ends a line), cut to 200 characters",
  ),
  stderr_last_line: z.string().nullable().describe("the last non-blank line on stderr"),
};

/** The status fields of `job`. */
export function describeJob(job: Job): z.infer<z.ZodObject<typeof jobStatusShape>> {
  const end = job.ended ?? new Date();
  return {
    job_id: job.id,
    status: job.status,
    command: job.command,
    started: job.started.toISOString(),
    ended: job.ended?.toISOString() ?? null,
    exit_code: job.exitCode,
    signal: job.signal,
    kill_reason: job.killReason,
    pid: job.pid,
    duration_ms: end.getTime() - job.started.getTime(),
    stdout_bytes: job.stdout.totalBytes,
    stderr_bytes: job.stderr.totalBytes,
    stdout_dropped_bytes: job.stdout.droppedBytes,
    stderr_dropped_bytes: job.stderr.droppedBytes,
    name: job.name,
    stdout_last_line: lastLine(job.stdout),
    stderr_last_line: lastLine(job.stderr),
  };
}

/** The input every per-job tool takes. */
export const jobIdSchema = z.string().min(1).describe("the id execute_command returned");
