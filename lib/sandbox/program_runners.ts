/**
 * Programs that run other programs. An allowlist entry that lets one of them through would let
 * through whatever it runs, so the allowlist only passes them when a pattern names them
 * explicitly (see {@linkcode programRunnerTriggers}).
 *
 * @module
 */

/** Programs whose arguments name another program or a script to run. */
export const PROGRAM_RUNNERS: ReadonlySet<string> = new Set([
  // shells and multi-call binaries
  "sh",
  "bash",
  "dash",
  "ash",
  "zsh",
  "ksh",
  "mksh",
  "pdksh",
  "posh",
  "yash",
  "fish",
  "csh",
  "tcsh",
  "rbash",
  "busybox",
  "toybox",
  // wrappers that exec their arguments
  "env",
  "xargs",
  "nice",
  "ionice",
  "renice",
  "timeout",
  "nohup",
  "stdbuf",
  "setsid",
  "chroot",
  "sudo",
  "su",
  "doas",
  "pkexec",
  "runuser",
  "sg",
  "newgrp",
  "taskset",
  "chrt",
  "numactl",
  "flock",
  "watch",
  "script",
  "time",
  "strace",
  "ltrace",
  "gdb",
  "lldb",
  "valgrind",
  "unshare",
  "nsenter",
  "setpriv",
  "systemd-run",
  "firejail",
  "bwrap",
  "proot",
  "fakeroot",
  "faketime",
  "parallel",
  "expect",
  "tmux",
  "screen",
  "byobu",
  "dbus-launch",
  "start-stop-daemon",
  "daemonize",
  "run-parts",
  "catchsegv",
  "cgexec",
  "sshpass",
  "command",
  "exec",
  "eval",
  "builtin",
  "nix-shell",
  "xterm",
  "ssh-agent",
  "dbus-run-session",
  "xvfb-run",
  "unbuffer",
  "ccache",
  "distcc",
  "perf",
  "hyperfine",
  "entr",
  "watchexec",
  "nodemon",
  // tools whose options or configuration name a program to run: `git -c core.pager=...` or
  // `-c alias.x='!cmd'`, `sed '1e cmd'`, `tar --to-command=`, `rsync -e`, `ssh -o ProxyCommand=`,
  // `man -P`, `vim -c '!cmd'`, build tools and package managers running scripts
  "git",
  "sed",
  "gsed",
  "tar",
  "gtar",
  "rsync",
  "ssh",
  "scp",
  "sftp",
  "man",
  "m4",
  "dc",
  "ed",
  "ex",
  "vi",
  "vim",
  "view",
  "nvim",
  "emacs",
  "sqlite3",
  "zip",
  "make",
  "gmake",
  "npm",
  "pnpm",
  "yarn",
  "cargo",
  "go",
  // interpreters: their code can do anything, including running any program
  "awk",
  "gawk",
  "mawk",
  "nawk",
  "perl",
  "ruby",
  "irb",
  "php",
  "lua",
  "luajit",
  "tclsh",
  "wish",
  "node",
  "nodejs",
  "deno",
  "bun",
  "pwsh",
  "osascript",
  "Rscript",
  "julia",
  "guile",
  "jshell",
  "npx",
  "bunx",
  "pipx",
  "uvx",
]);

// Interpreters installed under versioned names (python3.12, perl5.36, lua5.4, ruby3.1...).
const VERSIONED_INTERPRETER = /^(python|pypy|perl|ruby|php|lua|tclsh|wish|node)[0-9.]*$/;

/** `find` actions that run a program for each file. */
const FIND_ACTIONS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);

/**
 * What would have to appear literally in an allowlist pattern for `name args...` to pass:
 * the program name for a program runner, or the action for `find -exec` and friends.
 * Empty when the command runs no other program by itself.
 *
 * @example Usage
 * ```ts
 * import { programRunnerTriggers } from "./program_runners.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(programRunnerTriggers("env", ["X=1", "ls"]), ["env"]);
 * assert.deepEqual(programRunnerTriggers("find", [".", "-exec", "rm", "{}", ";"]), ["-exec"]);
 * assert.deepEqual(programRunnerTriggers("ls", ["-l"]), []);
 * ```
 */
export function programRunnerTriggers(name: string, args: readonly string[]): string[] {
  if (PROGRAM_RUNNERS.has(name) || VERSIONED_INTERPRETER.test(name)) return [name];
  if (name === "find") return args.filter((arg) => FIND_ACTIONS.has(arg));
  return [];
}

/**
 * The triggers `name` may have when its arguments are not all known (a shell word such as
 * `${x}-exec` or `-exe[c]` becomes `-exec` only when the shell runs it): every action for `find`.
 */
export function possibleArgumentTriggers(name: string): string[] {
  return name === "find" ? [...FIND_ACTIONS] : [];
}

/** Multi-call binaries pick the program to act as from the name they were started by. */
export function isMultiCallBinary(name: string): boolean {
  return name === "busybox" || name === "toybox";
}
