/**
 * `execute_command`: start a command line as a background job.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../mcp_server.ts";
import type { JobManager } from "../job_manager.ts";
import { jsonResult, runTool } from "./tool_result.ts";

/** Registers `execute_command` on `server`. */
export function registerExecuteCommand(server: McpServer, manager: JobManager): void {
  server.registerTool("execute_command", {
    title: "Start a background job",
    description:
      "Start a command as a background job and return its job_id at once. The line is split " +
      "with POSIX shell quoting and run directly, without a shell: pipes, ; and && are plain " +
      'arguments unless you run `sh -c "..."` yourself.',
    inputSchema: z.strictObject({
      command: z.string().describe("the command line, e.g. `npm run dev`"),
    }),
    outputSchema: z.object({ job_id: z.string() }),
    annotations: { destructiveHint: true, readOnlyHint: false, openWorldHint: true },
  }, ({ command }) =>
    runTool("execute_command", () => {
      const job = manager.start(command);
      return jsonResult({ job_id: job.id });
    }));
}
