/**
 * Listening on an address with `Deno.serve` and learning the port actually bound.
 *
 * @module
 */
import { StartupError } from "../errors.ts";

/** A server listening, and the address it is bound to. */
export interface Listening {
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  readonly addr: Deno.NetAddr;
  /** The origin clients use, e.g. `http://127.0.0.1:3939` (IPv6 addresses in brackets). */
  readonly origin: string;
}

/** `Deno.serve`, with the errors a user can fix turned into one clear {@linkcode StartupError}. */
function serve(
  host: string,
  port: number,
  options: Omit<Deno.ServeTcpOptions & Deno.ServeInit, "hostname" | "port">,
): Deno.HttpServer<Deno.NetAddr> {
  const where = `${host}:${port}`;
  try {
    return Deno.serve({ ...options, hostname: host, port });
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
 * assert.equal(await (await fetch(origin)).text(), "ok");
 * await server.shutdown();
 * ```
 */
export async function listen(
  host: string,
  port: number,
  handler: (request: Request) => Response | Promise<Response>,
  options: { log: (line: string) => void; onError: () => Response },
): Promise<Listening> {
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = serve(host, port, {
    // A `Host` header that makes no URL (`a:1,b`) would throw in every route: refuse it first.
    handler: (request) =>
      URL.canParse(request.url)
        ? handler(request)
        : new Response("Bad request: the Host header is not a host name", { status: 400 }),
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
    onError: (error) => {
      options.log(`request failed: ${error instanceof Error ? error.stack : error}`);
      return options.onError();
    },
  });
  const addr = await listening.promise;
  const hostPart = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return { server, addr, origin: `http://${hostPart}:${addr.port}` };
}
