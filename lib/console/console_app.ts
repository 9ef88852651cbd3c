/**
 * The console as an MCP App: for a host that declares the `io.modelcontextprotocol/ui` extension,
 * a `ui://` resource holding the view and a `show_jobs` tool whose `_meta.ui.resourceUri` points
 * at it. Other clients see neither, so their tool list stays as it was.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../mcp/sdk.ts";
import type { JobManager } from "../jobs/job_table.ts";
import { describeJob } from "../mcp/job_view.ts";
import { jsonResult, runTool } from "../mcp/tool_result.ts";

/** The MIME type of an MCP App's HTML resource. */
export const APP_MIME_TYPE = "text/html;profile=mcp-app";
/** The URI the console's view is read from. */
export const APP_URI = "ui://mcp-background-job/console";

/** The extension a host declares in its capabilities to render MCP Apps. */
export const UI_EXTENSION = "io.modelcontextprotocol/ui";

const UI = { prefersBorder: true };
// Built once and shared by every session's server, like the other tools' definitions.
const RESOURCE = {
  title: "Jobs console",
  description: "Every job live, with its output and a Stop button",
  mimeType: APP_MIME_TYPE,
  _meta: { ui: UI },
};
const TOOL = {
  title: "Show the jobs console",
  description: "Show the person a live view of every job: status, output as it arrives, and " +
    "Stop and signal buttons. Returns the job list, as list_jobs does.",
  inputSchema: z.strictObject({}),
  _meta: { ui: { resourceUri: APP_URI } },
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/**
 * Whether client `capabilities` say the host renders this server's kind of view.
 *
 * @example Usage
 * ```ts
 * import { rendersApps } from "./console_app.ts";
 * import assert from "node:assert/strict";
 * const ui = { mimeTypes: ["text/html;profile=mcp-app"] };
 * assert.equal(rendersApps({ extensions: { "io.modelcontextprotocol/ui": ui } }), true);
 * assert.equal(rendersApps({}), false);
 * ```
 */
export function rendersApps(capabilities: unknown): boolean {
  const extensions = (capabilities as { extensions?: Record<string, unknown> } | undefined)
    ?.extensions;
  const ui = extensions?.[UI_EXTENSION] as { mimeTypes?: unknown } | undefined;
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(APP_MIME_TYPE);
}

/**
 * Offers the console view on `server` once its client has initialized, if that client renders
 * MCP Apps.
 *
 * @example Usage
 * ```ts
 * import { registerConsoleApp } from "./console_app.ts";
 * import { createServer } from "../mcp/server.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * const server = createServer(manager);
 * registerConsoleApp(server, manager);
 * await server.close();
 * ```
 */
export function registerConsoleApp(server: McpServer, manager: JobManager): void {
  const previous = server.server.oninitialized;
  server.server.oninitialized = () => {
    previous?.();
    if (!rendersApps(server.server.getClientCapabilities())) return;
    // The view's page is loaded when a host first reads it, not by every server that starts.
    server.registerResource("console", APP_URI, RESOURCE, async () => {
      const { APP_HTML } = await import("./app_html.ts");
      return {
        contents: [{ uri: APP_URI, mimeType: APP_MIME_TYPE, text: APP_HTML, _meta: { ui: UI } }],
      };
    });
    server.registerTool(
      "show_jobs",
      TOOL,
      () =>
        runTool(
          "show_jobs",
          manager.logger,
          () => jsonResult({ jobs: manager.list().map(describeJob) }),
        ),
    );
  };
}
