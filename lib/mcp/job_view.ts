/**
 * How a job is described to clients: the schema of a job summary and the function that fills it.
 *
 * @module
 */
import { z } from "zod";
import { type Job, JOB_STATUSES, KILL_REASONS } from "../jobs/job.ts";
import { lastLine } from "../output/reading.ts";

/** A job's status as `get_job_status` reports it; the other tools refer to it. */
export const jobStatusShape = {
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  command: z.string(),
  started: z.string(),
  ended: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  kill_reason: z.enum(KILL_REASONS).nullable(),
  pid: z.number().int().describe("host pid (bwrap's when contained)"),
  // Its meaning (under bubblewrap) is in the description of pid, beside it.
  contained: z.boolean(),
  duration_ms: z.number().int(),
  stdout_bytes: z.number().int(),
  stderr_bytes: z.number().int(),
  stdout_dropped_bytes: z.number().int(),
  stderr_dropped_bytes: z.number().int(),
  output_dropped: z.boolean(),
  name: z.string().nullable(),
  session: z.string().nullable().describe("the session that started it"),
  stdout_last_line: z.string().nullable(),
  stderr_last_line: z.string().nullable(),
  listening: z.array(z.object({ port: z.number().int(), address: z.string() })).nullable()
    .describe("null: unreadable here"),
  approved_by_person: z.enum(["once", "session"]).optional(),
};

/** The status fields inside another tool's result: listed once, in `get_job_status`. */
export const jobStatusReference = z.looseObject({}).describe("get_job_status's fields");

/**
 * The status fields of `job`, and `tty` (whether it runs on a terminal, its output then all in
 * stdout): results may carry more fields than their schema lists, and tools/list has a budget.
 */
export function describeJob(job: Job): z.infer<z.ZodObject<typeof jobStatusShape>> & {
  tty: boolean;
} {
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
    contained: job.contained,
    tty: job.tty,
    duration_ms: end.getTime() - job.started.getTime(),
    stdout_bytes: job.stdout.totalBytes,
    stderr_bytes: job.stderr.totalBytes,
    stdout_dropped_bytes: job.stdout.droppedBytes,
    stderr_dropped_bytes: job.stderr.droppedBytes,
    output_dropped: job.stdout.releasedBytes + job.stderr.releasedBytes > 0,
    name: job.name,
    session: job.session,
    stdout_last_line: lastLine(job.stdout),
    stderr_last_line: lastLine(job.stderr),
    listening: job.listening === null ? null : [...job.listening],
    // Only a command the allowlist refused and the person allowed carries it.
    ...(job.approvedByPerson !== null && { approved_by_person: job.approvedByPerson }),
  };
}

/** The input every per-job tool takes (an empty one is simply not found). */
export const jobIdSchema = z.string();
