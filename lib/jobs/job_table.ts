/**
 * The table of jobs: validation, limits, ids, timeouts, cleanup and shutdown.
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import { checkCommand } from "../sandbox/command_check.ts";
import type { Argv } from "../sandbox/command_line.ts";
import type { InvalidCommandError } from "../errors.ts";
import { defaultJobEnvironment } from "./environment.ts";
import { JobLimitError, JobNotFoundError, ToolError } from "../errors.ts";
import { Job, type KillOutcome, type PersonApproval, type StdinMode } from "./job.ts";
import { ApprovalDesk } from "./approval_desk.ts";
import {
  checkEnvAdditions,
  jobEnvAdditions,
  missingDirectory,
  resolveJobCwd,
} from "./start_options.ts";
import type { GroupSignaller } from "./process_group.ts";
import type { Executor } from "./executor.ts";
import { createLocalExecutor } from "./local_executor.ts";
import { OutputBudget } from "./output_budget.ts";
import { type Logger, stderrLogger } from "../logger.ts";
import { chooseExecutor, uncontainedExecutor } from "./executor_choice.ts";
import { assertRunPermitted } from "./spawn_failure.ts";
import type { TerminalSupport } from "./terminal_support.ts";
import { checkTerminalSize, type TerminalSize } from "./terminal_process.ts";

/** Options for a {@linkcode JobManager} beyond the configuration. */
export interface JobManagerOptions {
  /**
   * Where and how jobs run; default: what the configuration's `containment` asks for, chosen by
   * {@linkcode JobManager.ready} (see `chooseExecutor`), or the local executor when `signaller`
   * is given.
   */
  readonly executor?: Executor;
  /** Paths contained jobs cannot see, on top of the configuration's (the server's own files). */
  readonly hidden?: readonly string[];
  /** Run jobs locally, signalling process groups this way (a test hook). */
  readonly signaller?: GroupSignaller;
  /** Milliseconds between SIGTERM and SIGKILL when a job is killed. Default 2000. */
  readonly killGraceMs?: number;
  /** The environment jobs get; default: the server's own (loader variables dropped when sandboxed). */
  readonly env?: Record<string, string>;
  /** Where failures nobody awaits are reported (and the MCP layer's too); default: stderr. */
  readonly logger?: Logger;
  /** Finds a job no longer in memory (such as one kept in a ledger on disk) by its id. */
  readonly recall?: (id: string) => Job | undefined;
}

/** Optional settings for one job (see {@linkcode JobManager.start}). */
export interface StartOptions {
  /** Directory to run in: relative to the working directory, and inside it once symlinks are resolved. */
  readonly cwd?: string;
  /** Variables added to the job's environment (checked by `checkEnvAdditions`). */
  readonly env?: Record<string, string>;
  /** Seconds after which the job is killed; the configured timeout still applies when shorter. */
  readonly timeoutSeconds?: number;
  /** A label shown in listings. */
  readonly name?: string;
  /** `closed`: the job reads end-of-file at once. Default `pipe`. */
  readonly stdin?: StdinMode;
  /** The session starting the job, shown in listings. */
  readonly session?: string;
  /** Run on a pseudo-terminal of this size (see `loadTerminalSupport`). */
  readonly terminal?: TerminalSize & { readonly support: TerminalSupport };
}

/**
 * A command checked and ready to start: exactly what would run. When the allowlist alone refused
 * it, `allowlistRefusal` says why, and only a person's approval may start it.
 */
export interface PreparedStart {
  /** The command line as the client wrote it. */
  readonly command: string;
  readonly argv: Argv;
  /** Each program the line runs: its real file when found (see `checkCommand`). */
  readonly programs: readonly string[];
  /** The real files of the programs found. */
  readonly files: readonly string[];
  readonly cwd: string;
  /** The variables the client adds to the job's environment, as checked. */
  readonly envAdditions: Readonly<Record<string, string>>;
  /** Whether the job would run inside bubblewrap. */
  readonly contained: boolean;
  readonly allowlistRefusal?: InvalidCommandError;
  readonly options: StartOptions;
}

