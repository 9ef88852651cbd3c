/**
 * A contained job's per-process limits set by the shell that starts it, with its `ulimit`
 * builtin, instead of by a `prlimit` process of their own: one `exec` fewer per job.
 *
 * Only dash, whose `ulimit` was checked against `/proc/self/limits` here: started with `-c` and
 * not as a login shell, it runs nothing before its line (it reads `$ENV` only when interactive,
 * and takes no functions or options from its environment), so the limits hold, soft and hard,
 * before any of the job's code runs, as under `prlimit`. bash is left to `prlimit`: too much of
 * its environment runs code before its line (`BASH_ENV`, exported functions, `SHELLOPTS` with
 * `PS4`, and `~/.bashrc` when `SSH_CLIENT` is set or its stdin is a socket). The caller decides
 * which file is dash (see bwrap_start.ts): a name proves nothing, a script can be called dash.
 *
 * @module
 */
import { basename } from "./program_path.ts";
import type { JobLimits } from "./job_limits.ts";

/** A shell whose `ulimit` is known. */
export type ShellDialect = "dash";

/** The shell that starts a job's program, as it will be started. */
export interface LimitingShell {
  readonly dialect: ShellDialect;
  /** Its `argv[0]`: a leading `-` makes a login shell, which reads profiles first. */
  readonly argv0: string;
}

// dash counts -v in KiB and -f in 512-byte blocks.
const FILE_BLOCK = 512;

/** The dialect of the shell whose real file is `realPath`, or `undefined` for another program. */
export function shellDialect(realPath: string): ShellDialect | undefined {
  return basename(realPath) === "dash" ? "dash" : undefined;
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
 * const dash = { dialect: "dash", argv0: "sh" } as const;
 * assert.equal(ulimitCommands({ processes: 1024 }, dash), "ulimit -p 1024||exit 126;");
 * ```
 */
export function ulimitCommands(limits: JobLimits, shell: LimitingShell): string | undefined {
  const commands: string[] = [];
  if (limits.memory !== undefined) {
    if (limits.memory % 1024 !== 0) return undefined;
    commands.push(`-v ${limits.memory / 1024}`);
  }
  if (limits.processes !== undefined) commands.push(`-p ${limits.processes}`);
  if (limits.fileSize !== undefined) {
    if (limits.fileSize % FILE_BLOCK !== 0) return undefined;
    commands.push(`-f ${limits.fileSize / FILE_BLOCK}`);
  }
  // Both limits first, then the soft one down: the soft one sends SIGXCPU, the hard one kills.
  if (limits.cpu !== undefined) commands.push(`-t ${limits.cpu + 5}`, `-St ${limits.cpu}`);
  if (commands.length === 0) return "";
  if (shell.argv0.startsWith("-")) return undefined;
  // dash's ulimit sets one limit per call.
  return `${commands.map((options) => `ulimit ${options}`).join("&&")}||exit 126;`;
}

/**
 * `sh` running `commands` (ending in `;`), then becoming the program that follows it: the way the
 * server's dash sets the limits (and takes a stdin back) before a program it does not trust.
 *
 * @example Usage
 * ```ts
 * import { shellThenProgram } from "./shell_limits.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(shellThenProgram("/bin/sh", "ulimit -p 40||exit 126;"), [
 *   "/bin/sh",
 *   "-c",
 *   'ulimit -p 40||exit 126;exec "$@"',
 *   "sh",
 * ]);
 * ```
 */
export function shellThenProgram(sh: string, commands: string): string[] {
  return [sh, "-c", `${commands}exec "$@"`, "sh"];
}
