/**
 * Test harness: the real server (`main.ts`) in a child Deno process, driven by the SDK's
 * `Client` over a real stdio transport.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { exitWithin } from "./processes.ts";
import { DENO_RUN, MAIN } from "./server_entry.ts";
import { StderrLog } from "./stderr_log.ts";

/** How to start the server under test. */
export interface ServerOptions {
  /** Extra environment (e.g. `MCP_BG_*`), on top of the SDK's safe default environment. */
  readonly env?: Record<string, string>;
  /** Deno permission flags; default `["-A"]`. */
  readonly permissions?: readonly string[];
  /** Arguments after `main.ts`. */
  readonly args?: readonly string[];
  /** The entry point to run; default `main.ts`. */
  readonly entry?: string;
  /** A standalone executable (a compiled binary) to run with `args`, instead of `deno run`. */
  readonly command?: string;
  /** The server's working directory; default: the test's. */
  readonly cwd?: string;
  /** The client to connect (e.g. one that answers elicitations); default: a plain one. */
  readonly client?: Client;
}

/** A tool call's outcome, unpacked. */
export interface ToolOutcome<T = Record<string, unknown>> {
  readonly isError: boolean;
  /** The first text block. */
  readonly text: string;
  /** `structuredContent`, when the call succeeded. */
  readonly data: T;
}

/** A connected client with shortcuts for the server's tools, over any transport. */
export class ToolClient {
  readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  /** Calls tool `name` and unpacks the result; `options` carry e.g. `signal` or `onprogress`. */
  async call<T = Record<string, unknown>>(
    name: string,
    args: Record<string, unknown> = {},
    options?: RequestOptions,
  ): Promise<ToolOutcome<T>> {
    const result = await this.client.callTool({ name, arguments: args }, undefined, options);
    const content = result.content as { type: string; text?: string }[];
    return {
      isError: result.isError === true,
      text: content.find((block) => block.type === "text")?.text ?? "",
      data: result.structuredContent as T,
    };
  }

  /** Calls tool `name`, failing the test if it reports an error. */
  async ok<T = Record<string, unknown>>(
    name: string,
    args: Record<string, unknown> = {},
  ): Promise<T> {
    const outcome = await this.call<T>(name, args);
    if (outcome.isError) throw new Error(`${name} failed: ${outcome.text}`);
    return outcome.data;
  }

  /** Starts `command` and returns its job id. */
  async start(command: string): Promise<string> {
    return (await this.ok<{ job_id: string }>("execute_command", { command })).job_id;
  }

  /** Polls `get_job_status` until the job is no longer running. */
  async waitForEnd(jobId: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = await this.ok("get_job_status", { job_id: jobId });
      if (status.status !== "running") return status;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`Job ${jobId} still running after ${timeoutMs} ms`);
  }
  /** Polls `get_job_output` until `predicate` holds for it; returns that output. */
  async waitForOutput(
    jobId: string,
    predicate: (output: { stdout: string; stderr: string }) => boolean,
    timeoutMs = 10_000,
  ): Promise<{ stdout: string; stderr: string }> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      // Up to a mebibyte as written, so predicates see the bytes and not a budgeted view.
      const output = await this.ok<{ stdout: string; stderr: string }>("get_job_output", {
        job_id: jobId,
        max_bytes: 1024 * 1024,
        raw: true,
      });
      if (predicate(output)) return output;
      if (Date.now() > deadline) {
        throw new Error(`Job ${jobId} output never matched: ${JSON.stringify(output)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Waits until the job has printed a process id as its first line of stdout (a job such as
   * `sh -c "sleep 300 & echo $!; wait"` prints its grandchild's) and returns it.
   */
  async pidPrintedBy(jobId: string, timeoutMs = 20_000): Promise<number> {
    const printed = await this.waitForOutput(
      jobId,
      ({ stdout }) => /^\d+\n/.test(stdout),
      timeoutMs,
    );
    return Number.parseInt(printed.stdout);
  }
}

/** Proves the server still works after an attack: a new job starts, ends, and reads back. */
export async function assertStillWorking(client: ToolClient): Promise<void> {
  const id = await client.start("echo still-alive");
  await client.waitForEnd(id);
  const output = await client.ok<{ stdout: string }>("get_job_output", { job_id: id });
  if (output.stdout !== "still-alive\n") {
    throw new Error(`Unexpected output after the attack: ${JSON.stringify(output)}`);
  }
}

/** A connected client plus what the tests need to inspect the server process. */
export class TestServer extends ToolClient implements AsyncDisposable {
  readonly #transport: StdioClientTransport;
  readonly #stderr = new StderrLog("The stdio test server");

  private constructor(client: Client, transport: StdioClientTransport) {
    super(client);
    this.#transport = transport;
    const decoder = new TextDecoder();
    transport.stderr?.on("data", (chunk: Uint8Array) => {
      this.#stderr.append(decoder.decode(chunk, { stream: true }));
    });
    transport.stderr?.on("end", () => this.#stderr.end());
  }

  /** Starts the server (`main.ts` unless `options` say otherwise) and completes `initialize`. */
  static async start(options: ServerOptions = {}): Promise<TestServer> {
    const transport = new StdioClientTransport({
      command: options.command ?? Deno.execPath(),
      args: options.command ? [...(options.args ?? [])] : [
        ...DENO_RUN,
        ...(options.permissions ?? ["-A"]),
        options.entry ?? MAIN,
        ...(options.args ?? []),
      ],
      // Tests read jobs' descendants by host pid; containment tests ask for it explicitly.
      env: { NO_COLOR: "1", MCP_BG_CONTAINMENT: "off", ...options.env },
      cwd: options.cwd,
      stderr: "pipe",
    });
    const client = options.client ??
      new Client({ name: "mcp-background-job-tests", version: "1.0.0" });
    const server = new TestServer(client, transport);
    try {
      await client.connect(transport);
    } catch (error) {
      // The SDK's close ends stdin, then sends SIGTERM and SIGKILL if the server stays.
      await transport.close();
      throw new Error(`The stdio test server did not start; its stderr:\n${server.stderr}`, {
        cause: error,
      });
    }
    return server;
  }

  /** The server process id. */
  get pid(): number {
    const pid = this.#transport.pid;
    if (pid === null) throw new Error("Server process has no pid");
    return pid;
  }

  /** Everything the server wrote to stderr so far. */
  get stderr(): string {
    return this.#stderr.text;
  }

  /** Waits for a line of the server's stderr that matches `pattern` (see `StderrLog`). */
  waitForStderrLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray> {
    return this.#stderr.waitForLine(pattern, timeoutMs);
  }

  /**
   * Closes the client (the server sees end-of-file and shuts down) and waits for it to exit; a
   * server still running 20 s later is killed and fails the test.
   */
  async close(): Promise<void> {
    const pid = this.#transport.pid;
    await this.client.close();
    if (pid !== null) await exitWithin(pid, "The stdio test server");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