/** Why a job left the table, for listeners such as resource notifications. */
export type JobEvent = { kind: "started" | "ended" | "dropped"; job: Job };

/**
 * Starts, finds, kills and forgets jobs.
 *
 * @example Usage
 * ```ts
 * import { JobManager } from "./job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * await manager.ready(); // contained when bubblewrap works here
 * const job = manager.start("echo hello");
 * await job.done;
 * assert.equal(job.stdout.text(), "hello\n");
 * await manager.shutdown();
 * ```
 */
export class JobManager {
  /** The configuration the manager enforces. */
  readonly config: Config;
  /** Where this manager, its jobs and the servers built on it report failures nobody awaits. */
  readonly logger: Logger;
  readonly #jobs = new Map<string, Job>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #executor: Executor | undefined;
  #choosing: Promise<Executor> | undefined;
  readonly #stopChoice = new AbortController();
  readonly #hidden: readonly string[];
  readonly #killGraceMs: number;
  readonly #env: Record<string, string> | undefined;
  readonly #listeners = new Set<(event: JobEvent) => void>();
  readonly #budget: OutputBudget<Job>;
  /** Questions to the person about commands the allowlist refused, open in every session. */
  readonly approvals: ApprovalDesk = new ApprovalDesk();
  readonly #recall: ((id: string) => Job | undefined) | undefined;
  #closing = false;

  /**
   * Creates an empty job table enforcing `config`. Unless `options` gives the executor (or
   * containment is off), jobs start once {@linkcode ready} has chosen it.
   */
  constructor(config: Config, options: JobManagerOptions = {}) {
    this.config = config;
    this.logger = options.logger ?? stderrLogger;
    this.#executor = options.executor ??
      (options.signaller !== undefined
        ? createLocalExecutor(options.signaller)
        : config.containment === "off"
        ? uncontainedExecutor("MCP_BG_CONTAINMENT=off")
        : undefined);
    this.#hidden = options.hidden ?? [];
    this.#killGraceMs = options.killGraceMs ?? 2000;
    this.#env = options.env ?? defaultJobEnvironment();
    this.#budget = new OutputBudget(config.maxHeldOutput);
    this.#recall = options.recall;
  }

