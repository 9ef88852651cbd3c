/**
 * `list_jobs`: every job still in memory, newest first.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeJob, jobStatusReference } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  title: "List background jobs",
  description: "Every job in memory (running, and finished ones not yet dropped), newest first.",
  inputSchema: z.strictObject({}),
  outputSchema: z.object({ jobs: z.array(jobStatusReference) }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `list_jobs` on `server`. */
export function registerListJobs(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "list_jobs",
    DEFINITION,
    () =>
      runTool(
        "list_jobs",
        manager.logger,
        () => jsonResult({ jobs: manager.list().map(describeJob) }),
      ),
  );
}
