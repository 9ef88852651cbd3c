/**
 * The spawn seam: how a job's process is started and reached. A job knows only a
 * {@linkcode SpawnedProcess}; where and how it runs (here in a process group, in a sandbox, on
 * another host) is the {@linkcode Executor}'s business.
 *
 * @module
 */
import type { GroupSignalMethod } from "./process_group.ts";
import type { Argv } from "../sandbox/command_line.ts";
import type { TerminalRequest } from "./terminal_process.ts";

/** Every {@linkcode StdinMode}, for schemas. */
export const STDIN_MODES = ["pipe", "closed"] as const;
/** Whether a job's stdin is a pipe the client writes to, or closed from the start (EOF at once). */
export type StdinMode = typeof STDIN_MODES[number];

/** What to run, where, and with which environment. */
export interface SpawnSpec {
  /** The program and its arguments; the program is already resolved and checked. */
  readonly argv: Argv;
  readonly cwd: string;
  /** The whole environment; `undefined` inherits the server's. */
  readonly env?: Record<string, string>;
  /** Variables set on top of `env` (or of the inherited environment). */
  readonly envAdditions?: Record<string, string>;
  readonly stdin: StdinMode;
  /** Run on a pseudo-terminal of this size (a terminal job); `undefined`: piped stdio. */
  readonly terminal?: TerminalRequest;
}

/** How a process ended: `signal` is set when a signal ended it, then `code` means nothing. */
export interface ProcessStatus {
  readonly success: boolean;
  readonly code: number;
  readonly signal: Deno.Signal | null;
}

/** A started process as a job sees it, wherever it runs. */
export interface SpawnedProcess {
  /** The host pid of the process that leads the job (and whose descendants are the job's). */
  readonly pid: number;
  /** `null` when stdin was closed from the start. */
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once the program has ended, with its own status. */
  readonly status: Promise<ProcessStatus>;
  /**
   * Sends `signal` to the job's processes; `SIGKILL` ends every process the job started.
   * Never throws for processes already gone.
   */
  signal(signal: Deno.Signal): Promise<void>;
  /** Whether the job runs inside an OS sandbox. */
  readonly contained: boolean;
  /** Resizes a terminal job's terminal (the program gets SIGWINCH); absent for piped jobs. */
  resize?(cols: number, rows: number): void;
}

/** Starts job processes. */
export interface Executor {
  /** How process groups are signalled, for the start-up line. */
  readonly signalMethod: GroupSignalMethod;
  /** Whether jobs run inside an OS sandbox, and why (or why not), for the start-up line. */
  readonly containment?: { readonly contained: boolean; readonly reason: string };
  /**
   * Starts `spec` with piped stdout and stderr, or on a pseudo-terminal when `spec.terminal` is
   * set (its output is then `stdout`, and `stderr` is empty).
   *
   * @throws {SpawnError} when the program is missing, not executable or not permitted.
   */
  spawn(spec: SpawnSpec): SpawnedProcess;
}
