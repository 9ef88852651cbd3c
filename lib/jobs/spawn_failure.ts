/**
 * Why a program could not be started, in words a client can act on. The kernel answers "not
 * found" for a missing program, a missing working directory and a script whose `#!` interpreter
 * is missing alike, and "permission denied" for a directory or a file without execute permission;
 * each gets its own message here.
 *
 * @module
 */
import { programNotFound, SpawnError } from "../errors.ts";
import { locateProgram, shebangInterpreter, unrunnableReason } from "../sandbox/program_path.ts";
import { missingDirectory } from "./start_options.ts";
import { descriptorShortage, outOfDescriptors } from "./descriptors.ts";
import { cut, MAX_QUOTED_CHARS } from "../quote.ts";

/** Where the failed spawn ran: its working directory and the `PATH` it searched. */
export interface SpawnPlace {
  readonly cwd: string;
  readonly searchPath: string;
}

/**
 * Describes why `Deno.Command` could not start `program` at `place`.
 *
 * @example Usage
 * ```ts
 * import { spawnFailure } from "./spawn_failure.ts";
 * import assert from "node:assert/strict";
 * const error = spawnFailure("nope", new Deno.errors.NotFound("gone"), { cwd: "/", searchPath: "" });
 * assert.equal(error.message, 'Cannot start "nope": program not found');
 * ```
 */
export function spawnFailure(program: string, error: unknown, place: SpawnPlace): SpawnError {
  const because = (why: string) =>
    new SpawnError(`Cannot start "${cut(program, MAX_QUOTED_CHARS)}": ${cut(why, 300)}`, {
      cause: error,
    });
  // Checked first: with no descriptor left, even the checks below could not open a file.
  if (outOfDescriptors(error)) return because(descriptorShortage());
  if (error instanceof Deno.errors.NotFound) {
    const gone = missingDirectory(place.cwd);
    if (gone !== undefined) return because(gone);
    const found = locateProgram(program, place);
    if (found === undefined) return programNotFound(program, { cause: error });
    // The file is there and executable: what is missing is what the kernel runs it with.
    const interpreter = shebangInterpreter(found.real);
    return because(
      interpreter === undefined
        ? "it exists, but the loader or a library it needs was not found"
        : `its interpreter ${JSON.stringify(interpreter)} (from its #! line) was not found`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    const reason = unrunnableReason(program, place.cwd);
    if (reason !== "program not found") return because(reason);
  }
  return because((error as Error).message);
}

/**
 * Wall 2, checked before a spawn: under a scoped `--allow-run`, `program` must be permitted (the
 * contained executor's spawn checks only `bwrap`; a question to the person must not be asked about
 * a program Deno would refuse anyway). Throws with Deno's own words.
 *
 * @throws {SpawnError} when `program` is not permitted.
 */
export function assertRunPermitted(program: string, place: SpawnPlace): void {
  if (Deno.permissions.querySync({ name: "run", command: program }).state === "granted") return;
  const refusal = new Deno.errors.NotCapable(
    `Requires run access to "${program}", run again with the --allow-run flag`,
  );
  throw spawnFailure(program, refusal, place);
}
