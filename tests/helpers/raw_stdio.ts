/**
 * Test harness for what no SDK client sends: the real server (`main.ts`) in a child Deno process,
 * written to and read from as raw lines of stdio.
 *
 * @module
 */
import { exitWithin, isAlive } from "./processes.ts";
import { DENO_RUN, MAIN } from "./server_entry.ts";

/** A parsed message the server wrote. */
// deno-lint-ignore no-explicit-any
export type Reply = Record<string, any>;

/** The server on raw stdio, already initialized. */
export class RawStdioServer implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #replies: Reply[] = [];
  // Each reply's place in the order the server wrote them.
  readonly #arrival = new WeakMap<Reply, number>();
  #arrived = 0;
  readonly #reading: Promise<void>;
  #wake = Promise.withResolvers<void>();
  #nextId = 1000;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#reading = this.#read();
  }

  /** Starts the server with `env` and completes `initialize`. */
  static async start(env: Record<string, string> = {}): Promise<RawStdioServer> {
    return (await RawStdioServer.startWith(env, [])).server;
  }

  /**
   * Starts the server with `env` and sends `initialize`, `initialized` and `requests` in one
   * write, as a client that does not wait for the answer to `initialize` does. Returns the server
   * once `initialize` is answered, and the id of each request (read their replies with `reply`).
   */
  static async startWith(
    env: Record<string, string>,
    requests: readonly { method: string; params?: unknown }[],
  ): Promise<{ server: RawStdioServer; ids: number[] }> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [...DENO_RUN, "-A", MAIN],
      env: { NO_COLOR: "1", ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const server = new RawStdioServer(child);
    const initialize = server.#nextId++;
    const ids = requests.map(() => server.#nextId++);
    const lines = [
      {
        jsonrpc: "2.0",
        id: initialize,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw-tests", version: "1.0.0" },
        },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      ...requests.map((request, i) => ({ jsonrpc: "2.0", id: ids[i], ...request })),
    ];
    await server.writeRaw(lines.map((line) => JSON.stringify(line) + "\n").join(""));
    await server.reply(initialize);
    return { server, ids };
  }

  /** The server process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Writes `text` as is (add the newline yourself). */
  async writeRaw(text: string | Uint8Array): Promise<void> {
    await this.#writer.write(typeof text === "string" ? new TextEncoder().encode(text) : text);
  }

  /** Writes `message` as one JSON line. */
  async write(message: unknown): Promise<void> {
    await this.writeRaw(JSON.stringify(message) + "\n");
  }

  /** Waits for the first reply not yet taken that `predicate` accepts, and takes it. */
  async next(predicate: (reply: Reply) => boolean, timeoutMs = 20_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const index = this.#replies.findIndex(predicate);
      if (index !== -1) return this.#replies.splice(index, 1)[0];
      if (!isAlive(this.#child.pid)) throw new Error("The server exited");
      if (Date.now() > deadline) throw new Error(`No matching reply after ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const poll = new Promise<void>((resolve) => timer = setTimeout(resolve, 200));
      await Promise.race([this.#wake.promise, poll]);
      clearTimeout(timer);
    }
  }

  /** The reply to request `id`. */
  reply(id: unknown): Promise<Reply> {
    return this.next((reply) => "id" in reply && reply.id === id && !("method" in reply));
  }

  /** Sends request `method` with `params` and returns its reply. */
  async request(method: string, params?: unknown): Promise<Reply> {
    const id = this.#nextId++;
    await this.write({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return await this.reply(id);
  }

  /** Calls tool `name` and returns the JSON-RPC reply. */
  callTool(name: string, args: Record<string, unknown> = {}): Promise<Reply> {
    return this.request("tools/call", { name, arguments: args });
  }

  /**
   * Sends every call in one write, so the server has them all before it answers any, and returns
   * the replies in the order the server wrote them, each with the index of its call.
   */
  async callToolsTogether(
    calls: readonly { name: string; arguments: Record<string, unknown> }[],
    timeoutMs = 60_000,
  ): Promise<{ call: number; reply: Reply }[]> {
    const ids = calls.map(() => this.#nextId++);
    await this.writeRaw(
      calls.map((params, call) =>
        JSON.stringify({ jsonrpc: "2.0", id: ids[call], method: "tools/call", params }) + "\n"
      ).join(""),
    );
    const replies = [];
    for (const [call, id] of ids.entries()) {
      const reply = await this.next((r) => r.id === id && !("method" in r), timeoutMs);
      replies.push({ call, reply });
    }
    return replies.sort((a, b) => this.#arrival.get(a.reply)! - this.#arrival.get(b.reply)!);
  }

  /** Proves the server still works: a new job starts, ends, and its output reads back. */
  async assertWorking(): Promise<void> {
    const started = await this.callTool("execute_command", { command: "echo still-alive" });
    const jobId = started.result?.structuredContent?.job_id;
    if (typeof jobId !== "string") throw new Error(`No job started: ${JSON.stringify(started)}`);
    const waited = await this.callTool("wait_for_job", { job_id: jobId, timeout: 10 });
    if (waited.result?.isError) throw new Error(`Wait failed: ${JSON.stringify(waited)}`);
    const output = await this.callTool("get_job_output", { job_id: jobId });
    const stdout = output.result?.structuredContent?.stdout;
    if (stdout !== "still-alive\n") throw new Error(`Unexpected output: ${JSON.stringify(output)}`);
  }

  /**
   * Closes stdin (the server shuts down) and waits for the process to be gone; a server still
   * running 20 s later is killed and fails the test.
   */
  async close(): Promise<void> {
    try {
      await this.#writer.close();
    } catch {
      // Already closed when the server exited on its own; the checks below still run.
    }
    try {
      await exitWithin(this.#child.pid, "The raw stdio test server");
    } finally {
      await this.#child.status;
      await this.#reading;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #read(): Promise<void> {
    let pending = "";
    for await (const text of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += text;
      let newline;
      while ((newline = pending.indexOf("\n")) !== -1) {
        const reply: Reply = JSON.parse(pending.slice(0, newline));
        this.#arrival.set(reply, this.#arrived++);
        this.#replies.push(reply);
        pending = pending.slice(newline + 1);
      }
      this.#wake.resolve();
      this.#wake = Promise.withResolvers<void>();
    }
  }
}
