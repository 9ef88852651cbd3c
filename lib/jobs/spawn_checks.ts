/**
 * Whether a job's program can run at all, checked before it starts where Deno does not start it
 * itself (inside a sandbox, on a pseudo-terminal), failing as a direct `Deno.Command` spawn would.
 *
 * @module
 */
import { spawnFailure, type SpawnPlace } from "./spawn_failure.ts";
import { locateProgram, type ProgramLocation, unrunnableReason } from "../sandbox/program_path.ts";

/**
 * Where `program` is; fails as a direct spawn would when it cannot be run: bwrap or the addon would
 * only fail later.
 */
export function refuseUnlessRunnable(program: string, place: SpawnPlace): ProgramLocation {
  const found = locateProgram(program, place);
  if (found !== undefined) return found;
  const missing = unrunnableReason(program, place.cwd) === "program not found";
  const error = missing
    ? new Deno.errors.NotFound(program)
    : new Deno.errors.PermissionDenied(program);
  throw spawnFailure(program, error, place);
}
