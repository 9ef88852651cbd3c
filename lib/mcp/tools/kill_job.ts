/**
 * `kill_job`: stop a job and every process it started.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { KILL_OUTCOMES } from "../../jobs/job.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description: "Stop a job's whole process group: SIGTERM, then SIGKILL after 2 s.",
  inputSchema: z.strictObject({ job_id: jobIdSchema }),
  outputSchema: z.object({ status: z.enum([...KILL_OUTCOMES, "not_found"]) }),
  annotations: { destructiveHint: true, idempotentHint: true },
};

/** Registers `kill_job` on `server`. */
export function registerKillJob(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "kill_job",
    DEFINITION,
    ({ job_id }) =>
      runTool(
        "kill_job",
        manager.logger,
        async () => jsonResult({ status: await manager.kill(job_id) }),
      ),
  );
}
