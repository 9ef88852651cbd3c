/**
 * The front: what a client starts when `MCP_BG_SERVICE=on`. It finds the service for its
 * configuration (starting it when none answers; two fronts starting at once start one, under a
 * lock) and relays the client's stdio to it.
 *
 * @module
 */
import { answers } from "./service.ts";
import type { ServicePaths } from "./service_paths.ts";
import { spawnService } from "./service_launch.ts";
import { StartupError } from "../errors.ts";

/** Connects to the service on `paths`, starting it first when none answers. */
export async function connectToService(
  paths: ServicePaths,
  options: { serviceArgs: readonly string[]; log: (line: string) => void },
): Promise<Deno.Conn> {
  const first = await tryConnect(paths);
  if (first !== undefined) return first;
  const lock = await Deno.open(paths.startLock, { write: true, create: true, mode: 0o600 });
  try {
    await lock.lock(true);
    // Another front may have started it while this one waited for the lock.
    if (!(await answers(paths.socket))) {
      options.log(`starting the job service (${paths.dir})`);
      await spawnService(options.serviceArgs);
    }
  } finally {
    lock.close();
  }
  const conn = await tryConnect(paths);
  if (conn === undefined) {
    throw new StartupError(`The job service does not answer on ${paths.socket}`);
  }
  return conn;
}

async function tryConnect(paths: ServicePaths): Promise<Deno.Conn | undefined> {
  try {
    const info = Deno.lstatSync(paths.socket);
    // Only a socket of this user's, in the folder checked private, is ever spoken to.
    if (!info.isSocket || info.uid !== Deno.uid()) {
      throw new StartupError(`${paths.socket} is not this user's socket: remove it`);
    }
    return await Deno.connect({ transport: "unix", path: paths.socket });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused) {
      return undefined;
    }
    throw error;
  }
}
