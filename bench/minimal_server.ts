/**
 * The floor any SDK stdio server pays: import the SDK and zod, register one tool, connect stdio.
 * `bench/run.ts` compares the real server's cold start against this one.
 *
 * @module
 */
import { z } from "zod";
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "minimal", version: "0.0.0" });
server.registerTool("echo", {
  description: "Returns its input.",
  inputSchema: z.strictObject({ text: z.string() }),
}, ({ text }) => ({ content: [{ type: "text", text }] }));
await server.connect(new StdioServerTransport());
