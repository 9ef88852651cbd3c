/**
 * Starting a piped contained job's `bwrap`, its seccomp filter on fd 3 and the job's stdin on fd 4.
 *
 * bubblewrap and its init keep fds 0-2 open for the sandbox's whole life, so a job that closed
 * its stdin would never break the pipe: the server would write into a void. So the pipe travels
 * past them as fd 4, which they pass on untouched, and the job takes it back as fd 0. (They close
 * nothing else either: what the server inherited is kept from jobs by inherited_descriptors.ts.)
 * A stdin closed from the start is /dev/null all the way: nothing to hand past them.
 *
 * The filter reaches fd 3 from a file `sh` opens (see filter_file.ts): then `Deno.Command` starts
 * the job with an ordinary `posix_spawn` of `setsid`. Only where no such file can be written (no
 * `--allow-write`) is it handed down as a descriptor, which makes the runtime fork the server.
 *
 * @module
 */
import { basename } from "node:path";
import type { SpawnSpec } from "./executor.ts";
import { spawnWithFd3, type StartedChild } from "./extra_fd_spawn.ts";
import { sessionLauncher } from "./session_launcher.ts";
import { shellThenProgram } from "../sandbox/shell_limits.ts";

/** What starting one job's `bwrap` needs. */
export interface BwrapStart {
  readonly bwrap: string;
  /** A POSIX shell, which opens the filter and moves the stdin before it becomes bwrap. */
  readonly sh: string;
  /** bubblewrap's arguments for this job (without `--seccomp`). */
  readonly args: readonly string[];
  /** `sh` with every symlink followed: with `shLimits`, the one file trusted to set limits. */
  readonly shReal: string | undefined;
  /**
   * The `ulimit` commands with which that dash sets the job's per-process limits (`""` when there
   * are none), or `undefined` when it cannot (no dash, or a value it cannot say).
   */
  readonly shLimits: string | undefined;
  /** `prlimit` and its options, or none: for the limits no shell on the way can set. */
  readonly limited: readonly string[];
  /** The filter's bytes, handed down on fd 3 when there is no file. */
  readonly filter: Uint8Array;
  /** The filter's file, checked just now; `undefined` when none could be written. */
  readonly filterFile: string | undefined;
  /** The job's program with every symlink followed (a shell's line can take the stdin back). */
  readonly programReal: string;
}

const HAND_STDIN_PAST_BWRAP = 'exec 4<&0 0</dev/null; exec "$@"';
// The same, with the filter's file (the first argument) opened as bwrap's fd 3.
const OPEN_FILTER_AND_HAND_STDIN = 'exec 3<"$1" 4<&0 0</dev/null || exit 126; shift; exec "$@"';
// A closed stdin is /dev/null already, and bwrap's own is no pipe to break: nothing to hand.
const OPEN_FILTER = 'exec 3<"$1" || exit 126; shift; exec "$@"';
const TAKE_STDIN_BACK = "exec 0<&4 4<&-; ";
// Shells whose `-c` line can start by taking the stdin back themselves: one exec fewer.
const FOLDING_SHELLS = new Set(["dash", "bash"]);

// The kernel takes at most 32 pages per argument, its NUL included (MAX_ARG_STRLEN).
const LONGEST_ARGUMENT = 32 * 4096 - 1;
const utf8 = new TextEncoder();

/** Whether `text` can be one argument of an `exec`: else a line is not folded but passed as is. */
function fitsOneArgument(text: string): boolean {
  return text.length * 3 <= LONGEST_ARGUMENT || utf8.encode(text).length <= LONGEST_ARGUMENT;
}

/**
 * The command bwrap runs: the job, its limits set and its stdin taken back from fd 4 on the
 * way. The server's own dash sets the limits where it can: as the job's own `-c` line's shell
 * when the job is that very file (one exec fewer), else as `sh` before the job. Where it cannot,
 * `prlimit` runs first; then a `dash`/`bash -c` line takes its stdin back itself.
 */
