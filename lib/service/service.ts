/**
 * The job service: one job table (and its ledger) serving MCP to every front that connects to its
 * Unix socket, one session per connection. Jobs belong to the service, not to a front: they run on
 * when a front goes. The service exits on SIGTERM/SIGINT (stopping its jobs), and after
 * `MCP_BG_SERVICE_IDLE` seconds with no front connected and no job running.
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import { createServer } from "../mcp/server.ts";
import { registerConsoleApp } from "../console/console_app.ts";
import { installShutdown } from "../jobs/shutdown.ts";
import { serveSocketSession } from "../transports/socket_session.ts";
import { describeConfig } from "../settings/describe_config.ts";
import { managedJobs } from "./managed_jobs.ts";
import { type JobWatcher, watchJobs } from "./job_watcher.ts";
import type { ServicePaths } from "./service_paths.ts";
import { writePrivateFile } from "./private_dir.ts";
import { StartupError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/** What the service writes to its status file: read by `--stop-service` and by tests. */
export interface ServiceStatus {
  readonly pid: number;
  readonly key: string;
  readonly started: string;
  readonly working_dir: string;
  readonly socket: string;
  readonly ledger: string;
  readonly console: string | null;
  readonly watcher_pid: number | null;
}

/** How to run the service. */
export interface ServiceOptions {
  readonly key: string;
  readonly paths: ServicePaths;
  /** Also serve the live console (its URL goes to the status file and the `console_url` tool). */
  readonly console: boolean;
  /** Where lines go (the service's log file). */
  readonly log: (line: string) => void;
  readonly logger: Logger;
  /** Called once the socket takes connections. */
  readonly ready: () => void;
}

/** Whether a service already answers on `socket`. */
export async function answers(socket: string): Promise<boolean> {
  try {
    (await Deno.connect({ transport: "unix", path: socket })).close();
    return true;
  } catch (error) {
    // No socket file, or a file left by a service that died: no service there.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused) {
      return false;
    }
    throw error;
  }
}

/**
 * Runs the service for `config` until it is stopped or idle.
 *
 * @throws {StartupError} when another service already answers on the socket.
 */
export async function runService(config: Config, options: ServiceOptions): Promise<void> {
  const { paths, log } = options;
  if (await answers(paths.socket)) {
    throw new StartupError(`a service already answers on ${paths.socket}`);
  }
  await Deno.remove(paths.socket).catch(() => {
    // No socket file left by an earlier service: nothing to clear.
  });
  const stateDir = config.stateDir ?? paths.stateDir;
  const { manager, ledger } = managedJobs(config, {
    stateDir,
    logger: options.logger,
    // Contained jobs see neither the socket's folder nor the ledger.
    hidden: [paths.base],
  });
  // A service waits for no client: it chooses where jobs run (and fails on that) at once.
  const executor = await manager.ready();
  let watcher: JobWatcher | undefined;
  try {
    watcher = watchJobs(manager);
  } catch (error) {
    log(
      `warning: no watcher for uncontained jobs (${error}): they would outlive a SIGKILLed service`,
    );
  }
  const web = options.console
    ? await (await import("../transports/console_server.ts")).serveConsole(manager, {
      token: config.httpToken ?? config.httpTokenFromFile,
      log,
    })
    : undefined;
  const listener = Deno.listen({ transport: "unix", path: paths.socket });
  Deno.chmodSync(paths.socket, 0o600);
  const status: ServiceStatus = {
    pid: Deno.pid,
    key: options.key,
    started: new Date().toISOString(),
    working_dir: config.workingDir,
    socket: paths.socket,
    ledger: stateDir,
    console: web?.entryUrl() ?? null,
    watcher_pid: watcher?.pid ?? null,
  };
  writePrivateFile(paths.status, JSON.stringify(status));
  const shutdown = installShutdown(manager, log, {
    afterJobs: async () => {
      listener.close();
      await Deno.remove(paths.socket).catch(() => {});
      await Deno.remove(paths.status).catch(() => {});
      await web?.close();
      await ledger?.close();
      await watcher?.close();
    },
  });
  let fronts = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const checkIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (fronts > 0 || manager.runningCount > 0) return;
    idleTimer = setTimeout(
      () => shutdown(`idle for ${config.serviceIdleSeconds} s`),
      config.serviceIdleSeconds * 1000,
    );
  };
  manager.onEvent(({ kind }) => {
    if (kind !== "dropped") checkIdle();
  });
  checkIdle();
  log(`service ready on ${paths.socket}; ${describeConfig(config, executor)}`);
  if (web !== undefined) log(`console: ${web.entryUrl()}`);
  options.ready();
  let sessions = 0;
  for await (const conn of listener) {
    fronts++;
    checkIdle();
    const server = createServer(manager, { consoleUrl: web && (() => web.entryUrl()) });
    registerConsoleApp(server, manager);
    serveSocketSession(server, conn, {
      sessionId: `front-${++sessions}`,
      onEnd: () => {
        fronts--;
        server.close().catch((error) => log(`session close failed: ${error}`));
        checkIdle();
      },
    }).catch((error) => log(`session failed: ${error}`));
  }
}
