/**
 * `interact_with_job`: type into a job and read its answer.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import type { Job } from "../../jobs/job.ts";
import { interact } from "../../jobs/interaction.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";
import { maxBytesSchema, rawSchema, streamText } from "../output_view.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "Write `input` to a running job's stdin (newline added if missing); returns what it " +
    "printed after, once quiet 200 ms (at most 10 s).",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    input: z.string(),
    max_bytes: maxBytesSchema,
    raw: rawSchema,
  }),
  outputSchema: z.object({ stdout: z.string(), stderr: z.string(), note: z.string().optional() }),
  annotations: { destructiveHint: true },
};

/** Why an input may have got no answer, for an agent that would otherwise read "" as success. */
function silenceNote(job: Job): string {
  if (job.status !== "running") {
    return `No output: the job ended (${job.status}, exit code ${job.exitCode}) without answering.`;
  }
  return "No output yet: the program may hold its output in a buffer (use python3 -u or -i, " +
    "node -i, stdbuf -oL), may not read stdin, or may still be working (wait_for_job).";
}

/** Registers `interact_with_job` on `server`. */
export function registerInteractWithJob(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "interact_with_job",
    DEFINITION,
    ({ job_id, input, max_bytes, raw }) =>
      runTool("interact_with_job", manager.logger, async () => {
        const job = manager.get(job_id);
        const answer = await interact(job, input);
        const options = { maxBytes: max_bytes, raw };
        return jsonResult({
          stdout: streamText(job.stdout, "stdout", { ...options, since: answer.stdoutFrom }).text,
          stderr: streamText(job.stderr, "stderr", { ...options, since: answer.stderrFrom }).text,
          ...(answer.anyOutput ? {} : { note: silenceNote(job) }),
        });
      }),
  );
}
