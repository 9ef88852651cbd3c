/**
 * `send_signal`: send a signal (Ctrl-C is SIGINT) to a job's process group.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { JobNotRunningError, ToolError } from "../../errors.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";

/** The signals a client may send. */
export const SENDABLE_SIGNALS = [
  "SIGINT",
  "SIGTERM",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGKILL",
  "SIGWINCH",
  "SIGCONT",
] as const;

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "Signal a running job's process group (SIGINT is Ctrl-C, SIGHUP often reloads); kill_job " +
    "stops it for good.",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    signal: z.enum(SENDABLE_SIGNALS),
  }),
  outputSchema: z.object({
    job_id: z.string(),
    signal: z.string(),
    status: z.literal("sent"),
  }),
  annotations: { destructiveHint: true, openWorldHint: false },
};

/** Registers `send_signal` on `server`. */
export function registerSendSignal(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "send_signal",
    DEFINITION,
    ({ job_id, signal }) =>
      runTool("send_signal", manager.logger, async () => {
        const job = manager.get(job_id);
        try {
          await job.sendSignal(signal);
        } catch (error) {
          if (!(error instanceof JobNotRunningError)) throw error;
          // Still "running" here means its program exited and its output is still being drained.
          const state = job.status === "running"
            ? "'s program has exited (its other processes' output is still being read; kill_job " +
              "stops them)"
            : ` is not running (status ${job.status})`;
          throw new ToolError(`Job ${job_id}${state}: cannot send ${signal}`, { cause: error });
        }
        return jsonResult({ job_id, signal, status: "sent" });
      }),
  );
}
