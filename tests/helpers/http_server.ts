/**
 * Test harness for the HTTP transport: the real server (`main.ts --http --port 0`) in a child Deno
 * process, SDK clients over real Streamable HTTP, and raw requests for the checks clients never make.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolClient } from "./mcp_client.ts";
import { exitWithin, killIfAlive } from "./processes.ts";
import { DENO_RUN, MAIN } from "./server_entry.ts";
import { StderrLog } from "./stderr_log.ts";

const READY = /ready on (http:\/\/\S+\/mcp);/;
// The last start-up line: by then the token line (or the no-token warning) is out too.
const CONSOLE_LINE = /\] console: \S+/;
const GENERATED_TOKEN = /Authorization: Bearer ([A-Za-z0-9_-]+)"/;

/** How to start the HTTP server under test. */
export interface HttpServerOptions {
  /** Extra environment (e.g. `MCP_BG_HTTP_TOKEN`). */
  readonly env?: Record<string, string>;
  /** Arguments after `main.ts --http --port 0`. */
  readonly args?: readonly string[];
  /** A file descriptor limit (`ulimit -n`) to start the server under. */
  readonly fileLimit?: number;
}

/** The token a server started with `env` uses: the one set, or the one its start-up line shows. */
function tokenOf(env: Record<string, string>, stderr: string): string | undefined {
  if (env.MCP_BG_HTTP_TOKEN) return env.MCP_BG_HTTP_TOKEN;
  if (env.MCP_BG_HTTP_TOKEN_FILE) return Deno.readTextFileSync(env.MCP_BG_HTTP_TOKEN_FILE).trim();
  return GENERATED_TOKEN.exec(stderr)?.[1];
}

/** An SDK client connected over Streamable HTTP. */
export class HttpClient extends ToolClient {
  readonly transport: StreamableHTTPClientTransport;

  constructor(client: Client, transport: StreamableHTTPClientTransport) {
    super(client);
    this.transport = transport;
  }

  /** The session id the server gave this client. */
  get sessionId(): string {
    const id = this.transport.sessionId;
    if (id === undefined) throw new Error("Client has no session");
    return id;
  }
}

/** The server process, its endpoint, and the clients a test connected to it. */
export class HttpTestServer implements AsyncDisposable {
  readonly url: string;
  /** The token requests need (`undefined` with `MCP_BG_HTTP_NO_TOKEN`). */
  readonly token: string | undefined;
  /** Where the server keeps a generated token: a fresh private directory per test server. */
  readonly runtimeDir: string;
  readonly #child: Deno.ChildProcess;
  readonly #stderrDone: Promise<void>;
  readonly #clients: HttpClient[] = [];
  readonly #stderr: StderrLog;

  private constructor(
    url: string,
    runtime: { token: string | undefined; dir: string },
    child: Deno.ChildProcess,
    stderr: StderrLog,
    stderrDone: Promise<void>,
  ) {
    this.url = url;
    this.token = runtime.token;
    this.runtimeDir = runtime.dir;
    this.#child = child;
    this.#stderr = stderr;
    this.#stderrDone = stderrDone;
  }

