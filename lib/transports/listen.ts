/**
 * Listening on an address with an accept loop of our own: `Deno.serve` ends the process when
 * `accept` fails (`Too many open files` under a flood of connections), so connections are
 * accepted here, counted and capped below the descriptor limit, and each is served by
 * `Deno.serveHttp`. A failed accept is waited out and retried; past the cap an idle connection is
 * closed to make room, and with none idle the newcomer gets 503.
 *
 * @module
 */
import { StartupError } from "../errors.ts";
import { connectionCap } from "../jobs/descriptors.ts";

/** A server listening: stop it with `shutdown`. */
export interface ListeningServer {
  /** Stops accepting and closes every connection. */
  shutdown(): Promise<void>;
  /** Connections open now. */
  readonly connections: number;
  /** The most connections held at once. */
  readonly maxConnections: number;
}

/** A server listening, and the address it is bound to. */
export interface Listening {
  readonly server: ListeningServer;
  readonly addr: Deno.NetAddr;
  /** The origin clients use, e.g. `http://127.0.0.1:3939` (IPv6 addresses in brackets). */
  readonly origin: string;
}

/** How to listen. */
export interface ListenOptions {
  readonly log: (line: string) => void;
  /** The answer to a request whose handler threw. */
  readonly onError: () => Response;
  /** Connections held at most; default: from the descriptor limit (see `connectionCap`). */
  readonly maxConnections?: number;
  /** A connection with no request in progress for this long is closed. Default 30 s. */
  readonly idleMs?: number;
}

