/**
 * The local executor: each job is a `Deno.Command` leading its own process group, signalled as a
 * group (see process_group.ts).
 *
 * @module
 */
import { programNotFound, SpawnError } from "../errors.ts";
import type { Executor, SpawnedProcess, SpawnSpec } from "./executor.ts";
import { createGroupSignaller, type GroupSignaller } from "./process_group.ts";
import { missingDirectory } from "./start_options.ts";

/** Describes why `Deno.Command` could not start `program` in `cwd`, in words a client can act on. */
export function spawnFailure(program: string, error: unknown, cwd?: string): SpawnError {
  if (error instanceof Deno.errors.NotFound) {
    // A missing working directory fails the same way as a missing program.
    const gone = cwd === undefined ? undefined : missingDirectory(cwd);
    if (gone !== undefined) {
      return new SpawnError(`Cannot start "${program}": ${gone}`, { cause: error });
    }
    return programNotFound(program, { cause: error });
  }
  return new SpawnError(`Cannot start "${program}": ${(error as Error).message}`, { cause: error });
}

/**
 * Spawns `spec` detached (so it leads a new process group) with piped stdio.
 *
 * @throws {SpawnError} when the program is missing, not executable or not permitted.
 */
export function spawnDetached(spec: SpawnSpec): Deno.ChildProcess {
  const [program, ...args] = spec.argv;
  try {
    return new Deno.Command(program, {
      args,
      cwd: spec.cwd,
      env: { ...spec.env, ...spec.envAdditions },
      clearEnv: spec.env !== undefined,
      stdin: spec.stdin === "closed" ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (error) {
    throw spawnFailure(program, error, spec.cwd);
  }
}

/**
 * Creates the local executor, reaching process groups through `signaller`.
 *
 * @example Usage
 * ```ts
 * import { createLocalExecutor } from "./local_executor.ts";
 * import assert from "node:assert/strict";
 * const spawned = createLocalExecutor().spawn({ argv: ["sleep", "10"], cwd: ".", stdin: "closed" });
 * await spawned.signal("SIGTERM");
 * assert.equal((await spawned.status).signal, "SIGTERM");
 * await spawned.stdout.cancel();
 * await spawned.stderr.cancel();
 * ```
 */
export function createLocalExecutor(signaller: GroupSignaller = createGroupSignaller()): Executor {
  return {
    signalMethod: signaller.method,
    spawn(spec: SpawnSpec): SpawnedProcess {
      const child = spawnDetached(spec);
      return {
        pid: child.pid,
        stdin: spec.stdin === "closed" ? null : child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        status: child.status,
        signal: (signal) => signaller.signal(child, signal),
        contained: false,
      };
    },
  };
}
