/**
 * One background job: its process, its two output buffers, its stdin, and its status.
 *
 * @module
 */
import { OutputBuffer } from "../output/output_buffer.ts";
import { readPipeInto } from "../output/pipe_reading.ts";
import type { Executor, ProcessStatus, SpawnedProcess, StdinMode } from "./executor.ts";
import { JobNotRunningError, StdinClosedError } from "../errors.ts";
import { raceTimeout } from "../timers.ts";
import type { Argv } from "../sandbox/command_line.ts";
import type { Logger } from "../logger.ts";
import { ListeningCache, type ListeningSocket, portDetection } from "./listening.ts";
import type { TerminalSupport } from "./terminal_support.ts";
import type { TerminalSize } from "./terminal_process.ts";
import { TerminalScreen } from "../output/terminal_screen.ts";

/** Every {@linkcode JobStatus}, for schemas. */
export const JOB_STATUSES = ["running", "completed", "failed", "killed", "lost"] as const;
/**
 * Where a job is in its life. `failed` means a non-zero exit or death by a signal we did not send;
 * `lost`: read back from the ledger, it was still running when its server died.
 */
export type JobStatus = typeof JOB_STATUSES[number];

/** Every {@linkcode KillReason}, for schemas. */
export const KILL_REASONS = ["user", "timeout", "shutdown", "limit"] as const;
/** Who stopped a killed job. */
export type KillReason = typeof KILL_REASONS[number];

export { STDIN_MODES, type StdinMode } from "./executor.ts";

/** Every {@linkcode KillOutcome}, for schemas. */
export const KILL_OUTCOMES = ["killed", "already_terminated"] as const;
/** What {@linkcode Job.kill} found. */
export type KillOutcome = typeof KILL_OUTCOMES[number];

/** How a person approved a command the allowlist refused: this once, or for the session. */
export type PersonApproval = "once" | "session";

/** Everything needed to start a job. */
export interface JobOptions {
  readonly id: string;
  /** The command line as the client wrote it. */
  readonly command: string;
  readonly argv: Argv;
  readonly cwd: string;
  /** The environment; `undefined` inherits the server's. */
  readonly env?: Record<string, string>;
  /** Variables set on top of `env` (or of the inherited environment). */
  readonly envAdditions?: Record<string, string>;
  /** A label the client chose, shown in listings. */
  readonly name?: string | null;
  /** The session that started the job, shown in listings. */
  readonly session?: string | null;
  /** Default `pipe`. */
  readonly stdin?: StdinMode;
  /** How the person approved a command the allowlist refused, if it was one. */
  readonly approvedByPerson?: PersonApproval;
  readonly maxOutputSize: number;
  /** Where and how the process runs. */
  readonly executor: Executor;
  /** Milliseconds between SIGTERM and SIGKILL. */
  readonly killGraceMs: number;
  /** Where failures nobody awaits are reported. */
  readonly logger: Logger;
  /** Run on a pseudo-terminal of this size, rendered on a screen (a terminal job). */
  readonly terminal?: TerminalSize & { readonly support: TerminalSupport };
}

// After the leader exits, output still in the pipes is drained for at most this long.
const DRAIN_AFTER_EXIT_MS = 250;
// Status calls see listening ports at most this old; wait_for_job's port wait looks afresh.
const LISTENING_MAX_AGE_MS = 1000;
const encoder = new TextEncoder();

/** A job of an earlier run of the server, read back from the ledger (see {@linkcode Job.restore}). */
export interface PastJob {
  readonly id: string;
  readonly command: string;
  readonly argv: Argv;
  readonly cwd: string;
  readonly name: string | null;
  readonly session: string | null;
  readonly started: Date;
  readonly ended: Date | null;
  /** The last status recorded; `running` is restored as `lost`. */
  readonly status: JobStatus;
  readonly exitCode: number | null;
  readonly signal: Deno.Signal | null;
  readonly killReason: KillReason | null;
  readonly pid: number;
  readonly contained: boolean;
  readonly stdout: OutputBuffer;
  readonly stderr: OutputBuffer;
}

