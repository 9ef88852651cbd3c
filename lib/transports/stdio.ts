/**
 * The stdio transport: MCP messages on stdin/stdout, logs on stderr only.
 *
 * @module
 */
import process from "node:process";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { McpServer } from "../mcp/sdk.ts";

/**
 * Connects `server` to this process's stdin and stdout. `onEnd` runs once when the client
 * goes away (stdin reaches end-of-file or the transport closes).
 */
export async function serveStdio(server: McpServer, onEnd: () => void): Promise<void> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  // The SDK transport never watches for end-of-file, so a client that exits would leave us running.
  process.stdin.once("end", end);
  process.stdin.once("close", end);
  const transport = new StdioServerTransport();
  transport.onclose = end;
  await server.connect(transport);
}
