/**
 * `get_job_output`: the newest output of both streams, within a byte budget.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";
import { ToolError } from "../../errors.ts";
import { maxBytesSchema, rawSchema, streamText } from "../output_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "A job's stdout and stderr, the newest max_bytes of each; a marker gives the rest's " +
    "cursor.",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    max_bytes: maxBytesSchema,
    raw: rawSchema,
    screen: z.boolean().optional(),
  }),
  // With screen: true the result is {screen, cursor: {row, col}, cols, rows} (not listed: the
  // description says it, and tools/list has a byte budget); hence every field is optional.
  outputSchema: z.object({
    stdout: z.string().optional(),
    stderr: z.string().optional(),
    stdout_truncated: z.boolean().optional(),
    stderr_truncated: z.boolean().optional(),
    stdout_dropped_bytes: z.number().int().optional(),
    stderr_dropped_bytes: z.number().int().optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `get_job_output` on `server`. */
export function registerGetJobOutput(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "get_job_output",
    DEFINITION,
    ({ job_id, max_bytes, raw, screen }) =>
      runTool("get_job_output", manager.logger, async () => {
        const job = manager.get(job_id);
        if (screen) {
          if (job.screen === null) {
            throw new ToolError(`Invalid screen: job ${job_id} is not a tty job, it has no screen`);
          }
          await job.screen.settled();
          return jsonResult({ ...job.screen.snapshot() });
        }
        const stdout = streamText(job.stdout, "stdout", { maxBytes: max_bytes, raw });
        const stderr = streamText(job.stderr, "stderr", { maxBytes: max_bytes, raw });
        return jsonResult({
          stdout: stdout.text,
          stderr: stderr.text,
          stdout_truncated: job.stdout.droppedBytes > 0 || stdout.omittedBytes > 0,
          stderr_truncated: job.stderr.droppedBytes > 0 || stderr.omittedBytes > 0,
          stdout_dropped_bytes: job.stdout.droppedBytes,
          stderr_dropped_bytes: job.stderr.droppedBytes,
        });
      }),
  );
}