  /** Starts `main.ts --http --port 0` and waits for its ready line. */
  static async start(options: HttpServerOptions = {}): Promise<HttpTestServer> {
    // A generated token goes to $XDG_RUNTIME_DIR: one of the test's own, not the user's.
    const dir = Deno.makeTempDirSync({ prefix: "mcp-bg-runtime-" });
    const env = {
      NO_COLOR: "1",
      // Tests read jobs' descendants by host pid; containment tests ask for it explicitly.
      MCP_BG_CONTAINMENT: "off",
      XDG_RUNTIME_DIR: dir,
      ...options.env,
    };
    const deno = [
      Deno.execPath(),
      ...DENO_RUN,
      "-A",
      MAIN,
      "--http",
      "--port",
      "0",
      ...(options.args ?? []),
    ];
    // The shell lowers the limit and becomes the server (exec): the child's pid is the server's.
    const limited = options.fileLimit === undefined
      ? deno
      : ["sh", "-c", `ulimit -n ${options.fileLimit} && exec "$@"`, "sh", ...deno];
    const child = new Deno.Command(limited[0]!, {
      args: limited.slice(1),
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new StderrLog("The HTTP test server");
    const stderrDone = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        stderr.append(chunk);
      }
      stderr.end();
    })();
    try {
      const [, url] = await stderr.waitForLine(READY, 30_000);
      await stderr.waitForLine(CONSOLE_LINE, 30_000);
      const token = tokenOf(env, stderr.text);
      return new HttpTestServer(url!, { token, dir }, child, stderr, stderrDone);
    } catch (error) {
      killIfAlive(child.pid);
      await child.status;
      await stderrDone;
      Deno.removeSync(dir, { recursive: true });
      throw error;
    }
  }

  /** The server process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The port the server listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Everything the server wrote to stderr so far. */
  get stderr(): string {
    return this.#stderr.text;
  }

  /** Waits for a line of the server's stderr that matches `pattern` (see `StderrLog`). */
  waitForStderrLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray> {
    return this.#stderr.waitForLine(pattern, timeoutMs);
  }

  /** `Authorization: Bearer <token>`, or nothing for a server without a token. */
  get authHeaders(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }

  /**
   * Connects a new SDK client (a new session), sending `headers` with every request, and the
   * server's token unless `headers` has an `authorization` of its own or `withToken` is false;
   * `client` replaces the plain one (e.g. one that answers elicitations).
   */
  async connect(
    headers: Record<string, string> = {},
    given?: Client,
    { withToken = true } = {},
  ): Promise<HttpClient> {
    const own = !withToken ||
      Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
    const transport = new StreamableHTTPClientTransport(new URL(this.url), {
      requestInit: { headers: own ? headers : { ...this.authHeaders, ...headers } },
    });
    const client = given ??
      new Client({ name: "mcp-background-job-http-tests", version: "1.0.0" });
    await client.connect(transport);
    const connected = new HttpClient(client, transport);
    this.#clients.push(connected);
    return connected;
  }

  /**
   * Sends SIGTERM and waits until the server has exited; returns its exit code. A server still
   * running 20 s later is killed and fails the test.
   */
  async stop(): Promise<number> {
    const clients = this.#clients.splice(0);
    try {
      for (const connected of clients) await connected.client.close();
    } finally {
      this.#terminate();
      try {
        await exitWithin(this.#child.pid, "The HTTP test server");
      } finally {
        await this.#child.status;
        await this.#stderrDone;
        await Deno.remove(this.runtimeDir, { recursive: true }).catch((error) => {
          // A second stop finds it removed already.
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
      }
    }
    return (await this.#child.status).code;
  }

  /** Sends SIGTERM, unless the server already exited (a test may have stopped it before). */
  #terminate(): void {
    try {
      this.#child.kill("SIGTERM");
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** The `initialize` request a raw client sends. */
export const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1.0.0" },
  },
});

/** Headers every raw MCP POST needs. */
export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** Opens a session with a raw `initialize`; returns its id. */
export async function rawInitialize(
  url: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...headers },
    body: INITIALIZE,
  });
  await response.text();
  assert.equal(response.status, 200);
  const id = response.headers.get("mcp-session-id");
  assert.ok(id, "initialize returned no session id");
  return id;
}

/**
 * Opens session `id`'s event stream (HTTP GET): while it is open the server counts the session as
 * in use, never idle, however long the test takes. Cancel its body to close it.
 */
export async function openEventStream(
  url: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", "mcp-session-id": id, ...headers },
  });
  if (response.status !== 200) await response.body?.cancel();
  assert.equal(response.status, 200);
  return response;
}

/**
 * Sends one HTTP/1.1 request over a plain TCP connection, so the `Host` header is exactly
 * `host` (`fetch` always derives it from the URL). Returns the status code.
 */
export async function rawStatus(
  port: number,
  host: string,
  body = INITIALIZE,
  headers: Record<string, string> = {},
): Promise<number> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = [
      "POST /mcp HTTP/1.1",
      `Host: ${host}`,
      "Content-Type: application/json",
      "Accept: application/json, text/event-stream",
      `Content-Length: ${new TextEncoder().encode(body).length}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      "Connection: close",
      "",
      body,
    ].join("\r\n");
    await connection.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(1024);
    const read = await connection.read(buffer);
    const head = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
    if (match === null) throw new Error(`Not an HTTP response: ${JSON.stringify(head)}`);
    return Number(match[1]);
  } finally {
    connection.close();
  }
}
