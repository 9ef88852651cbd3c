/**
 * A process on a pseudo-terminal (a terminal job), behind the same {@linkcode SpawnedProcess}
 * seam as a piped one: the terminal's one output stream is `stdout`, `stderr` is empty, and what
 * is written to `stdin` is typed into the terminal.
 *
 * The program leads its own session on the terminal (the addon calls `setsid` and makes the
 * terminal its controlling one), so its pid is also its process group's and session's id.
 * Signals other than SIGKILL go to the terminal's foreground process group, where a typed C-c
 * would go (an interactive shell keeps itself out of it); SIGKILL goes to the leader's group and
 * then to every process still in the session, so nothing the job started outlives it.
 *
 * @module
 */
import type { ProcessStatus, SpawnedProcess, SpawnSpec } from "./executor.ts";
import type { GroupSignaller } from "./process_group.ts";
import type { PtyModule } from "./terminal_support.ts";
import type { CloseOnExec } from "./close_on_exec.ts";
import { signalOfExitCode } from "./linux_signals.ts";
import { SpawnError, ToolError } from "../errors.ts";
import { statFields } from "../proc_stat.ts";

/** A terminal's size in character cells. */
export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/** The sizes a terminal may have: from a narrow split pane to a wide monitor. */
export const TERMINAL_COLS = { min: 10, max: 1000, default: 120 } as const;
/** The rows a terminal may have. */
export const TERMINAL_ROWS = { min: 2, max: 500, default: 40 } as const;

/**
 * Checks a terminal size.
 *
 * @example Usage
 * ```ts
 * import { checkTerminalSize } from "./terminal_process.ts";
 * import assert from "node:assert/strict";
 * checkTerminalSize({ cols: 80, rows: 24 });
 * assert.throws(() => checkTerminalSize({ cols: 80, rows: 0 }), /Invalid rows 0/);
 * ```
 *
 * @throws {ToolError} naming the value out of range.
 */
export function checkTerminalSize(size: TerminalSize): void {
  for (
    const [name, value, range] of [
      ["cols", size.cols, TERMINAL_COLS],
      ["rows", size.rows, TERMINAL_ROWS],
    ] as const
  ) {
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      throw new ToolError(
        `Invalid ${name} ${value}: a whole number from ${range.min} to ${range.max}`,
      );
    }
  }
}

/** What a terminal job needs beyond a {@linkcode SpawnSpec}: the addon and the size. */
export interface TerminalRequest extends TerminalSize {
  readonly pty: PtyModule;
  readonly closeOnExec: CloseOnExec;
}

/** How {@linkcode spawnOnTerminal} runs and reports the process. */
export interface TerminalProcessOptions {
  readonly signaller: GroupSignaller;
  /** Whether an OS sandbox confines it (the argv is then the sandbox's). */
  readonly contained: boolean;
  /** Turns the status of the process started into the program's own (a sandbox's 128 + n). */
  readonly programStatus?: (status: ProcessStatus) => ProcessStatus;
}

type Pty = ReturnType<PtyModule["spawn"]>;

/** `TERM` for programs on a job's terminal when the server's environment names none. */
const DEFAULT_TERM = "xterm-256color";

/** Field `index` (1-based, as in proc(5)) of /proc/<pid>/stat, or `undefined` when unreadable. */
function statField(pid: number, index: number): number | undefined {
  let fields: string[] | undefined;
  try {
    fields = statFields(pid);
  } catch {
    // No /proc, or no read permission for it: the caller falls back.
    return undefined;
  }
  const value = Number(fields?.[index - 3]);
  return Number.isInteger(value) ? value : undefined;
}

/** The pids of every process in session `sid`, read from /proc (empty when unreadable). */
export function sessionMembers(sid: number): number[] {
  const members: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      const pid = Number(entry.name);
      if (Number.isInteger(pid) && pid > 0 && statField(pid, 6) === sid) members.push(pid);
    }
  } catch {
    // No /proc or no permission to list it: the group signal is all that can be done.
  }
  return members;
}

function killQuietly(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // Already gone, or not ours to signal (no unscoped --allow-run): nothing more to do.
  }
}

class TerminalProcess implements SpawnedProcess {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<ProcessStatus>;
  readonly contained: boolean;
  readonly #pty: Pty;
  readonly #signaller: GroupSignaller;
  #exited = false;