/** `Deno.listen`, with the errors a user can fix turned into one clear {@linkcode StartupError}. */
function bind(host: string, port: number): Deno.TcpListener {
  const where = `${host}:${port}`;
  try {
    return Deno.listen({ hostname: host, port, transport: "tcp" });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new StartupError(
        `${where} is already in use (another server on it?); choose another --port, or --port 0 ` +
          "for a free one",
        { cause: error },
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new StartupError(`${where} is not an address of this machine; choose another --host`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** A request on a connection served by `Deno.serveHttp`. */
interface RequestEvent {
  readonly request: Request;
  respondWith(response: Response): Promise<void>;
}

/** A connection served by `Deno.serveHttp`: its requests, one after another. */
interface HttpConn extends AsyncIterable<RequestEvent> {
  close(): void;
}

// Deno 2 still has `Deno.serveHttp` at run time but no longer in its types: it is the one API that
// serves HTTP on a connection the program accepted itself.
const serveHttp = (Deno as unknown as { serveHttp?: (conn: Deno.Conn) => HttpConn }).serveHttp;

/** One open connection: its HTTP stream and whether a request is in progress on it. */
interface Connection {
  readonly conn: Deno.Conn;
  http?: HttpConn;
  /** Requests being answered (a streamed answer counts until it ends). */
  busy: number;
  /** When the last request ended (or the connection opened). */
  idleSince: number;
}

const BUSY_BODY = (cap: number) =>
  JSON.stringify({
    jsonrpc: "2.0",
    error: {
      code: -32000,
      message: `Server busy: ${cap} connections are open, the most it holds; retry shortly`,
    },
    id: null,
  });

function close(connection: Connection): void {
  try {
    if (connection.http !== undefined) connection.http.close();
    else connection.conn.close();
  } catch {
    // Closed already.
  }
}

/**
 * Serves `handler` on `host`:`port` (0 picks a free port); a request that throws is logged and
 * answered by `onError`.
 *
 * @throws {StartupError} when the port is taken or the address is not this machine's.
 *
 * @example Usage
 * ```ts
 * import { listen } from "./listen.ts";
 * import assert from "node:assert/strict";
 * const { server, origin } = await listen("127.0.0.1", 0, () => new Response("ok"), {
 *   log: () => {},
 *   onError: () => new Response("failed", { status: 500 }),
 * });
 * const response = await fetch(origin, { headers: { connection: "close" } });
 * assert.equal(await response.text(), "ok");
 * await server.shutdown();
 * ```
 */
export function listen(
  host: string,
  port: number,
  handler: (request: Request) => Response | Promise<Response>,
  options: ListenOptions,
): Promise<Listening> {
  if (serveHttp === undefined) {
    throw new StartupError(
      "this Deno has no Deno.serveHttp, which the HTTP server needs to cap its connections; " +
        "run it with Deno 2.9",
    );
  }
  const listener = bind(host, port);
  const addr = listener.addr;
  const cap = options.maxConnections ?? connectionCap();
  const idleMs = options.idleMs ?? 30_000;
  const open = new Set<Connection>();
  let closing = false;

  const answer = async (event: RequestEvent, connection: Connection) => {
    let response: Response;
    try {
      // A `Host` header that makes no URL (`a:1,b`) would throw in every route: refuse it first.
      response = URL.canParse(event.request.url)
        ? await handler(event.request)
        : new Response("Bad request: the Host header is not a host name", { status: 400 });
    } catch (error) {
      options.log(`request failed: ${error instanceof Error ? error.stack : error}`);
      response = options.onError();
    }
    try {
      await event.respondWith(response);
    } catch {
      // The client went away mid-answer.
    } finally {
      connection.busy--;
      connection.idleSince = Date.now();
    }
  };

  const serve = async (connection: Connection) => {
    try {
      connection.http = serveHttp!.call(Deno, connection.conn);
      for await (const event of connection.http) {
        connection.busy++;
        void answer(event, connection);
      }
    } catch {
      // A broken connection (reset, malformed HTTP): it ends here and nowhere else.
    } finally {
      open.delete(connection);
      close(connection);
    }
  };

  /** Closes the longest-idle connection with no request in progress; whether there was one. */
  const evictIdle = (): boolean => {
    let oldest: Connection | undefined;
    for (const connection of open) {
      if (connection.busy > 0) continue;
      if (oldest === undefined || connection.idleSince < oldest.idleSince) oldest = connection;
    }
    if (oldest === undefined) return false;
    open.delete(oldest);
    close(oldest);
    return true;
  };

  const refuse = (conn: Deno.Conn) => {
    const body = BUSY_BODY(cap);
    const head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n" +
      `content-length: ${new TextEncoder().encode(body).length}\r\nretry-after: 1\r\n` +
      "connection: close\r\n\r\n";
    conn.write(new TextEncoder().encode(head + body)).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    });
  };

  let refusedSinceLog = 0;
  const accepting = (async () => {
    let wait = 10;
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
        wait = 10;
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) break;
        // Out of descriptors (or a connection reset before it was accepted): the listener is
        // fine; wait, while connections and jobs give descriptors back, and accept again.
        if (wait === 10) options.log(`accept failed, retrying: ${(error as Error).message}`);
        if (wait < 1000 && evictIdle()) continue;
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, 1000);
        continue;
      }
      if (open.size >= cap && !evictIdle()) {
        if (refusedSinceLog++ === 0) options.log(`connection refused: ${cap} already open`);
        refuse(conn);
        continue;
      }
      refusedSinceLog = 0;
      const connection: Connection = { conn, busy: 0, idleSince: Date.now() };
      open.add(connection);
      void serve(connection);
    }
  })();

  // Idle keep-alive connections are closed, so clients that went quiet give their place back.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const connection of [...open]) {
      if (connection.busy === 0 && now - connection.idleSince > idleMs) {
        open.delete(connection);
        close(connection);
      }
    }
  }, Math.max(50, Math.min(idleMs / 2, 5000)));

  const hostPart = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return Promise.resolve({
    addr,
    origin: `http://${hostPart}:${addr.port}`,
    server: {
      get connections() {
        return open.size;
      },
      maxConnections: cap,
      async shutdown() {
        closing = true;
        clearInterval(sweep);
        try {
          listener.close();
        } catch {
          // Closed already.
        }
        await accepting;
        for (const connection of [...open]) close(connection);
        open.clear();
      },
    },
  });
}
