/**
 * `get_job_status`: where a job is in its life.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeJob, jobIdSchema, jobStatusShape } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description: "A job's status, exit code or signal, times, sizes, last lines, listening ports.",
  inputSchema: z.strictObject({ job_id: jobIdSchema }),
  outputSchema: z.object(jobStatusShape),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `get_job_status` on `server`. */
export function registerGetJobStatus(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "get_job_status",
    DEFINITION,
    ({ job_id }) =>
      runTool("get_job_status", manager.logger, () => jsonResult(describeJob(manager.get(job_id)))),
  );
}
