/**
 * `interact_with_job`: type into a job and read its answer; for a terminal job also named keys,
 * a resize, and the rendered screen.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import type { Job } from "../../jobs/job.ts";
import { interact } from "../../jobs/interaction.ts";
import { keyBytes } from "../../jobs/keys.ts";
import { checkTerminalSize } from "../../jobs/terminal_process.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";
import { maxBytesSchema, rawSchema, streamText } from "../output_view.ts";
import { ToolError } from "../../errors.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "Write `input` to a running job's stdin (newline added if missing); returns what it " +
    "printed after, once quiet 200 ms (≤10 s). tty job: keys after input, cols/rows, " +
    "returns screen.",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    input: z.string().optional(),
    keys: z.array(z.string()).optional(),
    cols: z.number().int().optional(),
    rows: z.number().int().optional(),
    max_bytes: maxBytesSchema,
    raw: rawSchema,
  }),
  // A tty job's answer also has `screen` (said in the description: tools/list has a budget).
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

/** What to type into a terminal: lines end with Enter (`\r`) unless keys follow the input. */
function typed(input: string | undefined, keys: readonly string[] | undefined): string {
  const sequences = keys?.map(keyBytes).join("") ?? "";
  if (input === undefined) return sequences;
  const text = input.replaceAll("\n", "\r");
  if (keys !== undefined) return text + sequences;
  return text.endsWith("\r") ? text : `${text}\r`;
}

/** Registers `interact_with_job` on `server`. */
export function registerInteractWithJob(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "interact_with_job",
    DEFINITION,
    ({ job_id, input, keys, cols, rows, max_bytes, raw }) =>
      runTool("interact_with_job", manager.logger, async () => {
        const job = manager.get(job_id);
        if (job.screen === null) {
          if (keys !== undefined || cols !== undefined || rows !== undefined) {
            throw new ToolError(
              `Invalid keys/cols/rows: job ${job_id} is not a tty job (start one with tty: true)`,
            );
          }
          if (input === undefined) throw new ToolError("Invalid input: input is required");
        }
        if (cols !== undefined || rows !== undefined) {
          const now = job.screen!.snapshot();
          const size = { cols: cols ?? now.cols, rows: rows ?? now.rows };
          checkTerminalSize(size);
          job.resize(size.cols, size.rows);
        }
        const answer = job.screen === null
          ? await interact(job, input!)
          : await interact(job, typed(input, keys), { verbatim: true });
        const options = { maxBytes: max_bytes, raw };
        return jsonResult({
          stdout: streamText(job.stdout, "stdout", { ...options, since: answer.stdoutFrom }).text,
          stderr: streamText(job.stderr, "stderr", { ...options, since: answer.stderrFrom }).text,
          ...(job.screen === null ? {} : { screen: job.screen.snapshot().screen }),
          ...(answer.anyOutput ? {} : { note: silenceNote(job) }),
        });
      }),
  );
}
