/**
 * The stdio transport: MCP messages on stdin/stdout, logs on stderr only.
 *
 * @module
 */
import type { McpServer } from "../mcp/sdk.ts";
import { StdioTransport } from "./stdio_transport.ts";
import { CeilingTransport } from "./message_ceiling.ts";

/**
 * Connects `server` to this process's stdin and stdout. `onEnd` runs once when the client
 * goes away (stdin reaches end-of-file or the transport closes).
 */
export async function serveStdio(server: McpServer, onEnd: () => void): Promise<void> {
  let ended = false;
  const transport = new CeilingTransport(new StdioTransport());
  transport.onclose = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  await server.connect(transport);
}
