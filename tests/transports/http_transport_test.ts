import assert from "node:assert/strict";
import {
  HttpTestServer,
  INITIALIZE,
  MCP_HEADERS,
  openEventStream,
  rawInitialize,
  rawStatus,
} from "../helpers/http_server.ts";
import { NotificationLog } from "../helpers/notifications.ts";
import { isAlive, waitUntilGone } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

/** A raw `ping` in session `id`; returns the status code. */
async function rawPing(url: string, id: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...MCP_HEADERS, "mcp-session-id": id, ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
  });
  await response.text();
  return response.status;
}

Deno.test("two HTTP clients share one job table and each other's notifications", async () => {
  await using server = await HttpTestServer.start();
  const alice = await server.connect();
  const bob = await server.connect();
  assert.notEqual(alice.sessionId, bob.sessionId);
  const bobSees = new NotificationLog(bob.client);
  const aliceSees = new NotificationLog(alice.client);
  await bob.client.setLoggingLevel("info");

  const bobFrom = bobSees.mark();
  const aliceFrom = aliceSees.mark();
  const id = await alice.start("echo shared");
  await bobSees.waitFor(bobFrom, "notifications/resources/list_changed");
  await bobSees.waitFor(bobFrom, "notifications/message", (n) => n.params.data.job_id === id);
  const { jobs } = await bob.ok<{ jobs: { job_id: string }[] }>("list_jobs");
  assert.deepEqual(jobs.map((job) => job.job_id), [id]);
  await bob.waitForEnd(id);
  const output = await bob.ok("get_job_output", { job_id: id });
  assert.equal(output.stdout, "shared\n");
  const { contents } = await alice.client.readResource({ uri: `job://${id}/stdout` });
  assert.equal((contents[0] as { text: string }).text, "shared\n");
  assert.match(server.stderr, new RegExp(`session ${alice.sessionId} opened`));
  // Alice never set a log level: she gets the resource notifications but no log messages.
  await aliceSees.waitFor(aliceFrom, "notifications/resources/list_changed");
  assert.deepEqual(aliceSees.of("notifications/message"), []);
});

Deno.test("an HTTP client subscribed to a job gets resources/updated when it ends", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const log = new NotificationLog(client.client);
  const id = await client.start("sh -c 'echo started; read stop'");
  await client.waitForOutput(id, ({ stdout }) => stdout === "started\n");
  const uri = `job://${id}/status`;
  // Subscribed while the job is silent, the next update of its status is the end itself.
  await client.client.subscribeResource({ uri });
  const from = log.mark();
  await client.ok("interact_with_job", { job_id: id, input: "stop" });
  await log.waitFor(from, "notifications/resources/updated", (n) => n.params.uri === uri);
  const { contents } = await client.client.readResource({ uri });
  const status = JSON.parse((contents[0] as { text: string }).text).status;
  assert.equal(status, "completed");
});

