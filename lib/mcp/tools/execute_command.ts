/**
 * `execute_command`: start a command line as a background job.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { MAX_TIMER_SECONDS } from "../../config.ts";
import { MAX_NAME_LENGTH } from "../../jobs/start_options.ts";
import { STDIN_MODES } from "../../jobs/job.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeExecuteCommand } from "../command_description.ts";

/** Registers `execute_command` on `server`. */
export function registerExecuteCommand(server: McpServer, manager: JobManager): void {
  server.registerTool("execute_command", {
    title: "Start a background job",
    description: describeExecuteCommand(manager.config),
    inputSchema: z.strictObject({
      command: z.string(),
      cwd: z.string().min(1).optional().describe("inside the working directory"),
      env: z.record(z.string(), z.string()).optional().describe(
        "added variables; PATH, LD_* and the like are refused",
      ),
      timeout: z.number().int().min(1).max(MAX_TIMER_SECONDS).optional().describe(
        "seconds, then the job is killed",
      ),
      name: z.string().min(1).max(MAX_NAME_LENGTH).optional().describe("a label for list_jobs"),
      stdin: z.enum(STDIN_MODES).optional().describe(
        "closed: the job reads end-of-file at once; default pipe, for interact_with_job",
      ),
    }),
    outputSchema: z.object({ job_id: z.string() }),
    annotations: { destructiveHint: true, readOnlyHint: false, openWorldHint: true },
  }, ({ command, cwd, env, timeout, name, stdin }) =>
    runTool("execute_command", () => {
      const job = manager.start(command, { cwd, env, timeoutSeconds: timeout, name, stdin });
      return jsonResult({ job_id: job.id });
    }));
}
