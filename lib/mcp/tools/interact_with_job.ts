/**
 * `interact_with_job`: type into a job and read its answer.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { interact } from "../../jobs/interaction.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  title: "Send input to a job",
  description:
    "Write `input` to a running job's stdin (a newline is added when missing) and return what " +
    "the job printed after it, once its output has been quiet for 200 ms (at most 10 s).",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    input: z.string().describe("text to write to the job's stdin"),
  }),
  outputSchema: z.object({ stdout: z.string(), stderr: z.string() }),
  annotations: { destructiveHint: true, readOnlyHint: false, openWorldHint: true },
};

/** Registers `interact_with_job` on `server`. */
export function registerInteractWithJob(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "interact_with_job",
    DEFINITION,
    ({ job_id, input }) =>
      runTool("interact_with_job", manager.logger, async () => {
        const answer = await interact(manager.get(job_id), input);
        return jsonResult({ ...answer });
      }),
  );
}
