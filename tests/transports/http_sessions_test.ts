import assert from "node:assert/strict";
import {
  HttpTestServer,
  INITIALIZE,
  MCP_HEADERS,
  openEventStream,
} from "../helpers/http_server.ts";
import { residentBytes } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const BUSY = /^Server busy: 3 sessions are open, the most MCP_BG_HTTP_MAX_SESSIONS allows; /;

/** A raw `initialize`: the status, the JSON body and the session id, if one was opened. */
async function initialize(server: HttpTestServer) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...server.authHeaders },
    body: INITIALIZE,
  });
  const text = await response.text();
  return { status: response.status, text, id: response.headers.get("mcp-session-id") };
}

/** Ends session `id` the way a client does (HTTP DELETE). */
async function endSession(server: HttpTestServer, id: string): Promise<void> {
  const response = await fetch(server.url, {
    method: "DELETE",
    headers: { ...server.authHeaders, "mcp-session-id": id },
  });
  await response.body?.cancel();
  assert.equal(response.status, 200);
}

/** Asserts `text` is a JSON-RPC error saying the server is full. */
function assertBusy(text: string): void {
  const body = JSON.parse(text);
  assert.equal(body.jsonrpc, "2.0");
  // The refused request was `initialize` with id 1: the answer names it.
  assert.equal(body.id, 1);
  assert.equal(body.error.code, -32000);
  assert.match(body.error.message, BUSY);
}

Deno.test("MCP_BG_HTTP_MAX_SESSIONS: a session past the cap gets 503 and a JSON-RPC error; open ones carry on", async () => {
  await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_MAX_SESSIONS: "3" } });
  const alice = await server.connect();
  const bob = await server.connect();
  const carol = await server.connect();
  // An SDK client is refused with the server's words.
  await assert.rejects(server.connect(), (error: Error & { code?: number }) => {
    assert.equal(error.code, 503);
    assert.match(error.message, /Server busy: 3 sessions are open/);
    return true;
  });
  // So is a raw one, however many try at once.
  const burst = await Promise.all(Array.from({ length: 8 }, () => initialize(server)));
  for (const refused of burst) {
    assert.equal(refused.status, 503);
    assert.equal(refused.id, null);
    assertBusy(refused.text);
  }
  // The sessions already open are served as before.
  const id = await alice.start("echo still served");
  await bob.waitForEnd(id);
  assert.equal((await carol.ok("get_job_output", { job_id: id })).stdout, "still served\n");
  assert.match(server.stderr, /session refused: 3 already open/);

  // Ending one frees exactly one place, even for a burst.
  await endSession(server, bob.sessionId);
  const race = await Promise.all(Array.from({ length: 6 }, () => initialize(server)));
  assert.deepEqual(race.map((r) => r.status).sort(), [200, 503, 503, 503, 503, 503]);
  const winner = race.find((r) => r.status === 200)!;
  assert.ok(winner.id);
  await endSession(server, winner.id);
  const dave = await server.connect();
  const job = await dave.start("echo after the cap");
  await dave.waitForEnd(job);
  assert.equal((await dave.ok("get_job_output", { job_id: job })).stdout, "after the cap\n");
});

Deno.test("MCP_BG_HTTP_MAX_SESSIONS: a session closed for idleness frees its place", async () => {
  await using server = await HttpTestServer.start({
    env: { MCP_BG_HTTP_MAX_SESSIONS: "1" },
    args: ["--idle-timeout", "0.5"],
  });
  const first = await initialize(server);
  assert.equal(first.status, 200);
  assert.ok(first.id);
  // While its event stream is open the session is in use, never idle, however long this takes.
  const stream = await openEventStream(server.url, first.id, server.authHeaders);
  try {
    assert.equal((await initialize(server)).status, 503);
    assert.doesNotMatch(server.stderr, new RegExp(`session ${first.id} closed`));
  } finally {
    await stream.body?.cancel();
  }
  await server.waitForStderrLine(new RegExp(`session ${first.id} closed \\(idle`));
  const client = await server.connect();
  const id = await client.start("echo idle place reused");
  await client.waitForEnd(id);
  assert.equal((await client.ok("get_job_output", { job_id: id })).stdout, "idle place reused\n");
});

Deno.test("MCP_BG_HTTP_MAX_SESSIONS is validated at start like every setting", async () => {
  for (const value of ["0", "-1", "many", "100001"]) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...DENO_RUN, "-A", MAIN, "--http"],
      env: { MCP_BG_HTTP_MAX_SESSIONS: value },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 2, value);
    assert.match(
      new TextDecoder().decode(stderr),
      new RegExp(`Invalid MCP_BG_HTTP_MAX_SESSIONS="${value}": expected a whole number from 1`),
    );
  }
});

Deno.test("sessions share the tools' schemas: each costs a fraction of what it did", async () => {
  await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_MAX_SESSIONS: "1000" } });
  for (let i = 0; i < 20; i++) await initialize(server);
  const before = residentBytes(server.pid);
  const count = 300;
  for (let i = 0; i < count; i++) assert.equal((await initialize(server)).status, 200);
  const each = (residentBytes(server.pid) - before) / count;
  // Measured with 2,000 sessions: 270 KiB each with the schemas built per session, 68 KiB shared.
  assert.ok(each < 160 * 1024, `${Math.round(each / 1024)} KiB per session`);
});
