/**
 * A contained job's per-process limits set by the shell that starts it, with its `ulimit`
 * builtin, instead of by a `prlimit` process of their own: one `exec` fewer per job.
 *
 * Only for the shells whose `ulimit` was checked against `/proc/self/limits` here, and only when
 * the shell can run nothing of the job's before the line (no `BASH_ENV`, no functions or options
 * from the environment, not a login shell): the limits hold, soft and hard, before any of the
 * job's code runs, as under `prlimit`. dash and bash spell them differently (processes is `-p`
 * in dash, `-u` in bash; dash counts `-f` in 512-byte blocks, bash in 1024 or 512 depending on
 * its POSIX mode, so bash leaves a file size to `prlimit`). Anything else keeps `prlimit`.
 *
 * @module
 */
import { basename } from "./program_path.ts";
import type { JobLimits } from "./job_limits.ts";

/** A shell whose `ulimit` is known. */
export type ShellDialect = "dash" | "bash";

/** The shell that starts a job's program, as it will be started. */
export interface LimitingShell {
  readonly dialect: ShellDialect;
  /** Its `argv[0]`: a leading `-` makes a login shell, which reads profiles first. */
  readonly argv0: string;
  /** The environment it starts with (read only for bash, which acts on some of it). */
  readonly env: () => Readonly<Record<string, string>>;
}

interface Spelling {
  readonly memory: string;
  readonly processes: string;
  /** Bytes per unit of `-f`; `undefined` when the shell's unit is not fixed. */
  readonly fileBlock: number | undefined;
}

const SPELLINGS: Record<ShellDialect, Spelling> = {
  dash: { memory: "-v", processes: "-p", fileBlock: 512 },
  bash: { memory: "-v", processes: "-u", fileBlock: undefined },
};

// What bash reads from its environment and acts on before its -c line: a file it sources,
// functions (one could be named ulimit), and option lists (xtrace would run PS4's code).
const BASH_STARTUP_VARIABLES = ["BASH_ENV", "SHELLOPTS", "BASHOPTS"];

/** The dialect of the shell whose real file is `realPath`, or `undefined` for another program. */
export function shellDialect(realPath: string): ShellDialect | undefined {
  const name = basename(realPath);
  return name === "dash" || name === "bash" ? name : undefined;
}

function runsNothingFirst(shell: LimitingShell): boolean {
  if (shell.argv0.startsWith("-")) return false;
  if (shell.dialect === "dash") return true;
  return !Object.keys(shell.env()).some((name) =>
    name.startsWith("BASH_FUNC_") || BASH_STARTUP_VARIABLES.includes(name)
  );
}

/**
 * The `ulimit` commands that set `limits`' per-process limits in `shell` (soft and hard alike,
 * cpu's hard one 5 s above), ending the shell with status 126 when one cannot be set; `""` when
 * there is none to set; `undefined` when this shell cannot set them all exactly before the job's
 * code runs, so that `prlimit` must.
 *
 * @example Usage
 * ```ts
 * import { ulimitCommands } from "./shell_limits.ts";
 * import assert from "node:assert/strict";
 * const dash = { dialect: "dash", argv0: "sh", env: () => ({}) } as const;
 * assert.equal(ulimitCommands({ processes: 1024 }, dash), "ulimit -p 1024||exit 126;");
 * ```
 */
export function ulimitCommands(limits: JobLimits, shell: LimitingShell): string | undefined {
  const spelling = SPELLINGS[shell.dialect];
  const commands: string[] = [];
  if (limits.memory !== undefined) {
    if (limits.memory % 1024 !== 0) return undefined;
    commands.push(`${spelling.memory} ${limits.memory / 1024}`);
  }
  if (limits.processes !== undefined) commands.push(`${spelling.processes} ${limits.processes}`);
  if (limits.fileSize !== undefined) {
    const block = spelling.fileBlock;
    if (block === undefined || limits.fileSize % block !== 0) return undefined;
    commands.push(`-f ${limits.fileSize / block}`);
  }
  // Both limits first, then the soft one down: the soft one sends SIGXCPU, the hard one kills.
  if (limits.cpu !== undefined) commands.push(`-t ${limits.cpu + 5}`, `-St ${limits.cpu}`);
  if (commands.length === 0) return "";
  if (!runsNothingFirst(shell)) return undefined;
  // dash's ulimit sets one limit per call; bash's could take several, one each is as short.
  return `${commands.map((options) => `ulimit ${options}`).join("&&")}||exit 126;`;
}
