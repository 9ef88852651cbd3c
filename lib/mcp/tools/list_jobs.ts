/**
 * `list_jobs`: every job still in memory, newest first.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, MAX_RESULT_CHARS, runTool } from "../tool_result.ts";
import type { Job } from "../../jobs/job.ts";
import { describeJob, jobStatusReference } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description: "Every job's status, newest first; omitted_jobs: older ones left out for size.",
  inputSchema: z.strictObject({}),
  outputSchema: z.object({
    jobs: z.array(jobStatusReference),
    omitted_jobs: z.number().int().optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Characters of JSON the listed jobs may take: the result carries them twice, under the ceiling. */
const LIST_BUDGET_CHARS = Math.floor(MAX_RESULT_CHARS / 4);
/** A longer command is cut in the listing (`get_job_status` has it whole). */
const LISTED_COMMAND_CHARS = 1000;

/**
 * The jobs' status fields, newest first, as many as fit in `budget` characters of JSON, each
 * command cut to {@linkcode LISTED_COMMAND_CHARS}; `omitted` counts the older ones left out.
 *
 * @example Usage
 * ```ts
 * import { listJobs } from "./list_jobs.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(listJobs([]), { jobs: [], omitted: 0 });
 * ```
 */
export function listJobs(
  jobs: readonly Job[],
  budget = LIST_BUDGET_CHARS,
): { jobs: Record<string, unknown>[]; omitted: number } {
  const listed: Record<string, unknown>[] = [];
  let chars = 0;
  for (const job of jobs) {
    const entry = describeJob(job);
    const extra = entry.command.length - LISTED_COMMAND_CHARS;
    if (extra > 0) {
      entry.command = `${entry.command.slice(0, LISTED_COMMAND_CHARS)}… (${extra} more ` +
        "characters: get_job_status has the whole command)";
    }
    chars += JSON.stringify(entry).length + 1;
    if (chars > budget) break;
    listed.push(entry);
  }
  return { jobs: listed, omitted: jobs.length - listed.length };
}

/** Registers `list_jobs` on `server`. */
export function registerListJobs(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "list_jobs",
    DEFINITION,
    () =>
      runTool("list_jobs", manager.logger, () => {
        const { jobs, omitted } = listJobs(manager.list());
        return jsonResult(omitted > 0 ? { jobs, omitted_jobs: omitted } : { jobs });
      }),
  );
}