/** A running or finished process with bounded output. Create one with {@linkcode Job.start}. */
export class Job {
  /** The opaque job id. */
  readonly id: string;
  /** The command line as the client sent it. */
  readonly command: string;
  /** The argv the command line was split into. */
  readonly argv: readonly string[];
  /** The client's label for the job, if it gave one. */
  readonly name: string | null;
  /** How the person approved it, when the allowlist alone refused it. */
  readonly approvedByPerson: PersonApproval | null;
  /** The session that started the job (`null` when the transport has no sessions). */
  readonly session: string | null;
  /** The directory the job runs in. */
  readonly cwd: string;
  /** When the job started. */
  readonly started: Date = new Date();
  /** The newest bytes of the job's stdout. */
  readonly stdout: OutputBuffer;
  /** The newest bytes of the job's stderr. */
  readonly stderr: OutputBuffer;
  /** Resolves once the status is no longer `running`. */
  readonly done: Promise<void>;
  /** A terminal job's rendered screen; `null` for a piped job. */
  readonly screen: TerminalScreen | null;

  #status: JobStatus = "running";
  #exitCode: number | null = null;
  #signal: Deno.Signal | null = null;
  #ended: Date | null = null;
  #killReason: KillReason | null = null;
  #killing: Promise<KillOutcome> | undefined;
  // The leader has exited and been reaped: its pid may be reused, and the job ended on its own.
  #leaderExited = false;
  readonly #listening = new ListeningCache(LISTENING_MAX_AGE_MS);
  readonly #process: SpawnedProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array> | null;
  #stdinClosed: boolean;
  readonly #killGraceMs: number;
  readonly #logger: Logger;
  readonly #listeners = new Set<() => void>();

  private constructor(options: JobOptions, spawned: SpawnedProcess, past?: PastJob) {
    this.id = options.id;
    this.command = options.command;
    this.argv = options.argv;
    this.name = options.name ?? null;
    this.approvedByPerson = options.approvedByPerson ?? null;
    this.session = options.session ?? null;
    this.cwd = options.cwd;
    this.stdout = past?.stdout ?? new OutputBuffer(options.maxOutputSize);
    this.stderr = past?.stderr ?? new OutputBuffer(options.maxOutputSize);
    const terminal = options.terminal;
    this.screen = terminal === undefined
      ? null
      : new TerminalScreen(terminal.support.Terminal, terminal.cols, terminal.rows);
    this.#process = spawned;
    this.#killGraceMs = options.killGraceMs;
    this.#logger = options.logger;
    if (past !== undefined) {
      this.started = past.started;
      this.#status = past.status === "running" ? "lost" : past.status;
      this.#exitCode = past.exitCode;
      this.#signal = past.signal;
      this.#ended = past.ended ?? past.started;
      this.#killReason = past.killReason;
      this.#leaderExited = true;
      this.#stdin = null;
      this.#stdinClosed = true;
      this.done = Promise.resolve();
      return;
    }
    this.#stdin = spawned.stdin?.getWriter() ?? null;
    this.#stdinClosed = this.#stdin === null;
    // A job that never reads stdin makes our writes fail later; that is reported per write.
    this.#stdin?.closed.catch(() => {});
    const drained = Promise.all([
      this.#pump(spawned.stdout, this.stdout, this.screen),
      this.#pump(spawned.stderr, this.stderr),
    ]);
    this.done = spawned.status.then(async (status) => {
      this.#leaderExited = true;
      await raceTimeout(drained, DRAIN_AFTER_EXIT_MS, undefined);
      this.#finish(status);
      // Anything the job left running in its group goes with it: no process left behind.
      await this.#endGroup();
    });
  }

