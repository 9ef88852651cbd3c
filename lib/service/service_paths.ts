/**
 * Where a service lives: its socket and status in a private runtime directory (0700 under
 * `$XDG_RUNTIME_DIR`, else under the temp directory named by uid), its ledger in the user's state
 * directory. One folder per configuration key (see `service_key.ts`).
 *
 * @module
 */
import { privateDirectory } from "./private_dir.ts";

/** The files of the service for one configuration key. */
export interface ServicePaths {
  /** The private folder of all this user's services (checked for owner and mode). */
  readonly base: string;
  /** The private folder of this service: socket, status, lock, log. */
  readonly dir: string;
  readonly socket: string;
  /** JSON written by the running service: pid, start time, what it serves. */
  readonly status: string;
  /** Held (flock) by the front that is starting the service, so two fronts start one. */
  readonly startLock: string;
  /** Where the service writes what a server would write to stderr. */
  readonly log: string;
  /** The service's ledger. */
  readonly stateDir: string;
}

/** The folder holding every service of this user, made private when missing. */
export function serviceBase(env: Readonly<Record<string, string | undefined>>): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && runtime.startsWith("/")) {
    return privateDirectory(`${runtime}/mcp-background-job`);
  }
  const temp = env.TMPDIR?.startsWith("/") ? env.TMPDIR : "/tmp";
  // Named by uid: a folder someone else made there first fails the owner check, never trusted.
  return privateDirectory(`${temp}/mcp-background-job-${Deno.uid() ?? "user"}`);
}

/** The ledger folder for services of configuration `key`. */
function stateDirFor(env: Readonly<Record<string, string | undefined>>, key: string): string {
  const state = env.XDG_STATE_HOME?.startsWith("/")
    ? env.XDG_STATE_HOME
    : env.HOME?.startsWith("/")
    ? `${env.HOME}/.local/state`
    : undefined;
  // Without a home the ledger stays beside the socket: kept until the machine restarts.
  return state === undefined
    ? `${serviceBase(env)}/${key}/ledger`
    : `${state}/mcp-background-job/service-${key}`;
}

/**
 * The paths of the service for configuration `key`; its folders are made private when missing.
 *
 * @example Usage
 * ```ts
 * import { servicePaths } from "./service_paths.ts";
 * import assert from "node:assert/strict";
 * const run = Deno.makeTempDirSync();
 * const paths = servicePaths({ XDG_RUNTIME_DIR: run, HOME: run }, "k1");
 * assert.equal(paths.socket, `${run}/mcp-background-job/k1/socket`);
 * Deno.removeSync(run, { recursive: true });
 * ```
 */
export function servicePaths(
  env: Readonly<Record<string, string | undefined>>,
  key: string,
): ServicePaths {
  const base = serviceBase(env);
  const dir = privateDirectory(`${base}/${key}`);
  return {
    base,
    dir,
    socket: `${dir}/socket`,
    status: `${dir}/status.json`,
    startLock: `${dir}/start.lock`,
    log: `${dir}/service.log`,
    stateDir: stateDirFor(env, key),
  };
}