Deno.test("a foreign Origin or Host is refused with 403", async () => {
  await using server = await HttpTestServer.start();
  const auth = server.authHeaders;
  for (
    const origin of ["http://evil.example", "null", `http://localhost.evil.example:${server.port}`]
  ) {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { ...MCP_HEADERS, origin },
      body: INITIALIZE,
    });
    assert.equal(response.status, 403, `origin ${origin}`);
    assert.match((await response.json()).error.message, /origin/);
  }
  await rawInitialize(server.url, { ...auth, origin: `http://localhost:${server.port}` });
  await rawInitialize(server.url, { ...auth, origin: `http://127.0.0.1:${server.port}` });

  assert.equal(await rawStatus(server.port, "evil.example"), 403);
  assert.equal(await rawStatus(server.port, `evil.example:${server.port}`), 403);
  assert.equal(await rawStatus(server.port, "127.0.0.1:1"), 403);
  assert.equal(await rawStatus(server.port, `localhost:${server.port}`, INITIALIZE, auth), 200);
  assert.equal(await rawStatus(server.port, `[::1]:${server.port}`, INITIALIZE, auth), 200);
  // Spellings of this machine that a rebinding page could produce are refused too.
  const port = server.port;
  for (
    const host of [
      `localhost.:${port}`,
      `127.0.0.1.:${port}`,
      `127.1:${port}`,
      `127.0.0.2:${port}`,
      `[0:0:0:0:0:0:0:1]:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `localhost:0${port}`,
      `evil@127.0.0.1:${port}`,
      "localhost",
      "",
    ]
  ) assert.equal(await rawStatus(port, host), 403, `host ${host}`);
  // A Host that makes no URL is a bad request, not a server error.
  assert.equal(await rawStatus(port, `127.0.0.1:${port},evil.example`), 400);
});

Deno.test("with MCP_BG_HTTP_TOKEN set, requests need the bearer token", async () => {
  const token = "s3cret-token-for-tests";
  await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: token } });
  for (const authorization of [undefined, "Bearer wrong", `Basic ${token}`, "Bearer "]) {
    const headers: Record<string, string> = { ...MCP_HEADERS };
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await fetch(server.url, { method: "POST", headers, body: INITIALIZE });
    await response.text();
    assert.equal(response.status, 401, `authorization ${authorization}`);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
  }
  const id = await rawInitialize(server.url, { authorization: `Bearer ${token}` });
  assert.equal(await rawPing(server.url, id), 401);
  assert.equal(await rawPing(server.url, id, { authorization: `Bearer ${token}` }), 200);

  const client = await server.connect({ authorization: `Bearer ${token}` });
  const job = await client.start("echo authorised");
  assert.equal((await client.waitForEnd(job)).status, "completed");
  await assert.rejects(server.connect({}, undefined, { withToken: false }), /401|Unauthorized/);
});

Deno.test("DELETE ends a session; a request in it then gets 404", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const id = client.sessionId;
  const auth = server.authHeaders;
  assert.equal(await rawPing(server.url, id, auth), 200);
  await client.transport.terminateSession();
  assert.equal(await rawPing(server.url, id, auth), 404);
  assert.match(server.stderr, new RegExp(`session ${id} closed`));

  const raw = await rawInitialize(server.url, auth);
  const response = await fetch(server.url, {
    method: "DELETE",
    headers: { ...auth, "mcp-session-id": raw },
  });
  await response.text();
  assert.equal(response.status, 200);
  assert.equal(await rawPing(server.url, raw, auth), 404);
});

Deno.test("an idle session is closed after --idle-timeout", async () => {
  await using server = await HttpTestServer.start({ args: ["--idle-timeout", "1"] });
  const auth = server.authHeaders;
  const id = await rawInitialize(server.url, auth);
  // A session whose event stream stays open is in use: it outlives the idle one.
  const busy = await rawInitialize(server.url, auth);
  const stream = await openEventStream(server.url, busy, auth);
  try {
    await server.waitForStderrLine(new RegExp(`session ${id} closed \\(idle`));
    assert.equal(await rawPing(server.url, id, auth), 404);
    assert.equal(await rawPing(server.url, busy, auth), 200);
    assert.doesNotMatch(server.stderr, new RegExp(`session ${busy} closed`));
  } finally {
    await stream.body?.cancel();
  }
});

Deno.test("requests outside /mcp or without a session are refused", async () => {
  await using server = await HttpTestServer.start();
  const auth = server.authHeaders;
  const other = await fetch(new URL("/other", server.url), {
    method: "POST",
    headers: auth,
    body: INITIALIZE,
  });
  await other.text();
  assert.equal(other.status, 404);
  const get = await fetch(server.url, { headers: { ...auth, accept: "text/event-stream" } });
  await get.text();
  assert.equal(get.status, 400);
  assert.equal(await rawPing(server.url, "no-such-session", auth), 404);
  // A first message that is not initialize opens no session.
  const ping = await fetch(server.url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...auth },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await ping.text();
  assert.equal(ping.status, 400);
  assert.equal(ping.headers.get("mcp-session-id"), null);
});

Deno.test("stopping the HTTP server ends every job and closes every session", async () => {
  const server = await HttpTestServer.start();
  try {
    const client = await server.connect();
    const id = await client.start("sh -c 'sleep 300 & sleep 300'");
    const { pid } = await client.ok<{ pid: number }>("get_job_status", { job_id: id });
    assert.ok(isAlive(pid));
    assert.equal(await server.stop(), 0);
    await waitUntilGone(pid, 10_000);
    assert.ok(!isAlive(server.pid));
    assert.match(server.stderr, /stopping 1 running job/);
    assert.match(server.stderr, /closed \(server shutting down\)/);
  } finally {
    await server.stop();
  }
});

Deno.test("binding a non-loopback address without a token is refused at start", async () => {
  const refused = await new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "-A", MAIN, "--http", "--host", "0.0.0.0", "--port", "0"],
    env: { NO_COLOR: "1", MCP_BG_HTTP_TOKEN: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(refused.code, 2);
  const message = new TextDecoder().decode(refused.stderr);
  assert.match(message, /cannot start: Invalid --host="0\.0\.0\.0".*MCP_BG_HTTP_TOKEN/);

  const badPort = await new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "-A", MAIN, "--http", "--port", "70000"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(badPort.code, 2);
  assert.match(new TextDecoder().decode(badPort.stderr), /Invalid --port="70000"/);
});
