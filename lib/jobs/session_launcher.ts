/**
 * Starting a job in a session of its own without forking the server. `Deno.Command` with
 * `detached: true` makes the child call `setsid` before `exec`, and for that it forks the whole
 * server (page tables of a 60–100 MiB process copied) instead of using `posix_spawn`, blocking
 * the event loop 2–4 times longer per job; an ordinary spawn of the `setsid` program, which
 * calls `setsid()` and then `execvp()` in the same process, gives the job the same pid, session
 * and process group at the cost of one more `exec`.
 *
 * It is used only where it cannot change what a client sees: under unscoped `--allow-run` (a
 * scoped list names the job's own program, which Deno must check when it starts it), and for a
 * program that is there and runnable, its `#!` interpreter too, so that every failure still
 * comes from `Deno.Command` with its exact reason.
 *
 * @module
 */
import { runIsUnscoped } from "./process_group.ts";
import { locateProgram, resolvePath, shebangInterpreter } from "../sandbox/program_path.ts";
import type { SpawnPlace } from "./spawn_failure.ts";

let launcher: string | null | undefined;

/** The `setsid` program to start jobs through, or `undefined` when jobs must be spawned `detached`. */
export function sessionLauncher(): string | undefined {
  if (launcher === undefined) {
    const found = Deno.build.os === "linux" && runIsUnscoped()
      ? locateProgram("setsid", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" })
      : undefined;
    launcher = found?.path ?? null;
  }
  return launcher ?? undefined;
}

/**
 * Whether `program` will start at `place`: found as `execvp` would find it, and when it is a
 * script, its interpreter found too.
 */
export function startsCleanly(program: string, place: SpawnPlace): boolean {
  const found = locateProgram(program, place);
  if (found === undefined) return false;
  const interpreter = shebangInterpreter(found.real);
  return interpreter === undefined ||
    locateProgram(resolvePath(place.cwd, interpreter), place) !== undefined;
}
