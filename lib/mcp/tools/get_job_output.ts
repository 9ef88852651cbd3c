/**
 * `get_job_output`: everything a job's streams still hold.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { ResultTooLargeError } from "../../errors.ts";
import { jsonResult, MAX_RESULT_CHARS, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  title: "Get a job's output",
  description:
    "The stdout and stderr a job has produced, up to the configured size cap per stream " +
    "(the newest output is kept; *_dropped_bytes says how much older output was dropped).",
  inputSchema: z.strictObject({ job_id: jobIdSchema }),
  outputSchema: z.object({
    stdout: z.string(),
    stderr: z.string(),
    stdout_truncated: z.boolean(),
    stderr_truncated: z.boolean(),
    stdout_dropped_bytes: z.number().int(),
    stderr_dropped_bytes: z.number().int(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `get_job_output` on `server`. */
export function registerGetJobOutput(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "get_job_output",
    DEFINITION,
    ({ job_id }) =>
      runTool("get_job_output", manager.logger, () => {
        const job = manager.get(job_id);
        // At least one UTF-16 unit per 3 UTF-8 bytes: more cannot fit, so do not decode it at all.
        if (job.stdout.heldBytes + job.stderr.heldBytes > 3 * MAX_RESULT_CHARS) {
          throw new ResultTooLargeError(MAX_RESULT_CHARS);
        }
        return jsonResult({
          stdout: job.stdout.text(),
          stderr: job.stderr.text(),
          stdout_truncated: job.stdout.droppedBytes > 0,
          stderr_truncated: job.stderr.droppedBytes > 0,
          stdout_dropped_bytes: job.stdout.droppedBytes,
          stderr_dropped_bytes: job.stderr.droppedBytes,
        });
      }),
  );
}
