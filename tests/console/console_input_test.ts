/**
 * Typing into a tty job from the console (`MCP_BG_CONSOLE_INPUT=on`), over HTTP without a browser:
 * the keys reach the job's terminal only with the session's cookie, its page key, the action header
 * and a same-origin request, and never when the setting is off.
 */
import assert from "node:assert/strict";
import { HttpTestServer } from "../helpers/http_server.ts";
import type { HttpClient } from "../helpers/http_server.ts";

const ACTION = { "x-mcp-bg-console": "1" };

/** Starts an interactive shell on a terminal and waits for its prompt. */
async function startShell(client: HttpClient): Promise<string> {
  const { job_id } = await client.ok<{ job_id: string }>("execute_command", {
    command: "sh -i",
    env: { PS1: "ready> " },
    tty: true,
  });
  await client.waitForOutput(job_id, (o) => o.stdout.includes("ready> "));
  return job_id;
}

/** Signs in with a fresh console link: the session cookie and its page key. */
async function signIn(client: HttpClient): Promise<{ cookie: string; key: string }> {
  const login = await fetch((await client.ok<{ url: string }>("console_url")).url);
  const page = await login.text();
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const key = /<meta name="mcp-bg-console-key" content="([\w-]{43})">/.exec(page)?.[1];
  assert.ok(key !== undefined && cookie !== "", page);
  return { cookie, key };
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const response = await fetch(url, { method: "POST", headers, body });
  await response.body?.cancel();
  return response.status;
}

Deno.test("with MCP_BG_CONSOLE_INPUT=on the console types into a tty job, under Stop's protections", async () => {
  await using server = await HttpTestServer.start({ env: { MCP_BG_CONSOLE_INPUT: "on" } });
  const client = await server.connect();
  const origin = new URL(server.url).origin;
  const id = await startShell(client);
  const pipe = await client.start("sleep 60");
  try {
    const { cookie, key } = await signIn(client);
    const input = `${origin}/console/jobs/${id}/input`;
    const allowed = { ...ACTION, cookie, "x-mcp-bg-console-key": key };
    // Each protection missing once: nothing is typed.
    const { "x-mcp-bg-console-key": _key, ...noKey } = allowed;
    assert.equal(await post(input, noKey, "echo no-key\r"), 401);
    assert.equal(
      await post(input, { ...allowed, "x-mcp-bg-console-key": "A".repeat(43) }, "x"),
      401,
    );
    const { cookie: _cookie, ...noCookie } = allowed;
    assert.equal(await post(input, noCookie, "echo no-cookie\r"), 401);
    const { "x-mcp-bg-console": _header, ...noHeader } = allowed;
    assert.equal(await post(input, noHeader, "echo no-header\r"), 403);
    assert.equal(await post(input, { ...allowed, origin: "http://evil.example" }, "echo o\r"), 403);
    assert.equal(
      await post(input, { ...allowed, "sec-fetch-site": "cross-site" }, "echo s\r"),
      403,
    );
    assert.equal(await post(input, allowed, "x".repeat(4097)), 413);
    assert.equal(await post(`${origin}/console/jobs/${pipe}/input`, allowed, "x"), 409);
    assert.equal(await post(`${origin}/console/jobs/none/input`, allowed, "x"), 404);
    const get = await fetch(input, { headers: allowed });
    await get.body?.cancel();
    assert.equal(get.status, 405);

    assert.equal(await post(input, allowed, "echo typed-$((6 * 7))\r"), 200);
    const { stdout } = await client.waitForOutput(id, (o) => o.stdout.includes("typed-42"));
    for (const refused of ["no-key", "no-cookie", "no-header", "echo o", "echo s"]) {
      assert.ok(!stdout.includes(refused), `"${refused}" reached the terminal:\n${stdout}`);
    }
    // The renderer's files need the session like the page itself.
    assert.equal(await post(`${origin}/console/xterm.js`, allowed, ""), 405);
    const script = await fetch(`${origin}/console/xterm.js`, { headers: { cookie } });
    assert.equal(script.status, 200);
    assert.match(await script.text(), /Terminal/);
    const style = await fetch(`${origin}/console/xterm.css`);
    await style.body?.cancel();
    assert.equal(style.status, 401);
  } finally {
    await client.ok("kill_job", { job_id: id });
    await client.ok("kill_job", { job_id: pipe });
    await server.stop();
  }
});

Deno.test("with MCP_BG_CONSOLE_INPUT off (the default) the console refuses to type, with 403", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const origin = new URL(server.url).origin;
  const id = await startShell(client);
  try {
    const { cookie, key } = await signIn(client);
    const allowed = { ...ACTION, cookie, "x-mcp-bg-console-key": key };
    const input = `${origin}/console/jobs/${id}/input`;
    assert.equal(await post(input, allowed, "echo typed-off\r"), 403);
    assert.equal(await post(input, allowed, "\x03"), 403);
    // The shell still answers the agent, and never saw the refused keys.
    await client.ok("interact_with_job", { job_id: id, input: "echo agent-$((1 + 1))" });
    const { stdout } = await client.waitForOutput(id, (o) => o.stdout.includes("agent-2"));
    assert.ok(!stdout.includes("typed-off"), stdout);
  } finally {
    await client.ok("kill_job", { job_id: id });
    await server.stop();
  }
});
