/**
 * The local executor: each job is a `Deno.Command` leading its own session and process group,
 * signalled as a group (see process_group.ts).
 *
 * @module
 */
import type { Executor, SpawnedProcess, SpawnSpec } from "./executor.ts";
import { createGroupSignaller, type GroupSignaller } from "./process_group.ts";
import { assertRunPermitted, spawnFailure } from "./spawn_failure.ts";
import { sessionLauncher, startsCleanly } from "./session_launcher.ts";
import { spawnOnTerminal } from "./terminal_process.ts";
import { refuseUnlessRunnable } from "./spawn_checks.ts";

/**
 * Spawns `spec` in a new session, so that it leads a new process group, with piped stdio:
 * through the `setsid` program where that starts it the same (see session_launcher.ts), else
 * `detached`.
 *
 * @throws {SpawnError} when the program is missing, not executable or not permitted.
 */
export function spawnDetached(spec: SpawnSpec): Deno.ChildProcess {
  const [program, ...args] = spec.argv;
  const searchPath = () => spec.envAdditions?.PATH ?? spec.env?.PATH ?? Deno.env.get("PATH") ?? "";
  const setsid = sessionLauncher();
  const direct = setsid === undefined ||
    !startsCleanly(program, { cwd: spec.cwd, searchPath: searchPath() });
  try {
    return new Deno.Command(direct ? program : setsid, {
      args: direct ? args : ["--", program, ...args],
      cwd: spec.cwd,
      env: { ...spec.env, ...spec.envAdditions },
      clearEnv: spec.env !== undefined,
      stdin: spec.stdin === "closed" ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      detached: direct,
    }).spawn();
  } catch (error) {
    throw spawnFailure(program, error, { cwd: spec.cwd, searchPath: searchPath() });
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
      if (spec.terminal !== undefined) {
        // The addon starts the program natively: Deno checks nothing, so it is checked here.
        const [program] = spec.argv;
        const searchPath = spec.envAdditions?.PATH ?? spec.env?.PATH ?? Deno.env.get("PATH") ?? "";
        assertRunPermitted(program, { cwd: spec.cwd, searchPath });
        refuseUnlessRunnable(program, { cwd: spec.cwd, searchPath });
        return spawnOnTerminal(spec, spec.terminal, { signaller, contained: false });
      }
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