  constructor(pty: Pty, options: TerminalProcessOptions) {
    this.#pty = pty;
    this.#signaller = options.signaller;
    this.pid = pty.pid;
    this.contained = options.contained;
    let controller!: ReadableByteStreamController;
    this.stdout = new ReadableStream({
      type: "bytes",
      start: (c) => void (controller = c),
      // The job reads again: let the program write again (back-pressure through the terminal).
      pull: () => pty.resume(),
      cancel: () => pty.pause(),
      // Without room for a few chunks the terminal is paused and resumed at every chunk.
    }, { highWaterMark: 256 * 1024 });
    this.stderr = new ReadableStream({ type: "bytes", start: (c) => c.close() });
    const data = pty.onData((chunk) => {
      const bytes = chunk as unknown as Uint8Array;
      controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice());
      if ((controller.desiredSize ?? 1) <= 0) pty.pause();
    });
    this.status = new Promise((resolve) => {
      // The addon reports the exit once the terminal is closed, after the last output.
      pty.onExit(({ exitCode, signal }) => {
        this.#exited = true;
        data.dispose();
        try {
          controller.close();
        } catch {
          // The reader cancelled the stream already.
        }
        const ended: Deno.Signal | null = signal ? signalOfExitCode(128 + signal) : null;
        const status = { success: ended === null && exitCode === 0, code: exitCode, signal: ended };
        resolve(options.programStatus?.(status) ?? status);
      });
    });
    this.stdin = new WritableStream({
      write: (chunk) => {
        if (this.#exited) throw new Error("the terminal is closed");
        // The addon's write takes what its socket takes: bytes go through unchanged.
        pty.write(chunk as unknown as string);
      },
    });
  }

  resize(cols: number, rows: number): void {
    if (!this.#exited) this.#pty.resize(cols, rows);
  }

  async signal(signal: Deno.Signal): Promise<void> {
    const leader = { pid: this.pid, kill: (sig: Deno.Signal) => this.#killLeader(sig) };
    if (signal === "SIGKILL") {
      await this.#signaller.signal(leader, signal);
      // Whatever left the group but stayed in the session (a shell's background jobs) goes too.
      for (const pid of sessionMembers(this.pid)) killQuietly(pid, signal);
      return;
    }
    if (this.#exited) return;
    const foreground = statField(this.pid, 8);
    if (foreground !== undefined && foreground > 0 && foreground !== this.pid) {
      await this.#signaller.signal({ pid: foreground, kill: leader.kill }, signal);
    } else {
      await this.#signaller.signal(leader, signal);
    }
  }

  #killLeader(signal: Deno.Signal): void {
    if (this.#exited) return;
    try {
      this.#pty.kill(signal);
    } catch {
      // The leader exited between the check and the signal.
    }
  }
}

/**
 * Starts `spec.argv` on a new pseudo-terminal of `terminal`'s size.
 *
 * @example Usage
 * ```ts ignore
 * import { spawnOnTerminal } from "./terminal_process.ts";
 * import { loadTerminalSupport } from "./terminal_support.ts";
 * import { createGroupSignaller } from "./process_group.ts";
 * const { pty } = await loadTerminalSupport();
 * const spawned = spawnOnTerminal(
 *   { argv: ["tty"], cwd: ".", stdin: "pipe" },
 *   { pty, cols: 80, rows: 24 },
 *   { signaller: createGroupSignaller(), contained: false },
 * );
 * await spawned.status;
 * ```
 */
export function spawnOnTerminal(
  spec: SpawnSpec,
  terminal: TerminalRequest,
  options: TerminalProcessOptions,
): SpawnedProcess & { resize(cols: number, rows: number): void } {
  const [program, ...args] = spec.argv;
  const env: Record<string, string> = {
    ...(spec.env ?? Deno.env.toObject()),
    ...spec.envAdditions,
  };
  env.TERM ??= DEFAULT_TERM;
  const pty = terminal.pty.spawn(program, args, {
    name: env.TERM,
    cols: terminal.cols,
    rows: terminal.rows,
    cwd: spec.cwd,
    env,
    encoding: null,
  });
  // Before anything else starts: no later job may inherit this job's terminal.
  const master = (pty as unknown as { fd: number }).fd;
  if (!terminal.closeOnExec(master)) {
    pty.kill("SIGKILL");
    throw new SpawnError(
      `Cannot start "${program}" on a terminal: its terminal could not be kept from other jobs`,
    );
  }
  return new TerminalProcess(pty, options);
}
