/**
 * The two entry points of service mode: the front a client starts (`MCP_BG_SERVICE=on`), and the
 * service itself (`--service`, started by a front).
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import { serviceKey } from "./service_key.ts";
import { servicePaths } from "./service_paths.ts";
import { launchArguments } from "./service_launch.ts";
import { connectToService } from "./front.ts";
import { runService } from "./service.ts";
import { relay } from "../transports/relay.ts";
import type { Logger } from "../logger.ts";
import { loadQuickFileChecks } from "../sandbox/program_path.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The service's key and paths for this process's configuration and launch. */
async function locate(config: Config, env: Env, console: boolean) {
  const permissions = [...launchArguments(), ...(console ? ["--console"] : [])];
  const key = await serviceKey(config, { permissions, env });
  return { key, paths: servicePaths(env, key) };
}

/**
 * Runs the front: connects to (or starts) the service for `config` and relays stdio to it until
 * the client or the service goes. Jobs stay with the service.
 */
export async function runFront(
  config: Config,
  options: { env: Env; console: boolean; log: (line: string) => void },
): Promise<void> {
  const { paths } = await locate(config, options.env, options.console);
  const conn = await connectToService(paths, {
    serviceArgs: options.console ? ["--console"] : [],
    log: options.log,
  });
  options.log(`front of the job service ${paths.dir} (log: ${paths.log})`);
  await relay(conn);
}

/**
 * Runs the service (`--service`): its log goes to its folder's `service.log`; its first line on
 * stdout is `ready`, or why it could not start, for the front that started it.
 */
export async function runAsService(
  config: Config,
  options: { env: Env; console: boolean },
): Promise<void> {
  const { key, paths } = await locate(config, options.env, options.console);
  const file = Deno.openSync(paths.log, { append: true, create: true, mode: 0o600 });
  const encoder = new TextEncoder();
  const log = (line: string) => {
    file.writeSync(encoder.encode(`${new Date().toISOString()} ${line}\n`));
  };
  const logger: Logger = {
    error: (what, cause) => log(`${what}: ${cause instanceof Error ? cause.stack : cause}`),
  };
  try {
    await runService(config, {
      key,
      paths,
      console: options.console,
      log,
      logger,
      ready: () => {
        Deno.stdout.writeSync(encoder.encode("ready\n"));
        Deno.stdout.close();
        void loadQuickFileChecks();
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`could not start: ${message}`);
    try {
      Deno.stdout.writeSync(encoder.encode(`${message}\n`));
    } catch {
      // Past `ready` stdout is closed: the log file has it.
    }
    throw error;
  }
}
