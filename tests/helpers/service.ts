/**
 * Test helpers for service mode: a private runtime and home per test, the fronts as real
 * clients, and the services found (and stopped) through their status files.
 *
 * @module
 */
import { TestServer } from "./mcp_client.ts";
import { isAlive, killIfAlive, waitUntilGone } from "./processes.ts";
import { DENO_RUN, MAIN } from "./server_entry.ts";

/** A service status file's fields the tests read. */
export interface Status {
  pid: number;
  key: string;
  socket: string;
  ledger: string;
  watcher_pid: number | null;
}

/** A temporary home and runtime folder, and the environment that puts a front's service there. */
export class ServiceSandbox implements AsyncDisposable {
  readonly base: string;
  readonly env: Record<string, string>;
  /** Every service pid and watcher pid seen, to be sure none is left. */
  readonly #seen = new Set<number>();
  /** Runs fronts as this user (through setpriv) when set. */
  readonly #uid: number | undefined;

  private constructor(base: string, env: Record<string, string>, uid: number | undefined) {
    this.base = base;
    this.env = env;
    this.#uid = uid;
  }

  /** A fresh sandbox; `runtime: false` leaves XDG_RUNTIME_DIR unset (the temp-dir fallback). */
  static async create(
    options: { runtime?: boolean; env?: Record<string, string>; uid?: number } = {},
  ): Promise<ServiceSandbox> {
    const base = await Deno.makeTempDir({ prefix: "mcp-bg-service-" });
    for (const dir of ["run", "home", "tmp"]) {
      await Deno.mkdir(`${base}/${dir}`, { mode: 0o700 });
      if (options.uid !== undefined) await Deno.chown(`${base}/${dir}`, options.uid, options.uid);
    }
    if (options.uid !== undefined) await Deno.chmod(base, 0o711);
    const env: Record<string, string> = {
      MCP_BG_SERVICE: "on",
      HOME: `${base}/home`,
      TMPDIR: `${base}/tmp`,
      // Another user cannot read this user's Deno cache: it gets its own.
      DENO_DIR: options.uid === undefined
        ? Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`
        : `${base}/home/deno`,
      ...(options.runtime === false ? {} : { XDG_RUNTIME_DIR: `${base}/run` }),
      ...options.env,
    };
    return new ServiceSandbox(base, env, options.uid);
  }

  /** The folder holding the services. */
  get servicesDir(): string {
    return this.env.XDG_RUNTIME_DIR === undefined
      ? `${this.env.TMPDIR}/mcp-background-job-${this.#uid ?? Deno.uid()}`
      : `${this.env.XDG_RUNTIME_DIR}/mcp-background-job`;
  }

  /** Starts a front (a real client over stdio) with this sandbox's environment plus `env`. */
  front(env: Record<string, string> = {}, args: readonly string[] = []): Promise<TestServer> {
    if (this.#uid === undefined) return TestServer.start({ env: { ...this.env, ...env }, args });
    return TestServer.start({
      command: "setpriv",
      args: [...this.#setpriv(), Deno.execPath(), ...DENO_RUN, "-A", MAIN, ...args],
      env: { ...this.env, ...env },
      cwd: this.env.HOME,
    });
  }

  #setpriv(): string[] {
    return [`--reuid=${this.#uid}`, `--regid=${this.#uid}`, "--clear-groups"];
  }

  /** The status of every running service. */
  services(): Status[] {
    const found: Status[] = [];
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(this.servicesDir)];
    } catch {
      // No service was ever started here.
      return [];
    }
    for (const entry of entries) {
      try {
        const status = JSON.parse(
          Deno.readTextFileSync(`${this.servicesDir}/${entry.name}/status.json`),
        ) as Status;
        this.#seen.add(status.pid);
        if (status.watcher_pid !== null) this.#seen.add(status.watcher_pid);
        if (isAlive(status.pid)) found.push(status);
      } catch {
        // A folder without a status file: its service has stopped.
      }
    }
    return found;
  }

  /** The one running service (fails when there is not exactly one). */
  only(): Status {
    const services = this.services();
    if (services.length !== 1) throw new Error(`${services.length} services running, not 1`);
    return services[0]!;
  }

  /** Runs `main.ts --stop-service` with this sandbox's environment; its stdout. */
  async stopService(): Promise<string> {
    const deno = [Deno.execPath(), ...DENO_RUN, "-A", MAIN, "--stop-service"];
    const [program, ...args] = this.#uid === undefined
      ? deno
      : ["setpriv", ...this.#setpriv(), ...deno];
    const output = await new Deno.Command(program!, {
      args,
      env: this.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(output.stdout);
  }

  /** Stops every service and watcher still running, checks they are gone, removes the folder. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.services();
    for (const pid of this.#seen) {
      try {
        if (isAlive(pid)) Deno.kill(pid, "SIGTERM");
      } catch (error) {
        // It exited between the check and the signal (an idle service, a watcher at its end).
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    for (const pid of this.#seen) {
      await waitUntilGone(pid, 20_000).catch(() => killIfAlive(pid));
    }
    await Deno.remove(this.base, { recursive: true });
  }
}
