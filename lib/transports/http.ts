/**
 * The Streamable HTTP transport: MCP at `/mcp`, one session (and one MCP server) per client, every
 * session sharing one job table; the live console at `/`.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JobManager } from "../jobs/job_table.ts";
import type { McpServer } from "../mcp/sdk.ts";
import { createServer } from "../mcp/server.ts";
import { WebConsole } from "../console/web_console.ts";
import { registerConsoleApp } from "../console/console_app.ts";
import { raceTimeout } from "../timers.ts";
import { assertSafeBinding, createGuard, type Guard } from "./http_guard.ts";
import { listen } from "./listen.ts";
import { CeilingTransport } from "./message_ceiling.ts";
import { readPostBody } from "./http_body.ts";
import { errorResponse, readableId } from "./message_check.ts";
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";

import {
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
} from "./http_defaults.ts";
import { DEFAULT_MAX_SESSIONS } from "../settings/config.ts";
export { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MAX_SESSIONS };

/** How to serve MCP over HTTP. */
export interface HttpOptions {
  /** Address to bind; a non-loopback one needs `token`. */
  readonly host: string;
  /** Port to bind; 0 picks a free one (read it from {@linkcode HttpServer.url}). */
  readonly port: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra host names clients may reach the server by (see `GuardOptions.allowedHosts`). */
  readonly allowedHosts?: readonly string[];
  /** Milliseconds of inactivity after which a session is closed. */
  readonly idleTimeoutMs?: number;
  /** Sessions open at once; a request for another gets 503. Default {@linkcode DEFAULT_MAX_SESSIONS}. */
  readonly maxSessions?: number;
  readonly log: (line: string) => void;
}

/** A running HTTP server. */
export interface HttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3939/mcp`. */
  readonly url: string;
  /** Where a person opens the console: `/`, or a fresh one-time login link when a token is set. */
  consoleUrl(): string;
  /** Sessions currently open. */
  readonly sessionCount: number;
  /** Closes every session, then stops listening. Jobs are the caller's to end. */
  close(): Promise<void>;
}

interface Session {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  lastActive: number;
  /** Response bodies (SSE streams included) still being sent. */
  openStreams: number;
}

function jsonRpcError(
  status: number,
  code: number,
  message: string,
  id: RequestId | null = null,
): Response {
  return new Response(JSON.stringify(errorResponse(id, code, message)), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`. Each session gets its own server from
 * {@linkcode createServer}, all on `manager`.
 *
 * @throws {ConfigError} for a non-loopback `host` without a token.
 */
export async function serveHttp(manager: JobManager, options: HttpOptions): Promise<HttpServer> {
  assertSafeBinding(options.host, options.token);
  const token = options.token === "" ? undefined : options.token;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_SECONDS * 1000;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const sessions = new Map<string, Session>();
  // Sessions being initialized count too: a burst of requests cannot overshoot the cap.
  let opening = 0;
  // The guard and the console need the port actually bound, known only once listening.
  const checks: { guard?: Guard; web?: WebConsole } = {};
  let consoleUrl = () => "";

  const closeSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (session === undefined) return;
    sessions.delete(id);
    options.log(`session ${id} closed (${why})`);
    await session.server.close();
  };

  const openSession = async (request: Request, parsedBody: unknown): Promise<Response> => {
    if (sessions.size + opening >= maxSessions) {
      options.log(`session refused: ${maxSessions} already open`);
      // A single request (not a batch) is answered with its own id.
      const id = typeof parsedBody === "object" && parsedBody !== null && !Array.isArray(parsedBody)
        ? readableId((parsedBody as { id?: unknown }).id) ?? null
        : null;
      return jsonRpcError(
        503,
        -32000,
        `Server busy: ${maxSessions} sessions are open, the most MCP_BG_HTTP_MAX_SESSIONS allows; ` +
          "end one (HTTP DELETE with its Mcp-Session-Id) or retry once an idle one has expired",
        id,
      );
    }
    opening++;
    try {
      return await startSession(request, parsedBody);
    } finally {
      opening--;
    }
  };

  const startSession = async (request: Request, parsedBody: unknown): Promise<Response> => {
    const server = createServer(manager, { consoleUrl: () => consoleUrl() });
    registerConsoleApp(server, manager);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport, lastActive: Date.now(), openStreams: 0 });
        options.log(`session ${id} opened`);
      },
      onsessionclosed: (id) => closeSession(id, "client ended it"),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) void closeSession(transport.sessionId, "closed");
    };
    await server.connect(new CeilingTransport(transport));
    const response = await transport.handleRequest(request, { parsedBody });
    const session = transport.sessionId === undefined
      ? undefined
      : sessions.get(transport.sessionId);
    // Anything but a successful initialize leaves no session behind.
    if (session === undefined) await server.close();
    return session === undefined ? response : track(response, session);
  };

  const handle = async (request: Request): Promise<Response> => {
    const { guard, web } = checks;
    if (guard === undefined || web === undefined) {
      return jsonRpcError(503, -32000, "Server is starting");
    }
    const pathname = new URL(request.url).pathname;
    // The console checks the same guard, with its session cookie in place of the token.
    if (WebConsole.serves(pathname)) return await web.handle(request, guard);
    const refused = guard(request);
    if (refused !== undefined) return refused;
    if (pathname !== "/mcp") {
      return jsonRpcError(404, -32000, "Not found: the MCP endpoint is /mcp");
    }
    const id = request.headers.get("mcp-session-id");
    if (id === null) {
      if (request.method !== "POST") {
        return jsonRpcError(400, -32000, "Bad request: Mcp-Session-Id header is required");
      }
      const checked = await readPostBody(request);
      if (checked.kind === "answered") return checked.response;
      return await openSession(request, checked.body);
    }
    const session = sessions.get(id);
    if (session === undefined) return jsonRpcError(404, -32001, "Session not found");
    session.lastActive = Date.now();
    let parsedBody: unknown;
    if (request.method === "POST") {
      const checked = await readPostBody(request);
      if (checked.kind === "answered") return checked.response;
      parsedBody = checked.body;
    }
    return track(await session.transport.handleRequest(request, { parsedBody }), session);
  };

  const { server, addr, origin } = await listen(options.host, options.port, handle, {
    log: options.log,
    onError: () => jsonRpcError(500, -32603, "Internal error"),
  });
  const web = new WebConsole(manager, { port: addr.port, tokenRequired: token !== undefined });
  consoleUrl = () => origin + web.entryPath();
  checks.web = web;
  checks.guard = createGuard({
    host: options.host,
    port: addr.port,
    token,
    allowedHosts: options.allowedHosts,
  });

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (session.openStreams === 0 && now - session.lastActive > idleTimeoutMs) {
        void closeSession(id, `idle for ${Math.round(idleTimeoutMs / 1000)} s`);
      }
    }
  }, Math.max(100, Math.min(idleTimeoutMs / 4, 30_000)));

  return {
    url: `${origin}/mcp`,
    consoleUrl,
    get sessionCount() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweep);
      web.close();
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, "server shutting down")));
      // Streams the sessions held are closed now; a stuck connection must not hold the exit.
      await raceTimeout(server.shutdown(), 2000, undefined);
    },
  };
}

/** Counts `response`'s body as an open stream of `session` until it ends or is cancelled. */
function track(response: Response, session: Session): Response {
  const body = response.body;
  if (body === null) return response;
  session.openStreams++;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    session.openStreams--;
    session.lastActive = Date.now();
  };
  const reader = body.getReader();
  const tracked = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(tracked, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
