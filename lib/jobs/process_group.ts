/**
 * Sends a signal to a job's whole process group. Jobs are spawned `detached`, so each is the
 * leader of its own group (pgid = pid) and its descendants share that group.
 *
 * `Deno.kill` needs unscoped `--allow-run`. Under a scoped `--allow-run=<list>` the group is
 * signalled by running the `kill` program (which must then be in the list); with neither, only
 * the leader can be signalled, through its own handle.
 *
 * @module
 */

/** How the server can reach a process group with the permissions it was given. */
export type GroupSignalMethod = "deno-kill" | "kill-program" | "leader-only";

/** A group to signal: its leader's pid, and how to reach the leader when groups are out of reach. */
export type GroupLeader = Pick<Deno.ChildProcess, "pid" | "kill">;

/** Signals a process group by its leader's pid. */
export interface GroupSignaller {
  /** Which way the group is reached. */
  readonly method: GroupSignalMethod;
  /** Signals every process in the group led by `leader`; never throws for a group already gone. */
  signal(leader: GroupLeader, signal: Deno.Signal): Promise<void>;
}

/** Whether `--allow-run` was given unscoped (any program may run, `Deno.kill` is allowed). */
export function runIsUnscoped(): boolean {
  return Deno.permissions.querySync({ name: "run" }).state === "granted";
}

/** Picks the strongest method the current Deno permissions allow. */
export function detectGroupSignalMethod(): GroupSignalMethod {
  if (runIsUnscoped()) return "deno-kill";
  if (Deno.permissions.querySync({ name: "run", command: "kill" }).state === "granted") {
    return "kill-program";
  }
  return "leader-only";
}

/**
 * Creates a signaller using `method` (default: the strongest one permitted).
 *
 * @example Usage
 * ```ts
 * import { createGroupSignaller } from "./process_group.ts";
 * const signaller = createGroupSignaller();
 * const child = new Deno.Command("sleep", { args: ["10"], detached: true }).spawn();
 * await signaller.signal(child, "SIGKILL");
 * await child.status;
 * ```
 */
export function createGroupSignaller(
  method: GroupSignalMethod = detectGroupSignalMethod(),
): GroupSignaller {
  return {
    method,
    async signal(child, signal) {
      if (method === "deno-kill") {
        try {
          Deno.kill(-child.pid, signal);
        } catch (error) {
          // ESRCH: every process of the group has already exited, or a job started through
          // `setsid` has not made its group yet (see session_launcher.ts): its leader still
          // takes the signal, and a leader already reaped is simply gone.
          if (!(error instanceof Deno.errors.NotFound)) throw error;
          signalLeader(child, signal);
        }
      } else if (method === "kill-program") {
        // Exit status 1 means no such group left, which is the outcome we want anyway.
        await new Deno.Command("kill", {
          args: ["-s", signal.replace(/^SIG/, ""), "--", `-${child.pid}`],
          // Scoped --allow-run refuses an inherited LD_* variable; kill needs no environment.
          clearEnv: true,
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).output();
      } else {
        signalLeader(child, signal);
      }
    },
  };
}

function signalLeader(child: GroupLeader, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch (error) {
    // The leader has already exited and been reaped: nothing left to signal through its handle.
    if (!(error instanceof TypeError)) throw error;
  }
}
