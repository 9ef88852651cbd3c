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

/** Registers `execute_command` on `server`. */
export function registerExecuteCommand(server: McpServer, manager: JobManager): void {
  server.registerTool("execute_command", {
    title: "Start a background job",
    description:
      "Start a command as a background job and return its job_id at once. The line is split " +
      "with POSIX shell quoting and run directly, without a shell: pipes, ; and && are plain " +
      'arguments unless you run `sh -c "..."` yourself. Optional: cwd (inside the working ' +
      "directory), env additions, a per-job timeout in seconds, a name shown in list_jobs, and " +
      'stdin "closed" for commands that must not wait for input.',
    inputSchema: z.strictObject({
      command: z.string().describe("the command line, e.g. `npm run dev`"),
      cwd: z.string().min(1).optional().describe(
        "directory to run in, relative to the server's working directory; must stay inside it",
      ),
      env: z.record(z.string(), z.string()).optional().describe(
        "variables to add to the job's environment; PATH, LD_*, DYLD_* and other variables " +
          "that make a program load or run other code are refused",
      ),
      timeout: z.number().int().min(1).max(MAX_TIMER_SECONDS).optional().describe(
        "seconds after which the job is killed (kill_reason timeout); a shorter server-wide " +
          "MCP_BG_JOB_TIMEOUT still applies",
      ),
      name: z.string().min(1).max(MAX_NAME_LENGTH).optional().describe(
        "a label shown in list_jobs and get_job_status",
      ),
      stdin: z.enum(STDIN_MODES).optional().describe(
        "pipe (default): stays open for interact_with_job; closed: the job reads end-of-file at once",
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
