/**
 * The programs containment needs on this machine, found without starting anything: bubblewrap
 * and the `sh` that starts it, on `PATH` and permitted.
 *
 * @module
 */
import { locateProgram } from "../sandbox/program_path.ts";

/** Whether containment works on this machine, and the reason either way. */
export interface ContainmentAvailability {
  readonly available: boolean;
  /** One sentence: what works, or what is missing and how to get it. */
  readonly reason: string;
  /** The `bwrap` found on `PATH`, when there is one. */
  readonly bwrap?: string;
  /** The `sh` found on `PATH`, which starts bwrap with the job's stdin out of its reach. */
  readonly sh?: string;
  /** The `prlimit` found on `PATH` (util-linux), which sets a job's limits inside its sandbox. */
  readonly prlimit?: string;
}

const INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)";

/** What is found before trying a sandbox: an answer already, or the programs to try it with. */
export type FoundPrograms = ContainmentAvailability | {
  readonly bwrap: string;
  readonly sh: string;
};

let found: FoundPrograms | undefined;

/**
 * Finds what containment needs before a trial sandbox (Linux, `bwrap` and `sh` on `PATH`, both
 * permitted), once per process. Cheap and synchronous: a server runs it before it serves, so
 * that a `PATH` it may not read fails start-up as it always did, while the trial sandbox and the
 * containment modules wait until it serves (`executor_choice.ts`).
 *
 * @throws {Deno.errors.NotCapable} when a `PATH` entry may not be read.
 *
 * @example Usage
 * ```ts
 * import { findContainmentPrograms } from "./containment_programs.ts";
 * const found = findContainmentPrograms();
 * console.log("available" in found ? found.reason : `trying ${found.bwrap}`);
 * ```
 */
export function findContainmentPrograms(): FoundPrograms {
  return found ??= findPrograms();
}

function findPrograms(): FoundPrograms {
  if (Deno.build.os !== "linux") {
    return {
      available: false,
      reason: `containment uses bubblewrap, which needs Linux; on ${Deno.build.os} it is ` +
        "unavailable (a Seatbelt sandbox for macOS is not built yet)",
    };
  }
  if (Deno.permissions.querySync({ name: "env", variable: "PATH" }).state !== "granted") {
    return { available: false, reason: "no --allow-env: PATH cannot be read to find bwrap" };
  }
  const found = locateProgram("bwrap", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" });
  if (found === undefined) {
    return { available: false, reason: `bwrap not found on PATH: ${INSTALL_HINT}` };
  }
  const bwrap = found.path;
  if (Deno.permissions.querySync({ name: "run", command: bwrap }).state !== "granted") {
    return { available: false, reason: "--allow-run does not include bwrap", bwrap };
  }
  const sh = locateProgram("sh", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" })?.path;
  if (sh === undefined) {
    return { available: false, reason: "sh not found on PATH: it starts bwrap", bwrap };
  }
  if (Deno.permissions.querySync({ name: "run", command: sh }).state !== "granted") {
    return { available: false, reason: "--allow-run does not include sh (it starts bwrap)", bwrap };
  }
  return { bwrap, sh };
}
