/**
 * The console on its own loopback port, for a server speaking MCP over stdio (`--console`).
 *
 * @module
 */
import type { JobManager } from "../jobs/job_table.ts";
import { WebConsole } from "../console/web_console.ts";
import { raceTimeout } from "../timers.ts";
import { DEFAULT_HTTP_HOST } from "./http_defaults.ts";
import { createGuard } from "./http_guard.ts";
import { listen } from "./listen.ts";

/** How to serve the console alone. */
export interface ConsoleServerOptions {
  /** The token a non-browser client may send as a bearer header; default: a random one. */
  readonly token?: string;
  /** Port to bind on loopback; default 0, a free one. */
  readonly port?: number;
  readonly log: (line: string) => void;
}

/** The console listening on loopback. */
export interface ConsoleServer {
  /** A fresh one-time link that opens the console in a browser. */
  entryUrl(): string;
  /** Ends the page's streams and stops listening. */
  close(): Promise<void>;
}

/**
 * Serves the console of `manager`'s jobs on `127.0.0.1`. It always needs a login: other users of
 * the machine can reach a loopback port too, and a stdio server has no token of its own.
 *
 * @example Usage
 * ```ts
 * import { serveConsole } from "./console_server.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * const console = await serveConsole(manager, { log: () => {} });
 * assert.match(console.entryUrl(), /^http:\/\/127\.0\.0\.1:\d+\/console\/login\?code=/);
 * await console.close();
 * ```
 */
export async function serveConsole(
  manager: JobManager,
  options: ConsoleServerOptions,
): Promise<ConsoleServer> {
  const token = options.token || crypto.randomUUID() + crypto.randomUUID();
  const ready: { web?: WebConsole; guard?: ReturnType<typeof createGuard> } = {};
  const { server, addr, origin } = await listen(
    DEFAULT_HTTP_HOST,
    options.port ?? 0,
    (request) => {
      const { web, guard } = ready;
      if (web === undefined || guard === undefined) {
        return new Response("Starting", { status: 503 });
      }
      if (!WebConsole.serves(new URL(request.url).pathname)) {
        return new Response("Not found: the console is at /", { status: 404 });
      }
      return web.handle(request, guard);
    },
    { log: options.log, onError: () => new Response("Internal error", { status: 500 }) },
  );
  ready.guard = createGuard({ host: DEFAULT_HTTP_HOST, port: addr.port, token });
  ready.web = new WebConsole(manager, { port: addr.port, tokenRequired: true });
  return {
    entryUrl: () => origin + ready.web!.entryPath(),
    async close() {
      ready.web?.close();
      // An open page must not hold the exit.
      await raceTimeout(server.shutdown(), 2000, undefined);
    },
  };
}
