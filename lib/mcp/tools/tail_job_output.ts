/**
 * `tail_job_output`: the last lines of each stream.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  title: "Tail a job's output",
  description: "The last `lines` lines of a job's stdout and of its stderr.",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    lines: z.number().int().min(1).max(1000).default(50),
  }),
  outputSchema: z.object({ stdout: z.string(), stderr: z.string() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `tail_job_output` on `server`. */
export function registerTailJobOutput(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "tail_job_output",
    DEFINITION,
    ({ job_id, lines }) =>
      runTool("tail_job_output", manager.logger, () => {
        const job = manager.get(job_id);
        return jsonResult({ stdout: job.stdout.tail(lines), stderr: job.stderr.tail(lines) });
      }),
  );
}
