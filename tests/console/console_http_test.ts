import assert from "node:assert/strict";
import { HttpTestServer } from "../helpers/http_server.ts";
import { TestServer } from "../helpers/mcp_client.ts";
import { delay, run, waitUntilGone } from "../helpers/processes.ts";
import { MAX_EVENT_STREAMS } from "../../lib/console/web_console.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const ACTION = { "x-mcp-bg-console": "1" };

/** Sends a request with exactly these headers over a plain TCP connection; returns the status. */
async function rawRequest(port: number, lines: string[]): Promise<number> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = [...lines, "Connection: close", "", ""].join("\r\n");
    await connection.write(new TextEncoder().encode(head));
    const buffer = new Uint8Array(512);
    const read = await connection.read(buffer);
    const text = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  } finally {
    connection.close();
  }
}

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
}

/** The page key a login page stores for its origin. */
function pageKeyOf(loginPage: string): string {
  const key = /<meta name="mcp-bg-console-key" content="([\w-]{43})">/.exec(loginPage)?.[1];
  assert.ok(key !== undefined, loginPage);
  return key;
}

/**
 * Browsers send the session cookie to every port of the host, so a process on another port can
 * obtain it: alone it opens the page, never the jobs, their output or an action. With the page
 * key (kept in the console origin's own storage) it does.
 */
async function assertCookieAloneOpensNoData(origin: string, cookie: string, key: string) {
  const client = { headers: { cookie } };
  const withKey = { headers: { cookie, "x-mcp-bg-console-key": key } };
  const action = { method: "POST", headers: { ...ACTION, cookie } };
  assert.equal(await status(origin + "/console/events", client), 401);
  assert.equal(await status(origin + "/console/events?key=", client), 401);
  assert.equal(await status(origin + "/console/events?key=" + "A".repeat(43), client), 401);
  assert.equal(await status(origin + "/console/jobs/none/kill", action), 401);
  // The key without the cookie, or with another session's cookie, opens nothing either.
  assert.equal(await status(origin + "/console/events?key=" + key), 401);
  const other = cookie.replace(/=.*/, "=" + "B".repeat(43));
  assert.equal(
    await status(`${origin}/console/events?key=${key}`, { headers: { cookie: other } }),
    401,
  );
  assert.equal(await status(`${origin}/console/events?key=${key}`, client), 200);
  assert.equal(await status(origin + "/console/events", withKey), 200);
  const keyed = { method: "POST", headers: { ...ACTION, ...withKey.headers } };
  assert.equal(await status(origin + "/console/jobs/none/kill", keyed), 404);
}

Deno.test("the console page is served at / with a strict content security policy", async () => {
  await using server = await HttpTestServer.start();
  const origin = new URL(server.url).origin;
  const response = await fetch(origin + "/", { headers: server.authHeaders });
  const html = await response.text();
  assert.equal(response.status, 200);
  assert.match(html, /<script type="module" src="\/console\/app\.js">/);
  const csp = response.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers.get("x-frame-options"), "DENY");
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  for (const path of ["/console/app.js", "/console/app.css"]) {
    assert.equal(await status(origin + path, { headers: server.authHeaders }), 200);
  }
  assert.equal(await status(origin + "/console/nothing", { headers: server.authHeaders }), 404);
});

Deno.test("the console refuses foreign origins, rebound hosts and cross-site fetches", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const id = await client.start("sleep 30");
  const origin = new URL(server.url).origin;
  const kill = `${origin}/console/jobs/${id}/kill`;
  for (const foreign of ["http://evil.example", "null", `http://127.0.0.1:${server.port + 1}`]) {
    assert.equal(await status(origin + "/", { headers: { origin: foreign } }), 403);
    assert.equal(await status(origin + "/console/events", { headers: { origin: foreign } }), 403);
    assert.equal(
      await status(kill, { method: "POST", headers: { ...ACTION, origin: foreign } }),
      403,
    );
  }
  for (const host of ["evil.example", `evil.example:${server.port}`, "127.0.0.1:1"]) {
    assert.equal(await rawRequest(server.port, ["GET / HTTP/1.1", `Host: ${host}`]), 403);
    assert.equal(
      await rawRequest(server.port, [`POST /console/jobs/${id}/kill HTTP/1.1`, `Host: ${host}`]),
      403,
    );
  }
  for (const site of ["cross-site", "same-site"]) {
    const headers = { ...ACTION, ...server.authHeaders, "sec-fetch-site": site };
    assert.equal(await status(kill, { method: "POST", headers }), 403);
    assert.equal(await status(origin + "/console/events", { headers }), 403);
  }
  const { status: jobStatus } = await client.ok<{ status: string }>("get_job_status", {
    job_id: id,
  });
  assert.equal(jobStatus, "running");
  await client.ok("kill_job", { job_id: id });
});

