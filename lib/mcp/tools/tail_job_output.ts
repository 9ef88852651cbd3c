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
import { maxBytesSchema, rawSchema, streamText } from "../output_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description: "The last `lines` lines of a job's stdout and stderr, at most max_bytes each.",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    lines: z.number().int().min(1).max(1000).default(50),
    max_bytes: maxBytesSchema,
    raw: rawSchema,
  }),
  outputSchema: z.object({ stdout: z.string(), stderr: z.string() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `tail_job_output` on `server`. */
export function registerTailJobOutput(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "tail_job_output",
    DEFINITION,
    ({ job_id, lines, max_bytes, raw }) =>
      runTool("tail_job_output", manager.logger, () => {
        const job = manager.get(job_id);
        const options = { lines, maxBytes: max_bytes, raw };
        return jsonResult({
          stdout: streamText(job.stdout, "stdout", options).text,
          stderr: streamText(job.stderr, "stderr", options).text,
        });
      }),
  );
}