function jobSide(spec: SpawnSpec, start: BwrapStart): string[] {
  const [program, flag, line] = spec.argv;
  const takeBack = spec.stdin === "closed" ? "" : TAKE_STDIN_BACK;
  // A line that reads as an option (`-x`, `--`, `+x`) must stay one: nothing goes before it.
  const foldable = spec.argv.length === 3 && flag === "-c" && !/^[-+]/.test(line ?? "");
  const ulimits = start.shLimits;
  if (foldable && ulimits !== undefined && start.programReal === start.shReal) {
    // Run by its real path, which no job can swap as it could a link or a PATH entry; `program`
    // stays its $0. On the same line, so that the shell still counts the job's lines from 1.
    const folded = `${ulimits}${takeBack}${line}`;
    if (fitsOneArgument(folded)) return [start.programReal, "-c", folded, program];
  }
  // The limits no dash of the server's sets: prlimit's, before anything else in the sandbox.
  const limited = ulimits === undefined ? start.limited : [];
  const folded = `${takeBack}${line}`;
  if (
    foldable && !ulimits && FOLDING_SHELLS.has(basename(start.programReal)) &&
    fitsOneArgument(folded)
  ) {
    return [...limited, program, "-c", folded];
  }
  const prefix = `${ulimits ?? ""}${takeBack}`;
  if (prefix === "") return [...limited, ...spec.argv];
  return [...limited, ...shellThenProgram(start.sh, prefix), ...spec.argv];
}

/** The job's whole environment: `spec.env` (or the server's) with its additions. */
function jobEnvironment(spec: SpawnSpec): Record<string, string> {
  return { ...(spec.env ?? Deno.env.toObject()), ...spec.envAdditions };
}

/**
 * Starts `sh` with `args` in a session of its own, its stdio piped: through the `setsid` program
 * where that works (a `posix_spawn`, see session_launcher.ts), else `detached` (a fork).
 */
function spawnInSession(sh: string, args: string[], spec: SpawnSpec): Deno.ChildProcess {
  const setsid = sessionLauncher();
  return new Deno.Command(setsid ?? sh, {
    args: setsid === undefined ? args : ["--", sh, ...args],
    cwd: spec.cwd,
    // Always the whole of it: what the runtime would add itself includes what Deno.env cannot
    // show (a value that is not UTF-8), so no check of the server's could have seen it.
    env: jobEnvironment(spec),
    clearEnv: true,
    stdin: spec.stdin === "closed" ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    detached: setsid === undefined,
  }).spawn();
}

/**
 * Starts `spec` in its sandbox: `sh`, which becomes `bwrap`, whose program is `sh` again, which
 * sets the limits, takes the stdin back and becomes the job (or the job's own `dash`/`bash -c`,
 * which does both; or the job itself, when there is neither to do).
 *
 * @throws {Error} as `Deno.Command` (or `node:child_process`) throws when `sh` cannot start.
 */
export function startBwrap(spec: SpawnSpec, start: BwrapStart): StartedChild {
  const sandboxed = [...start.args, "--seccomp", "3", "--", ...jobSide(spec, start)];
  const closed = spec.stdin === "closed";
  if (start.filterFile !== undefined) {
    return spawnInSession(
      start.sh,
      [
        "-c",
        closed ? OPEN_FILTER : OPEN_FILTER_AND_HAND_STDIN,
        "sh",
        start.filterFile,
        start.bwrap,
        ...sandboxed,
      ],
      spec,
    );
  }
  return spawnWithFd3({
    program: start.sh,
    args: ["-c", closed ? 'exec "$@"' : HAND_STDIN_PAST_BWRAP, "sh", start.bwrap, ...sandboxed],
    cwd: spec.cwd,
    env: jobEnvironment(spec),
    stdin: closed ? "null" : "pipe",
    fd3: start.filter,
  });
}