  /**
   * Chooses where jobs run, once: contained when the configuration asks for it and bubblewrap
   * works here (tried once, in the background), else locally. Jobs start only after it.
   *
   * @throws {ConfigError} (rejected) when the configuration needs containment and it is
   * unavailable.
   */
  ready(): Promise<Executor> {
    if (this.#executor !== undefined) return Promise.resolve(this.#executor);
    return this.#choosing ??= chooseExecutor(this.config, this.#hidden, this.#stopChoice.signal)
      .then((executor) => this.#executor = executor);
  }

  /** Whether {@linkcode ready} has chosen the executor: jobs can start now. */
  get isReady(): boolean {
    return this.#executor !== undefined;
  }

  /**
   * Where and how this manager runs jobs.
   *
   * @throws {Error} before {@linkcode ready} has chosen it.
   */
  get executor(): Executor {
    if (this.#executor === undefined) {
      throw new Error("No executor yet: await manager.ready() before starting jobs");
    }
    return this.#executor;
  }

  /** How this manager reaches process groups (see {@linkcode GroupSignaller}). */
  get signalMethod(): GroupSignaller["method"] {
    return this.executor.signalMethod;
  }

  /** `PATH` as jobs see it, which finds their programs. */
  get #searchPath(): string {
    // Only PATH is read: no copy of the whole environment on every start.
    return (this.#env === undefined ? Deno.env.get("PATH") : this.#env.PATH) ?? "";
  }

  /** Jobs currently running (the ones that hold a slot). */
  get runningCount(): number {
    let count = 0;
    for (const job of this.#jobs.values()) if (job.status === "running") count++;
    return count;
  }

  /** Subscribes to job lifecycle events; returns an unsubscribe. */
  onEvent(listener: (event: JobEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Validates `command` and starts it as a job.
   *
   * @throws {InvalidCommandError} for an empty, unbalanced, refused or dangerous command.
   * @throws {JobLimitError} when every slot is taken.
   * @throws {SpawnError} when the program cannot be started.
   */
  start(command: string, options: StartOptions = {}): Job {
    const prepared = this.prepare(command, options);
    if (prepared.allowlistRefusal !== undefined) throw prepared.allowlistRefusal;
    return this.startPrepared(prepared);
  }

  /**
   * Checks `command` by every rule and says exactly what would run, without starting it. With
   * `pastAllowlist`, a refusal by the allowlist alone is returned in `allowlistRefusal` once
   * every other rule holds; otherwise the first failing rule throws, in the numbered order.
   *
   * @throws {InvalidCommandError} for an empty, unbalanced, refused or dangerous command.
   * @throws {SpawnError} when the program cannot be started.
   */
  prepare(command: string, options: StartOptions = {}, pastAllowlist = false): PreparedStart {
    if (this.#closing) throw new ToolError("Server is shutting down: no new jobs are started");
    const gone = missingDirectory(this.config.workingDir);
    if (gone !== undefined) {
      throw new ToolError(
        `Cannot start jobs: ${gone} (MCP_BG_WORKING_DIR); recreate it, or restart the server ` +
          "with another MCP_BG_WORKING_DIR",
      );
    }
    const cwd = options.cwd === undefined
      ? this.config.workingDir
      : resolveJobCwd(this.config.workingDir, options.cwd);
    const additions = checkEnvAdditions(options.env ?? {});
    if (options.terminal !== undefined) {
      checkTerminalSize(options.terminal);
      if (options.stdin === "closed") {
        throw new ToolError("Invalid stdin: a tty job reads its terminal, which cannot be closed");
      }
    }
    const checked = checkCommand(command, this.config, {
      cwd,
      searchPath: this.#searchPath,
      env: additions,
      pastAllowlist,
    });
    return {
      command,
      argv: checked.argv,
      programs: checked.programs,
      files: checked.files,
      cwd,
      envAdditions: additions,
      contained: this.executor.containment?.contained ?? false,
      ...(checked.allowlistRefusal && { allowlistRefusal: checked.allowlistRefusal }),
      options,
    };
  }

  /**
   * Wall 2 for `prepared`, checked before a person is asked about it: approval widens the
   * allowlist only, never `--allow-run`.
   *
   * @throws {SpawnError} when Deno would not run its program.
   */
  assertRunPermitted(prepared: PreparedStart): void {
    assertRunPermitted(prepared.argv[0], { cwd: prepared.cwd, searchPath: this.#searchPath });
  }

  /**
   * Starts what {@linkcode prepare} returned. One the allowlist refused starts only with
   * `approvedByPerson`, which only a person's answer may give.
   *
   * @throws {JobLimitError} when every slot is taken.
   * @throws {SpawnError} when the program cannot be started.
   */
  startPrepared(prepared: PreparedStart, approvedByPerson?: PersonApproval): Job {
    if (prepared.allowlistRefusal !== undefined && approvedByPerson === undefined) {
      throw prepared.allowlistRefusal;
    }
    if (this.#closing) throw new ToolError("Server is shutting down: no new jobs are started");
    if (this.runningCount >= this.config.maxJobs) throw new JobLimitError(this.config.maxJobs);
    const { options } = prepared;
    const job = Job.start({
      id: crypto.randomUUID(),
      command: prepared.command,
      argv: prepared.argv,
      cwd: prepared.cwd,
      env: this.#env,
      envAdditions: jobEnvAdditions(this.#env, prepared.envAdditions),
      name: options.name ?? null,
      session: options.session ?? null,
      stdin: options.stdin,
      ...(prepared.allowlistRefusal && { approvedByPerson }),
      terminal: options.terminal,
      maxOutputSize: this.config.maxOutputSize,
      executor: this.executor,
      killGraceMs: this.#killGraceMs,
      logger: this.logger,
    });
    this.#jobs.set(job.id, job);
    this.#armTimeout(job, options.timeoutSeconds);
    job.done.then(() => this.#ended(job));
    this.#emit({ kind: "started", job });
    return job;
  }

  /**
   * Returns the job with `id`.
   *
   * @throws {JobNotFoundError} when there is none (never was, or already dropped).
   */
  get(id: string): Job {
    const job = this.find(id);
    if (job === undefined) throw new JobNotFoundError(id);
    return job;
  }

  /** The job with `id` (in memory, or recalled from a ledger), or `undefined` when there is none. */
  find(id: string): Job | undefined {
    const job = this.#jobs.get(id);
    if (job !== undefined || this.#recall === undefined) return job;
    const recalled = this.#recall(id);
    if (recalled !== undefined) this.adopt([recalled]);
    return recalled;
  }

  /**
   * Takes ended jobs of an earlier run (read back from a ledger, oldest first) into the table, as
   * if they had just ended here: listed, readable, dropped from memory after the cleanup interval.
   */
  adopt(jobs: readonly Job[]): void {
    for (const job of jobs) {
      this.#jobs.set(job.id, job);
      this.#ended(job);
    }
  }

  /** The newest running job labelled `name`, or `undefined` when none runs. */
  runningNamed(name: string): Job | undefined {
    return this.list().find((job) => job.name === name && job.status === "running");
  }

  /** Every job still in memory, newest first. */
  list(): Job[] {
    return [...this.#jobs.values()].reverse();
  }

  /** Kills the job with `id`, reporting `not_found` for an unknown id. */
  kill(id: string): Promise<KillOutcome | "not_found"> {
    const job = this.find(id);
    return job === undefined ? Promise.resolve("not_found") : job.kill("user");
  }

  /**
   * Refuses new jobs, kills every running one (and its group), and waits for them to end; a job
   * whose kill fails is logged, not waited for. An executor choice under way is waited for.
   */
  async shutdown(): Promise<void> {
    this.#closing = true;
    // A choice still under way ends first, without waiting for its trial sandbox.
    this.#stopChoice.abort();
    await this.#choosing?.catch(() => {});
    const jobs = [...this.#jobs.values()];
    // One job that cannot be signalled must not cut short the wait for all the others.
    const kills = await Promise.allSettled(jobs.map((job) => job.kill("shutdown")));
    const stoppable = jobs.filter((job, i) => {
      const kill = kills[i]!;
      if (kill.status === "rejected") this.logger.error(`job ${job.id}: kill failed`, kill.reason);
      return kill.status === "fulfilled";
    });
    await Promise.all(stoppable.map((job) => job.done));
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #armTimeout(job: Job, jobSeconds: number | undefined): void {
    const configured = this.config.jobTimeoutSeconds;
    const seconds = jobSeconds === undefined || configured === undefined
      ? jobSeconds ?? configured
      : Math.min(jobSeconds, configured);
    if (seconds === undefined) return;
    const timer = setTimeout(() => {
      // Nobody awaits a timeout kill, so a failure must be logged here, not left unhandled.
      job.kill("timeout").catch((error) =>
        this.logger.error(`job ${job.id}: timeout kill failed`, error)
      );
    }, seconds * 1000);
    this.#timers.set(job.id, timer);
  }

  #ended(job: Job): void {
    clearTimeout(this.#timers.get(job.id));
    this.#timers.delete(job.id);
    this.#budget.finished(job);
    this.#emit({ kind: "ended", job });
    if (this.#closing) return;
    const timer = setTimeout(() => {
      this.#timers.delete(job.id);
      this.#jobs.delete(job.id);
      this.#budget.forget(job);
      this.#emit({ kind: "dropped", job });
    }, this.config.cleanupIntervalSeconds * 1000);
    // A finished job's cleanup timer must not keep the process alive on its own.
    Deno.unrefTimer(Number(timer));
    this.#timers.set(job.id, timer);
  }

  #emit(event: JobEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`job event listener failed for ${event.kind} ${event.job.id}`, error);
      }
    }
  }
}