  /**
   * Spawns `options.argv` through `options.executor` with piped stdio.
   *
   * @throws {SpawnError} when the program is missing, not executable or not permitted.
   */
  static start(options: JobOptions): Job {
    const spawned = options.executor.spawn({
      argv: options.argv,
      cwd: options.cwd,
      env: options.env,
      envAdditions: options.envAdditions,
      stdin: options.stdin ?? "pipe",
      terminal: options.terminal === undefined ? undefined : {
        pty: options.terminal.support.pty,
        closeOnExec: options.terminal.support.closeOnExec,
        cols: options.terminal.cols,
        rows: options.terminal.rows,
      },
    });
    return new Job(options, spawned);
  }

  /**
   * A job of an earlier run, read back from the ledger: ended, its process gone (or `lost`
   * when its server died first), its output in `past`'s buffers.
   */
  static restore(past: PastJob, logger: Logger): Job {
    const gone: SpawnedProcess = {
      pid: past.pid,
      stdin: null,
      stdout: new ReadableStream(),
      stderr: new ReadableStream(),
      status: new Promise(() => {}),
      // Its processes ended with the server that ran them: nothing is left to signal.
      signal: () => Promise.resolve(),
      contained: past.contained,
    };
    const executor = { signalMethod: "leader-only" as const, spawn: () => gone };
    return new Job({ ...past, maxOutputSize: 1, killGraceMs: 0, logger, executor }, gone, past);
  }

  /** `running` until the process ends, then how it ended. */
  get status(): JobStatus {
    return this.#status;
  }
  /** The host pid of the process leading the job (with the local executor, its group id too). */
  get pid(): number {
    return this.#process.pid;
  }
  /** Whether the job runs inside an OS sandbox. */
  get contained(): boolean {
    return this.#process.contained;
  }
  /** Whether the job runs on a pseudo-terminal (its output is then all in `stdout`). */
  get tty(): boolean {
    return this.screen !== null;
  }

