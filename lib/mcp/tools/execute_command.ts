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
import { type Job, STDIN_MODES } from "../../jobs/job.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeExecuteCommand } from "../command_description.ts";

/** The arguments of every tool that starts a job: the command line and its start options. */
export const startJobShape = {
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
};

/** Validates `args` as `execute_command` does and starts the job (see {@linkcode JobManager.start}). */
export function startJob(
  manager: JobManager,
  args: z.infer<z.ZodObject<typeof startJobShape>>,
): Job {
  const { command, cwd, env, timeout, name, stdin } = args;
  return manager.start(command, { cwd, env, timeoutSeconds: timeout, name, stdin });
}

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  title: "Start a background job",
  inputSchema: z.strictObject(startJobShape),
  outputSchema: z.object({ job_id: z.string() }),
  annotations: { destructiveHint: true, readOnlyHint: false, openWorldHint: true },
};

/** Registers `execute_command` on `server`. */
export function registerExecuteCommand(server: McpServer, manager: JobManager): void {
  // The description follows the configuration; the schemas are the shared ones.
  server.registerTool("execute_command", {
    ...DEFINITION,
    description: describeExecuteCommand(manager.config),
  }, (args) =>
    runTool("execute_command", manager.logger, () => {
      return jsonResult({ job_id: startJob(manager, args).id });
    }));
}
