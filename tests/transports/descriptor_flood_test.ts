import assert from "node:assert/strict";
import { HttpTestServer } from "../helpers/http_server.ts";
import { assertStillWorking } from "../helpers/mcp_client.ts";
import { isAlive } from "../helpers/processes.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { listen } from "../../lib/transports/listen.ts";
import { descriptorLimit } from "../../lib/jobs/descriptors.ts";

// The setting: a server under `ulimit -n 1024` and about 1,000 connections to it.
const SERVER_LIMIT = 1024;
// This test process needs a descriptor per connection too (and some for itself).
const FLOOD = Math.min(1000, (descriptorLimit() ?? 1024) - 200);

/** Opens `count` TCP connections to `port`, each first sending `greeting` (if any). */
async function flood(port: number, count: number, greeting = ""): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  const bytes = new TextEncoder().encode(greeting);
  try {
    for (let i = 0; i < count; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      if (bytes.length > 0) await conn.write(bytes);
    }
  } catch (error) {
    closeAll(conns);
    throw error;
  }
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // The server closed it first (an idle connection it let go).
    }
  }
}

/** Reads one response head from `conn`; returns its status code. */
async function statusOf(conn: Deno.Conn): Promise<number> {
  const buffer = new Uint8Array(2048);
  const read = await conn.read(buffer);
  const head = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
}

/** Floods a server run under `ulimit -n 1024` in one way, then checks it still does its work. */
async function survives(
  greeting: (port: number) => string,
  options: { env?: Record<string, string>; readAnswers?: boolean } = {},
): Promise<void> {
  await using server = await HttpTestServer.start({ fileLimit: SERVER_LIMIT, env: options.env });
  const conns = await flood(server.port, FLOOD, greeting(server.port));
  try {
    if (options.readAnswers) {
      for (const conn of conns) assert.equal(await statusOf(conn), 401);
    }
    // While every flood connection is still held open by the client, real work goes on.
    const client = await server.connect();
    await assertStillWorking(client);
    const { jobs } = await client.ok<{ jobs: unknown[] }>("list_jobs");
    assert.ok(jobs.length >= 1);
    assert.ok(isAlive(server.pid));
    assert.doesNotMatch(server.stderr, /Uncaught|Too many open files/);
  } finally {
    closeAll(conns);
  }
}

Deno.test(`${FLOOD} idle TCP connections under ulimit -n ${SERVER_LIMIT} do not end the server`, async () => {
  await survives(() => "");
});

Deno.test(`${FLOOD} half-sent HTTP requests do not end the server`, async () => {
  await survives((port) => `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Len`);
});

Deno.test(`${FLOOD} keep-alive clients that were answered do not end the server`, async () => {
  await survives((port) => `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, {
    readAnswers: true,
  });
});

Deno.test({
  name: `${FLOOD} idle connections do not end a server whose jobs are contained`,
  ignore: noContainment,
  async fn() {
    await survives(() => "", { env: { ...CONTAINED } });
  },
});

Deno.test("past the cap with every connection busy, a newcomer gets 503; the server goes on", async () => {
  const release = Promise.withResolvers<void>();
  const bothStarted = Promise.withResolvers<void>();
  const started: string[] = [];
  const { server, origin } = await listen("127.0.0.1", 0, async (request) => {
    started.push(new URL(request.url).pathname);
    if (started.length === 2) bothStarted.resolve();
    await release.promise;
    return new Response("done");
  }, { log: () => {}, onError: () => new Response("failed", { status: 500 }), maxConnections: 2 });
  const port = Number(new URL(origin).port);
  const busy = await flood(port, 2, `GET /busy HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  try {
    // Both requests are being answered before the third connection comes.
    await bothStarted.promise;
    const [late] = await flood(port, 1, `GET /late HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    try {
      assert.equal(await statusOf(late!), 503);
    } finally {
      closeAll([late!]);
    }
    release.resolve();
    for (const conn of busy) assert.equal(await statusOf(conn), 200);
    assert.deepEqual(started, ["/busy", "/busy"]);
  } finally {
    closeAll(busy);
    await server.shutdown();
  }
});

/** Starts jobs that hold their pipes until one cannot start; returns that call's outcome. */
async function startUntilRefused(env: Record<string, string>): Promise<void> {
  await using server = await HttpTestServer.start({
    fileLimit: 64,
    env: { MCP_BG_MAX_JOBS: "100", ...env },
  });
  const client = await server.connect();
  let refusal: { isError: boolean; text: string } | undefined;
  for (let i = 0; i < 100 && refusal === undefined; i++) {
    const outcome = await client.call("execute_command", { command: "sleep 300" });
    if (outcome.isError) refusal = outcome;
  }
  assert.ok(refusal !== undefined, "every job started under ulimit -n 64");
  assert.match(refusal.text, /out of file descriptors \(limit 64\)/);
  const { jobs } = await client.ok<{ jobs: { job_id: string }[] }>("list_jobs");
  for (const job of jobs) await client.ok("kill_job", { job_id: job.job_id });
  await assertStillWorking(client);
}

Deno.test("a job that cannot start for lack of descriptors is a clear tool error", async () => {
  await startUntilRefused({});
});

Deno.test({
  name: "a contained job that cannot start for lack of descriptors is a clear tool error",
  ignore: noContainment,
  async fn() {
    await startUntilRefused({ ...CONTAINED });
  },
});