Deno.test("a console action needs POST and the console header; GET changes nothing", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const id = await client.start("sleep 30");
  const { pid } = await client.ok<{ pid: number }>("get_job_status", { job_id: id });
  const base = `${new URL(server.url).origin}/console/jobs/${id}`;
  const act = { ...ACTION, ...server.authHeaders };
  assert.equal(await status(`${base}/kill`, { headers: server.authHeaders }), 405);
  assert.equal(await status(`${base}/signal/SIGTERM`, { headers: server.authHeaders }), 405);
  assert.equal(await status(`${base}/kill`, { method: "POST", headers: server.authHeaders }), 403);
  assert.equal(
    await status(`${base}/kill`, {
      method: "POST",
      headers: { ...act, "x-mcp-bg-console": "0" },
    }),
    403,
  );
  assert.equal(await status(`${base}/signal/SIGSTOP`, { method: "POST", headers: act }), 400);
  assert.equal(
    (await client.ok<{ status: string }>("get_job_status", { job_id: id })).status,
    "running",
  );

  const signal = await fetch(`${base}/signal/SIGTERM`, { method: "POST", headers: act });
  assert.deepEqual(await signal.json(), { status: "sent" });
  const ended = await client.waitForEnd(id);
  assert.equal(ended.signal, "SIGTERM");
  await waitUntilGone(pid);
  const late = await fetch(`${base}/signal/SIGINT`, { method: "POST", headers: act });
  assert.equal(late.status, 409);
  assert.match((await late.json()).error, /is not running \(status failed\)/);
  const again = await fetch(`${base}/kill`, { method: "POST", headers: act });
  assert.deepEqual(await again.json(), { status: "already_terminated" });
  const missing = await fetch(`${new URL(server.url).origin}/console/jobs/nope/kill`, {
    method: "POST",
    headers: act,
  });
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("with a token, the console needs the bearer header or a one-time link's cookie", async () => {
  await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: "s3cret" } });
  const client = await server.connect({ authorization: "Bearer s3cret" });
  const origin = new URL(server.url).origin;
  assert.equal(await status(origin + "/"), 401);
  assert.equal(await status(origin + "/console/events"), 401);
  assert.equal(await status(origin + "/", { headers: { authorization: "Bearer wrong" } }), 401);
  assert.equal(await status(origin + "/", { headers: { authorization: "Bearer s3cret" } }), 200);
  await server.waitForStderrLine(/console: http:\/\/127\.0\.0\.1:\d+\/console\/login\?code=/);

  const link = (await client.ok<{ url: string }>("console_url")).url;
  for (const forged of ["", "?code=", "?code=guess", `?code=${"A".repeat(43)}`]) {
    assert.equal(await status(`${origin}/console/login${forged}`), 403);
  }
  const login = await fetch(link);
  const loginPage = await login.text();
  assert.equal(login.status, 200);
  const setCookie = login.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /^mcp_bg_console_\d+=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
  const cookie = setCookie.split(";")[0]!;
  assert.equal(await status(link), 403, "a login link works once");
  assert.equal(await status(origin + "/", { headers: { cookie } }), 200);
  assert.equal(await status(origin + "/", { headers: { cookie: cookie + "x" } }), 401);
  await assertCookieAloneOpensNoData(origin, cookie, pageKeyOf(loginPage));
  // The cookie is the console's only: the MCP endpoint still wants the token.
  const mcp = await fetch(server.url, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await mcp.body?.cancel();
  assert.equal(mcp.status, 401);
  // A foreign origin is refused even with a valid cookie.
  assert.equal(
    await status(origin + "/", { headers: { cookie, origin: "http://evil.example" } }),
    403,
  );
});

