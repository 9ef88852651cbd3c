/**
 * `close_stdin`: close a job's stdin so it reads end-of-file.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { JobNotRunningError, ToolError } from "../../errors.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "Close a running job's stdin for good: it reads end-of-file (Ctrl-D), so cat, sort or a " +
    "REPL finish.",
  inputSchema: z.strictObject({ job_id: jobIdSchema }),
  outputSchema: z.object({ job_id: z.string(), status: z.enum(["closed", "already_closed"]) }),
  annotations: { destructiveHint: true, idempotentHint: true },
};

/** Registers `close_stdin` on `server`. */
export function registerCloseStdin(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "close_stdin",
    DEFINITION,
    ({ job_id }) =>
      runTool("close_stdin", manager.logger, async () => {
        const job = manager.get(job_id);
        try {
          return jsonResult({ job_id, status: await job.closeStdin() });
        } catch (error) {
          if (!(error instanceof JobNotRunningError)) throw error;
          throw new ToolError(
            `Job ${job_id} is not running (status ${job.status}): its stdin is already closed`,
            { cause: error },
          );
        }
      }),
  );
}
