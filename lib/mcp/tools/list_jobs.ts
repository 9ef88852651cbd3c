/**
 * `list_jobs`: every job still in memory, newest first.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeJob, jobStatusShape } from "../job_view.ts";

/** Registers `list_jobs` on `server`. */
export function registerListJobs(server: McpServer, manager: JobManager): void {
  server.registerTool("list_jobs", {
    title: "List background jobs",
    description: "List every job (running, and finished ones not yet cleaned up), newest first.",
    inputSchema: z.strictObject({}),
    outputSchema: z.object({ jobs: z.array(z.object(jobStatusShape)) }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => runTool("list_jobs", () => jsonResult({ jobs: manager.list().map(describeJob) })));
}