Deno.test("the console's events stream lists jobs and sends a job's output as it arrives", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const id = await client.start("sh -c 'echo first; read line; echo \"got $line\"'");
  await client.waitForOutput(id, (o) => o.stdout.includes("first"));
  const response = await fetch(`${new URL(server.url).origin}/console/events?job=${id}`, {
    headers: server.authHeaders,
  });
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Stream ended before ${pattern}: ${text}`);
      text += value;
    }
  };
  await until(/event: output\ndata: .*"text":"first\\n"/);
  assert.match(text, new RegExp(`event: jobs\\ndata: .*"job_id":"${id}"`));
  await client.ok("interact_with_job", { job_id: id, input: "go\n" });
  await until(/"text":"got go\\n"/);
  await until(/"status":"completed"/);
  await reader.cancel();
});

Deno.test("open console event streams are capped; a closed one makes room", async () => {
  await using server = await HttpTestServer.start();
  const events = `${new URL(server.url).origin}/console/events`;
  const open: Response[] = [];
  try {
    for (let i = 0; i < MAX_EVENT_STREAMS; i++) {
      const response = await fetch(events, { headers: server.authHeaders });
      assert.equal(response.status, 200);
      open.push(response);
    }
    const refused = await fetch(events, { headers: server.authHeaders });
    assert.equal(refused.status, 503);
    assert.match((await refused.json()).error, /^Busy: 64 console pages are open/);
    await open.pop()!.body!.cancel();
    // The server sees the cancelled stream go once the connection closes.
    let status = 503;
    for (const deadline = Date.now() + 20_000; status === 503 && Date.now() < deadline;) {
      await delay(20);
      status = await (async () => {
        const response = await fetch(events, { headers: server.authHeaders });
        if (response.status === 200) open.push(response);
        else await response.body?.cancel();
        return response.status;
      })();
    }
    assert.equal(status, 200);
  } finally {
    for (const response of open) await response.body?.cancel();
  }
});

Deno.test("--console over stdio serves the console on loopback behind one-time links", async () => {
  await using server = await TestServer.start({ args: ["--console"] });
  const link = (await server.ok<{ url: string }>("console_url")).url;
  const url = new URL(link);
  assert.equal(url.hostname, "127.0.0.1");
  assert.equal(url.pathname, "/console/login");
  assert.equal(await status(url.origin + "/"), 401);
  assert.equal(await status(url.origin + "/mcp"), 404);
  const login = await fetch(link);
  const key = pageKeyOf(await login.text());
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  assert.equal(await status(url.origin + "/", { headers: { cookie } }), 200);
  await assertCookieAloneOpensNoData(url.origin, cookie, key);
  const foreign = { cookie, origin: "http://x.example" };
  assert.equal(await status(url.origin + "/", { headers: foreign }), 403);
  await server.waitForStderrLine(/console: http:\/\/127\.0\.0\.1:\d+\/console\/login\?code=/);
});

Deno.test("a console's cookie and key open nothing on another server of the same host", async () => {
  // Cookies are not scoped to a port: the browser sends the --console server's cookie to an
  // --http server on the same host too. Each server keeps its own sessions.
  await using stdio = await TestServer.start({ args: ["--console"] });
  await using http = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: "s3cret" } });
  const login = await fetch((await stdio.ok<{ url: string }>("console_url")).url);
  const key = pageKeyOf(await login.text());
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const other = new URL(http.url).origin;
  // The same value under the other server's cookie name too, as a forger would try.
  const renamed = cookie.replace(/^mcp_bg_console_\d+=/, `mcp_bg_console_${http.port}=`);
  for (const sent of [cookie, renamed]) {
    const headers = { cookie: sent, "x-mcp-bg-console-key": key };
    assert.equal(await status(other + "/", { headers }), 401);
    assert.equal(await status(`${other}/console/events?key=${key}`, { headers }), 401);
  }
});

Deno.test("a one-time link opened many times at once signs in exactly once", async () => {
  await using server = await TestServer.start({ args: ["--console"] });
  const link = (await server.ok<{ url: string }>("console_url")).url;
  const statuses = await Promise.all(Array.from({ length: 20 }, () => status(link)));
  assert.deepEqual(statuses.filter((code) => code === 200), [200]);
  assert.equal(statuses.filter((code) => code === 403).length, 19);
  // A link's code is no key: it opens nothing when sent as one.
  const code = new URL(link).searchParams.get("code")!;
  assert.equal(await status(`${new URL(link).origin}/console/events?key=${code}`), 401);
});

Deno.test("console_url is offered only when there is a console", async () => {
  await using server = await TestServer.start();
  const { tools } = await server.client.listTools();
  assert.equal(tools.some((tool) => tool.name === "console_url"), false);
});

Deno.test("--console with --http is a usage error: the console is at / there", async () => {
  for (const args of [["--console", "--http"], ["--http", "--console"]]) {
    const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, ...args]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--console does nothing with --http; leave one of them out/);
  }
});

Deno.test("with the generated token, the bare console address says how to sign in, and the start-up link signs in", async () => {
  await using server = await HttpTestServer.start();
  const origin = new URL(server.url).origin;
  const bare = await fetch(origin + "/");
  assert.equal(bare.status, 401);
  assert.match(await bare.text(), /needs a sign-in link: open the "console:" link/);
  assert.equal(await status(origin + "/console/events"), 401);
  const link = /console: (http:\S+\/console\/login\?code=[\w-]{43})/.exec(server.stderr)?.[1];
  assert.ok(link !== undefined, server.stderr);
  const login = await fetch(link);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  await assertCookieAloneOpensNoData(origin, cookie, pageKeyOf(await login.text()));
});
