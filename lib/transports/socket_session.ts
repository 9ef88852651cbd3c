/**
 * One MCP session on one connection to the service's Unix socket: the stdio framing over the
 * connection's two streams, with the session's id (shown as the `session` of the jobs it starts).
 *
 * @module
 */
import type { McpServer } from "../mcp/sdk.ts";
import { StdioTransport } from "./stdio_transport.ts";
import { CeilingTransport } from "./message_ceiling.ts";

/** The stdio transport with a session id, so tool handlers see which front called. */
class SessionTransport extends StdioTransport {
  sessionId: string;

  constructor(conn: Deno.Conn, sessionId: string) {
    super({ input: conn.readable, output: conn.writable });
    this.sessionId = sessionId;
  }
}

/**
 * Serves `server` on `conn` as session `sessionId`; `onEnd` runs once when the front goes away.
 * Once the client has introduced itself, the session id carries its name too.
 */
export async function serveSocketSession(
  server: McpServer,
  conn: Deno.Conn,
  options: { sessionId: string; onEnd: () => void },
): Promise<void> {
  const inner = new SessionTransport(conn, options.sessionId);
  const transport = new CeilingTransport(inner);
  let ended = false;
  transport.onclose = () => {
    if (ended) return;
    ended = true;
    try {
      conn.close();
    } catch {
      // The front closed it first: it is gone either way.
    }
    options.onEnd();
  };
  server.server.oninitialized = () => {
    const client = server.server.getClientVersion()?.name;
    if (client !== undefined) inner.sessionId = `${options.sessionId} ${client}`.slice(0, 200);
  };
  await server.connect(transport);
}
