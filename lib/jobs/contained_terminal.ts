/**
 * A terminal job in its sandbox: `bwrap` runs on the pseudo-terminal, without `--new-session`,
 * so the terminal stays the controlling one of everything inside (a program that types into it
 * with TIOCSTI only types into its own input: the server holds the other end).
 *
 * Inside, bash in job-control mode starts the program in a process group of its own and gives it
 * the terminal's foreground, so a typed C-c reaches the program and not `bwrap` (whose death
 * would end the whole sandbox). Its status is the program's, 128 + n for a signal.
 *
 * @module
 */
import { SpawnError } from "../errors.ts";
import type { SpawnedProcess, SpawnSpec } from "./executor.ts";
import type { GroupSignaller } from "./process_group.ts";
import { spawnOnTerminal, type TerminalRequest } from "./terminal_process.ts";
import { signalOfExitCode } from "./linux_signals.ts";
import { locateProgram } from "../sandbox/program_path.ts";

/** What {@linkcode spawnContainedTerminal} needs from the contained executor. */
export interface ContainedTerminalOptions {
  readonly bwrap: string;
  /** A POSIX shell, which hands bubblewrap the seccomp filter on fd 3. */
  readonly sh: string;
  /** bubblewrap's arguments for this job, made without `--new-session`. */
  readonly args: readonly string[];
  /** The file holding the job's seccomp filter (see filter_file.ts); none when none could be made. */
  readonly filterFile: string | undefined;
  /** What sets the job's limits before bash (the server's dash, else prlimit), or none. */
  readonly limited?: readonly string[];
  readonly signaller: GroupSignaller;
}

// bash drops the prompt variables when not interactive: they come back from the arguments, up
// to "--". `command` skips functions a hostile environment could define under the program's name.
const FOREGROUND_SCRIPT =
  'while [ "$1" != -- ]; do export "$1=$2"; shift 2; done; shift; set -m; command "$@"; exit $?';
// The variables bash unsets or resets when it is not interactive.
const PROMPT_VARIABLES = ["PS1", "PS2", "PS4"] as const;
// The addon passes no descriptor beyond the terminal: sh opens the filter's file as fd 3.
const FILTER_ON_FD3 = 'exec 3<"$1" || exit 126; shift; exec "$@"';

/** `NAME value` pairs for the prompt variables the job's environment sets. */
function promptArguments(spec: SpawnSpec): string[] {
  const env = { ...(spec.env ?? Deno.env.toObject()), ...spec.envAdditions };
  return PROMPT_VARIABLES.flatMap((name) => env[name] === undefined ? [] : [name, env[name]!]);
}

/**
 * Starts `spec` contained on a pseudo-terminal, under the same seccomp filter as a piped job.
 *
 * @throws {SpawnError} when bash, which keeps the program in the foreground, is not installed.
 */
export function spawnContainedTerminal(
  spec: SpawnSpec,
  terminal: TerminalRequest,
  options: ContainedTerminalOptions,
): SpawnedProcess {
  const bash = locateProgram("bash", { cwd: "/", searchPath: "/usr/bin:/bin" });
  if (bash === undefined) {
    throw new SpawnError(
      `Cannot start "${spec.argv[0]}" on a terminal in its sandbox: bash is not installed (it ` +
        "gives the program the terminal's foreground inside the sandbox)",
    );
  }
  if (options.filterFile === undefined) {
    throw new SpawnError(
      `Cannot start "${spec.argv[0]}" on a terminal in its sandbox: its seccomp filter goes ` +
        "through a file in the temporary directory, and the server has no private place there " +
        "(no --allow-write for it, or its mcp-bg-seccomp-u<uid> is not this user's own 0700 " +
        "directory)",
    );
  }
  const argv: [string, ...string[]] = [
    options.sh,
    "-c",
    FILTER_ON_FD3,
    "sh",
    options.filterFile,
    options.bwrap,
    ...options.args,
    "--seccomp",
    "3",
    // bash reads the file this names even when not interactive.
    "--unsetenv",
    "BASH_ENV",
    "--",
    ...options.limited ?? [],
    bash.path,
    // Nor ~/.bashrc, which bash reads before its line when SSH_CLIENT is set (Debian's build).
    "--norc",
    "-c",
    FOREGROUND_SCRIPT,
    "bash",
    ...promptArguments(spec),
    "--",
    ...spec.argv,
  ];
  return spawnOnTerminal({ ...spec, argv }, terminal, {
    signaller: options.signaller,
    contained: true,
    programStatus: (status) => {
      if (status.signal !== null) return status;
      const signal = signalOfExitCode(status.code);
      return signal === null ? status : { success: false, code: status.code, signal };
    },
  });
}
