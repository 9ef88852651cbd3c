/**
 * The contained executor: each job runs inside bubblewrap (`bwrap`) in its own PID namespace.
 *
 * Inside, bubblewrap's init is pid 1 and the program is its child; both are in the session the
 * init started (`--new-session`), whose id is the init's host pid. Signals go to that group from
 * the host: the init ignores every signal but SIGKILL, so a SIGINT reaches the program and its
 * group only, while SIGKILL ends the init and with it every process of the namespace, whatever
 * it did (`setsid`, double forks). When the program ends, bubblewrap exits with its status and
 * the init, bound to it by `--die-with-parent`, takes the rest of the sandbox with it.
 *
 * @module
 */
import { SpawnError } from "../errors.ts";
import type { Executor, ProcessStatus, SpawnedProcess, SpawnSpec } from "./executor.ts";
import type { StartedChild } from "./extra_fd_spawn.ts";
import { startBwrap } from "./bwrap_start.ts";
import { assertRunPermitted, spawnFailure, type SpawnPlace } from "./spawn_failure.ts";
import { refuseUnlessRunnable } from "./spawn_checks.ts";
import { spawnContainedTerminal } from "./contained_terminal.ts";
import type { GroupSignaller } from "./process_group.ts";
import { signalOfExitCode } from "./linux_signals.ts";
import {
  bwrapArguments,
  type ContainmentPolicy,
  type ResolvedPath,
  RulePathMoved,
} from "../sandbox/containment_policy.ts";
import {
  locateProgram,
  type ProgramLocation,
  resolvePath,
  shebangInterpreter,
} from "../sandbox/program_path.ts";
import { whyHidden } from "../sandbox/hidden_paths.ts";
import { jobFilter } from "../sandbox/seccomp/job_filter.ts";
import {
  filterFile,
  FilterFileTampered,
  hiddenFilterDirectory,
} from "../sandbox/seccomp/filter_file.ts";
import { prlimitOptions } from "../sandbox/job_limits.ts";
import { shellDialect, shellThenProgram, ulimitCommands } from "../sandbox/shell_limits.ts";

/** What the contained executor needs. */
export interface ContainedExecutorOptions {
  /** The `bwrap` program (a path found on `PATH`). */
  readonly bwrap: string;
  /** A POSIX shell (a path found on `PATH`), which hands the job its stdin past bwrap. */
  readonly sh: string;
  /**
   * `prlimit`, which sets the policy's per-process limits where the job's shell cannot (see
   * shell_limits.ts); without it those are not set.
   */
  readonly prlimit?: string;
  readonly policy: ContainmentPolicy;
  /** The server's working directory, writable when the policy restricts writes. */
  readonly workingDir: string;
  readonly signaller: GroupSignaller;
}

// How long a signal waits for bubblewrap to have started its init before it signals bwrap.
const INIT_WAIT_MS = 2000;

/**
 * Fails when the sandbox hides the program, or the interpreter its `#!` line names, that the
 * host finds (under the job's private /tmp, or a deny rule): inside, bubblewrap would only
 * report a bare `execvp` failure on the job's stderr.
 */
function refuseUnlessVisible(
  program: string,
  found: ProgramLocation,
  place: SpawnPlace,
  options: ContainedExecutorOptions,
) {
  const cannot = (why: string) => new SpawnError(`Cannot start "${program}": ${why}`);
  const hidden = whyHidden(found.path, options.policy, options.workingDir);
  if (hidden !== undefined) {
    throw cannot(`it is ${found.path}, where jobs cannot see it: ${hidden}`);
  }
  const interpreter = shebangInterpreter(found.real);
  if (interpreter === undefined) return;
  const path = resolvePath(place.cwd, interpreter);
  const quoted = `its interpreter ${JSON.stringify(interpreter)} (from its #! line)`;
  if (locateProgram(path, place) === undefined) throw cannot(`${quoted} was not found`);
  const interpreterHidden = whyHidden(path, options.policy, options.workingDir);
  if (interpreterHidden !== undefined) {
    throw cannot(`${quoted} is where jobs cannot see it: ${interpreterHidden}`);
  }
}

/** `path` with every symlink followed; `undefined` when the server may not resolve it. */
function realPathOf(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined; // prlimit sets the limits then
  }
}

/** The variable `name` as the job will see it. */
function jobVariable(spec: SpawnSpec, name: string): string | undefined {
  return spec.envAdditions?.[name] ??
    (spec.env === undefined ? Deno.env.get(name) : spec.env[name]);
}

/**
 * The pids of `pid`'s children from the host's /proc (empty when it has none or is gone), read
 * directly under `--allow-all` (Deno asks for it for /proc), else through `cat` when that may
 * run; `undefined` when neither is permitted.
 */
async function childrenOf(pid: number): Promise<number[] | undefined> {
  const path = `/proc/${pid}/task/${pid}/children`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    // The process has exited: it has no children any more.
    if (error instanceof Deno.errors.NotFound) return [];
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    if (Deno.permissions.querySync({ name: "run", command: "cat" }).state !== "granted") {
      return undefined;
    }
    const output = await new Deno.Command("cat", {
      args: [path],
      clearEnv: true,
      stdin: "null",
      stderr: "null",
    }).output();
    text = new TextDecoder().decode(output.stdout);
  }
  return text.split(" ").filter((word) => word.trim() !== "").map(Number);
}

/** bwrap reports a death by signal n as exit code 128 + n; report it as the signal again. */
function programStatus(status: Deno.CommandStatus): ProcessStatus {
  if (status.signal !== null) return status;
  const signal = signalOfExitCode(status.code);
  return signal === null ? status : { success: false, code: status.code, signal };
}

