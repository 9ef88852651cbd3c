/**
 * Linux signal numbers, for reading an exit status of 128 + n as death by signal n.
 *
 * @module
 */

// Index = signal number (x86, Arm and RISC-V Linux agree on 1-31).
const NAMES: readonly (Deno.Signal | undefined)[] = [
  undefined,
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

/**
 * The signal a shell-style exit code (128 + n) stands for, or `null` for an ordinary code.
 *
 * @example Usage
 * ```ts
 * import { signalOfExitCode } from "./linux_signals.ts";
 * import assert from "node:assert/strict";
 * assert.equal(signalOfExitCode(143), "SIGTERM");
 * assert.equal(signalOfExitCode(3), null);
 * ```
 */
export function signalOfExitCode(code: number): Deno.Signal | null {
  return code > 128 ? NAMES[code - 128] ?? null : null;
}
