/**
 * A job's record in the ledger: what it ran, where, when, and how it ended, as JSON on disk.
 *
 * @module
 */
import { type Job, JOB_STATUSES, KILL_REASONS } from "../jobs/job.ts";
import type { Argv } from "../sandbox/command_line.ts";

/** The record file's fields (snake_case like the tools' results). */
export interface JobRecord {
  readonly job_id: string;
  readonly command: string;
  readonly argv: Argv;
  readonly cwd: string;
  readonly name: string | null;
  readonly session: string | null;
  readonly started: string;
  readonly ended: string | null;
  readonly status: Job["status"];
  readonly exit_code: number | null;
  readonly signal: Deno.Signal | null;
  readonly kill_reason: Job["killReason"];
  readonly pid: number;
  readonly contained: boolean;
  /** Newlines each stream ever printed (for line numbers), once the job has ended. */
  readonly stdout_newlines: number;
  readonly stderr_newlines: number;
}

/** The record of `job` as it is now. */
export function recordOf(job: Job): JobRecord {
  return {
    job_id: job.id,
    command: job.command,
    argv: [job.argv[0]!, ...job.argv.slice(1)],
    cwd: job.cwd,
    name: job.name,
    session: job.session,
    started: job.started.toISOString(),
    ended: job.ended?.toISOString() ?? null,
    status: job.status,
    exit_code: job.exitCode,
    signal: job.signal,
    kill_reason: job.killReason,
    pid: job.pid,
    contained: job.contained,
    stdout_newlines: job.stdout.totalNewlines,
    stderr_newlines: job.stderr.totalNewlines,
  };
}

/**
 * Reads a record written by {@linkcode recordOf}, or `undefined` when the text is not one (a
 * file cut short by a crash, or written by something else).
 *
 * @example Usage
 * ```ts
 * import { parseRecord } from "./ledger_record.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseRecord("{"), undefined);
 * ```
 */
export function parseRecord(text: string): JobRecord | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    // A record cut short (the server died mid-write) is skipped like a foreign file.
    return undefined;
  }
  const strings = ["job_id", "command", "cwd", "started"] as const;
  if (typeof value !== "object" || value === null) return undefined;
  if (strings.some((key) => typeof value[key] !== "string")) return undefined;
  if (!Array.isArray(value.argv) || value.argv.length === 0) return undefined;
  if (!JOB_STATUSES.includes(value.status as Job["status"])) return undefined;
  if (value.kill_reason !== null && !KILL_REASONS.includes(value.kill_reason as never)) {
    return undefined;
  }
  return value as unknown as JobRecord;
}