class ContainedProcess implements SpawnedProcess {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<ProcessStatus>;
  readonly contained = true;
  readonly #bwrap: StartedChild;
  readonly #signaller: GroupSignaller;
  #ended = false;
  #init: number | undefined;

  constructor(bwrap: StartedChild, spec: SpawnSpec, signaller: GroupSignaller) {
    this.#bwrap = bwrap;
    this.#signaller = signaller;
    this.pid = bwrap.pid;
    this.stdin = spec.stdin === "closed" ? null : bwrap.stdin;
    this.stdout = bwrap.stdout;
    this.stderr = bwrap.stderr;
    this.status = bwrap.status.then((status) => {
      this.#ended = true;
      return programStatus(status);
    });
  }

  async signal(signal: Deno.Signal): Promise<void> {
    // Once bwrap has exited, --die-with-parent has ended the sandbox: nothing is left to signal.
    if (this.#ended) return;
    const init = await this.#sandboxInit();
    if (this.#ended) return;
    // Before the init exists (or with no way to find it) signalling bwrap ends the sandbox.
    const leader = init === undefined
      ? this.#bwrap
      : { pid: init, kill: (sig: Deno.Signal) => this.#bwrap.kill(sig) };
    await this.#signaller.signal(leader, signal);
  }

  /**
   * The host pid of the sandbox's init (bwrap's only child), once it has started the program:
   * only then has it made the session that the group signals address.
   */
  async #sandboxInit(): Promise<number | undefined> {
    const deadline = Date.now() + INIT_WAIT_MS;
    while (this.#init === undefined && !this.#ended && Date.now() < deadline) {
      const children = await childrenOf(this.pid);
      if (children === undefined) return undefined; // no way to look: bwrap it is
      const init = children[0];
      if (init !== undefined && (await childrenOf(init))!.length > 0) this.#init = init;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.#init;
  }
}

/**
 * Creates the contained executor.
 *
 * @example Usage
 * ```ts ignore
 * import { createContainedExecutor } from "./contained_executor.ts";
 * import { createGroupSignaller } from "./process_group.ts";
 * import { OPEN_POLICY } from "../sandbox/containment_policy.ts";
 * const executor = createContainedExecutor({
 *   bwrap: "/usr/bin/bwrap",
 *   sh: "/bin/sh",
 *   policy: OPEN_POLICY,
 *   workingDir: Deno.cwd(),
 *   signaller: createGroupSignaller(),
 * });
 * const spawned = executor.spawn({ argv: ["true"], cwd: Deno.cwd(), stdin: "closed" });
 * await spawned.status;
 * ```
 */
export function createContainedExecutor(options: ContainedExecutorOptions): Executor {
  const rulePathsSeen = new Map<string, ResolvedPath>();
  const filter = jobFilter({ network: options.policy.network });
  // The job's first program sets its limits, which every process it starts inherits.
  const limits = options.policy.limits ?? {};
  const rlimits = prlimitOptions(limits);
  const limited = options.prlimit === undefined || rlimits.length === 0
    ? []
    : [options.prlimit, ...rlimits, "--"];
  const shReal = realPathOf(options.sh);
  const shDialect = shReal === undefined ? undefined : shellDialect(shReal);
  // What the server's own dash runs to set the limits; undefined leaves them to prlimit.
  const shLimits = shDialect === undefined
    ? undefined
    : ulimitCommands(limits, { dialect: shDialect, argv0: options.sh });
  // A terminal job's bash is never trusted with them: the server's dash (or prlimit) goes first.
  const terminalLimited = shLimits ? shellThenProgram(options.sh, shLimits) : limited;
  return {
    signalMethod: options.signaller.method,
    spawn(spec: SpawnSpec): SpawnedProcess {
      const [program] = spec.argv;
      const place = { cwd: spec.cwd, searchPath: jobVariable(spec, "PATH") ?? "" };
      assertRunPermitted(program, place);
      const found = refuseUnlessRunnable(program, place);
      let filterPath: string | undefined;
      try {
        filterPath = filterFile(filter);
      } catch (error) {
        if (!(error instanceof FilterFileTampered)) throw error;
        throw new SpawnError(`Cannot start "${program}" in its sandbox: ${error.message}`, {
          cause: error,
        });
      }
      // Every server's filter directory is hidden from the job like a deny rule (filter_file.ts).
      const policy = filterPath === undefined ? options.policy : {
        ...options.policy,
        denyRead: [...options.policy.denyRead, hiddenFilterDirectory(filterPath)],
      };
      refuseUnlessVisible(program, found, place, { ...options, policy });
      let args: string[];
      try {
        args = bwrapArguments(policy, {
          workingDir: options.workingDir,
          cwd: spec.cwd,
          rulePathsSeen,
          // A terminal job keeps the terminal as its controlling one (see contained_terminal.ts).
          newSession: spec.terminal === undefined,
        });
      } catch (error) {
        if (!(error instanceof RulePathMoved)) throw error;
        throw new SpawnError(`Cannot start "${program}": ${error.message}`, { cause: error });
      }
      if (spec.terminal !== undefined) {
        return spawnContainedTerminal(spec, spec.terminal, {
          ...options,
          args,
          filterFile: filterPath,
          limited: terminalLimited,
        });
      }
      let bwrap: StartedChild;
      try {
        bwrap = startBwrap(spec, {
          ...options,
          args,
          limited,
          shReal,
          shLimits,
          filter,
          filterFile: filterPath,
          programReal: found.real,
        });
      } catch (error) {
        const failure = spawnFailure(options.sh, error, place);
        throw new SpawnError(`Cannot start "${program}" in its sandbox: ${failure.message}`, {
          cause: error,
        });
      }
      return new ContainedProcess(bwrap, spec, options.signaller);
    },
  };
}
