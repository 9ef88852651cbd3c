/**
 * `console_url`: a link to the live console, for the agent to hand to the person.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { jsonResult, runTool } from "../tool_result.ts";

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description: "URL of a page where the person watches jobs live and can stop or signal " +
    "them; give it to them, don't open it. With a token it works once, within 15 min.",
  inputSchema: z.strictObject({}),
  outputSchema: z.object({ url: z.string() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `console_url` on `server`; `consoleUrl` makes each link. */
export function registerConsoleUrl(
  server: McpServer,
  manager: JobManager,
  consoleUrl: () => string,
): void {
  server.registerTool(
    "console_url",
    DEFINITION,
    () => runTool("console_url", manager.logger, () => jsonResult({ url: consoleUrl() })),
  );
}
