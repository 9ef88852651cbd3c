/**
 * Test helpers that look at real processes through /proc.
 *
 * @module
 */

/**
 * Whether `error` says the process is gone: /proc/<pid> missing, or (ESRCH) the process exited
 * while its /proc file was being read.
 */
function vanished(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || (error as { code?: string })?.code === "ESRCH" ||
    /\(os error 3\)/.test(String(error));
}

/** Whether `pid` is a live process (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch (error) {
    if (vanished(error)) return false;
    throw error;
  }
}

/** Waits until `pid` is gone; throws if it is still alive after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`Process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until `pid` has been reaped by its parent (not even a zombie is left). */
export async function waitUntilReaped(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      Deno.statSync(`/proc/${pid}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    if (Date.now() > deadline) throw new Error(`Process ${pid} not reaped after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Kills `pid` if a test failed before it could stop it, so no test leaves a process behind. */
export function killIfAlive(pid: number): void {
  if (!isAlive(pid)) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch (error) {
    // It exited between the check and the kill.
    if (!vanished(error)) throw error;
  }
}

/**
 * Waits up to `timeoutMs` for `pid` to exit on its own; if it does not, kills it (SIGKILL) and
 * throws an error naming `name`, so a hung process fails its test instead of hanging the suite.
 */
export async function exitWithin(pid: number, name: string, timeoutMs = 20_000): Promise<void> {
  try {
    await waitUntilGone(pid, timeoutMs);
  } catch {
    const command = commandLineOf(pid);
    killIfAlive(pid);
    await waitUntilGone(pid, 10_000);
    throw new Error(
      `${name} (pid ${pid}: ${command}) was still running after ${timeoutMs} ms; killed`,
    );
  }
}

/** Bytes `pid` has read so far through read() and similar calls (`rchar` in /proc/<pid>/io). */
export function bytesReadBy(pid: number): number {
  const io = Deno.readTextFileSync(`/proc/${pid}/io`);
  const match = /^rchar: (\d+)$/m.exec(io);
  if (!match) throw new Error(`No rchar for process ${pid}`);
  return Number(match[1]);
}

/** Resident set size (`VmRSS`) and its peak (`VmHWM`) of `pid` in bytes, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!match) throw new Error(`No ${name} for process ${pid}`);
    return Number(match[1]) * 1024;
  };
  return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

/** The resident set size of `pid` in bytes. */
export function residentBytes(pid: number): number {
  return memoryOf(pid).rss;
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a program that ran to completion printed, decoded, and its exit code. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and how {@linkcode run} runs a program. */
export interface RunOptions {
  readonly cwd?: string;
  /** Added to the test's environment, or the whole environment with `clearEnv`. */
  readonly env?: Record<string, string>;
  /** Start from an empty environment instead of the test's. */
  readonly clearEnv?: boolean;
  /** Kills the program when aborted, so a hung one fails its test instead of the suite. */
  readonly signal?: AbortSignal;
}

/** Runs `command` with `args` to completion (stdin closed) and decodes its output. */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args: [...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    clearEnv: options.clearEnv,
    signal: options.signal,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/**
 * The variables a download needs from this environment (certificate authorities, proxies,
 * registry settings), for a child that gets a minimal environment — as an MCP client gives the
 * server — but must still fetch npm packages.
 */
export function downloadEnv(): Record<string, string> {
  const wanted =
    /^(SSL_CERT_(FILE|DIR)|NODE_EXTRA_CA_CERTS|DENO_(CERT|TLS_CA_STORE|DIR)|(HTTPS?|NO)_PROXY|NPM_CONFIG_\w+)$/i;
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => wanted.test(name)),
  );
}

/** The parent pid of `pid` from /proc/<pid>/stat, or `undefined` when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch (error) {
    // It exited while /proc was being read.
    if (vanished(error)) return undefined;
    throw error;
  }
}

/** Every live descendant of `pid` (host pids), found by walking /proc's parent links. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    const child = Number(entry.name);
    if (!Number.isInteger(child)) continue;
    const parent = parentOf(child);
    if (parent !== undefined) children.set(parent, [...children.get(parent) ?? [], child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found.filter(isAlive);
}

/** The command line of `pid` with spaces between the words, or "" when it is gone. */
export function commandLineOf(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
  } catch (error) {
    if (vanished(error)) return "";
    throw error;
  }
}