  /**
   * Resizes a terminal job's terminal and screen; the program gets SIGWINCH.
   *
   * @throws {JobNotRunningError} when the job has ended.
   */
  resize(cols: number, rows: number): void {
    if (this.#status !== "running" || this.#leaderExited) throw new JobNotRunningError(this.id);
    this.#process.resize?.(cols, rows);
    this.screen?.resize(cols, rows);
  }
  /**
   * The TCP ports the job's processes listen on while it runs, at most a second old; `null`
   * where ports cannot be read (see {@linkcode portDetection}).
   */
  get listening(): readonly ListeningSocket[] | null {
    if (!portDetection().available) return null;
    return this.#status === "running" ? this.#listening.of(this.pid) : [];
  }
  /** {@linkcode Job.listening} looked up now (and kept for the next reads). */
  listeningNow(): readonly ListeningSocket[] {
    return this.#status === "running" ? this.#listening.of(this.pid, true) : [];
  }
  /** The exit code once the process has ended, `null` before or when a signal ended it. */
  get exitCode(): number | null {
    return this.#exitCode;
  }
  /** The signal that ended the process, if one did. */
  get signal(): Deno.Signal | null {
    return this.#signal;
  }
  /** When the job ended, or `null` while it runs. */
  get ended(): Date | null {
    return this.#ended;
  }
  /** Who stopped the job, when it was killed. */
  get killReason(): KillReason | null {
    return this.#killReason;
  }

  /** Calls `listener` after each chunk of output and once when the job ends; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Writes `text` to the job's stdin.
   *
   * @throws {JobNotRunningError} when the job has ended.
   * @throws {StdinClosedError} when its stdin is closed, by the client or by the job itself.
   */
  async write(text: string): Promise<void> {
    if (this.#status !== "running") throw new JobNotRunningError(this.id);
    if (this.#stdinClosed || this.#stdin === null) throw new StdinClosedError(this.id);
    try {
      await this.#stdin.write(encoder.encode(text));
    } catch (error) {
      // A broken pipe while the program still runs: it closed its own stdin.
      if (this.#status === "running" && !this.#leaderExited) {
        throw new StdinClosedError(this.id, "job", { cause: error });
      }
      throw new JobNotRunningError(this.id, { cause: error });
    }
  }

  /** Whether stdin was closed (by the client, or from the start). */
  get stdinClosed(): boolean {
    return this.#stdinClosed;
  }

  /** Closes stdin so the job reads end-of-file; `already_closed` when it was closed before. */
  async closeStdin(): Promise<"closed" | "already_closed"> {
    if (this.#status !== "running") throw new JobNotRunningError(this.id);
    if (this.#stdinClosed || this.#stdin === null) return "already_closed";
    this.#stdinClosed = true;
    try {
      await this.#stdin.close();
    } catch (error) {
      // The job closed its end already (or exited): it sees end-of-file either way.
      if (this.#status !== "running") throw new JobNotRunningError(this.id, { cause: error });
    }
    return "closed";
  }

  /** Sends `signal` to the job's processes. */
  async sendSignal(signal: Deno.Signal): Promise<void> {
    if (this.#status !== "running" || this.#leaderExited) throw new JobNotRunningError(this.id);
    await this.#process.signal(signal);
  }

  /**
   * Stops the job and its processes: SIGTERM, then SIGKILL after the grace period.
   * Concurrent calls share one kill; the first reason given is the one recorded.
   */
  kill(reason: KillReason): Promise<KillOutcome> {
    if (this.#status !== "running") return Promise.resolve("already_terminated");
    // Exited by itself, output still draining: not killed (leftovers go when the job ends).
    if (this.#killing === undefined && this.#leaderExited) {
      return Promise.resolve("already_terminated");
    }
    this.#killReason ??= reason;
    this.#killing ??= this.#terminate();
    return this.#killing;
  }

  async #terminate(): Promise<KillOutcome> {
    await this.#process.signal("SIGTERM");
    const outcome = await raceTimeout(
      this.done.then(() => "done" as const),
      this.#killGraceMs,
      "timeout",
    );
    if (outcome === "timeout" && !this.#leaderExited) {
      await this.#process.signal("SIGKILL");
    }
    await this.done;
    return "killed";
  }

  async #pump(
    stream: ReadableStream<Uint8Array>,
    buffer: OutputBuffer,
    screen: TerminalScreen | null = null,
  ): Promise<void> {
    try {
      await readPipeInto(stream, buffer, (chunk) => {
        screen?.write(chunk);
        this.#emit();
      });
    } catch (error) {
      // A read error ends this stream only; what was read so far stays in the buffer.
      this.#logger.error(`job ${this.id}: output stream failed`, error);
    }
    buffer.end();
  }

  #finish(status: ProcessStatus): void {
    this.#exitCode = status.signal === null ? status.code : null;
    this.#signal = status.signal;
    this.#ended = new Date();
    // The kernel sends these only when a job's cpu or file-size limit (MCP_BG_JOB_LIMITS) is hit.
    if (status.signal === "SIGXCPU" || status.signal === "SIGXFSZ") this.#killReason ??= "limit";
    if (this.#killReason !== null) this.#status = "killed";
    else this.#status = status.success ? "completed" : "failed";
    this.#stdin?.close().catch(() => {
      // Already closed by the client, or broken because the process is gone.
    });
    this.#emit();
  }

  async #endGroup(): Promise<void> {
    try {
      await this.#process.signal("SIGKILL");
    } catch (error) {
      this.#logger.error(`job ${this.id}: could not stop leftover processes`, error);
    }
  }

  #emit(): void {
    // Called for every chunk read: with nobody listening (the usual case), skip the iterator.
    if (this.#listeners.size === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        // One broken listener must not stop the output pump or the job's end.
        this.#logger.error(`job ${this.id}: change listener failed`, error);
      }
    }
  }
}
