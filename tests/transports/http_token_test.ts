import assert from "node:assert/strict";
import { HttpTestServer, INITIALIZE, MCP_HEADERS, rawStatus } from "../helpers/http_server.ts";
import { assertStillWorking, type ToolClient } from "../helpers/mcp_client.ts";
import { run } from "../helpers/processes.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const isRoot = Deno.uid() === 0;

/** Where a server started by the helper keeps its generated token. */
function tokenFileOf(server: HttpTestServer): string {
  return `${server.runtimeDir}/mcp-background-job/http-token`;
}

/** Status of a raw `initialize` POST to `url` with `headers`. */
async function initializeStatus(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...headers },
    body: INITIALIZE,
  });
  await response.body?.cancel();
  return response.status;
}

/** Every way a client without the token might try its luck: each must get 401. */
function guesses(token: string): [string, string, Record<string, string>][] {
  const flipped = token.replace(/[a-z]/, (c) => c.toUpperCase()) === token
    ? token.replace(/[A-Z]/, (c) => c.toLowerCase())
    : token.replace(/[a-z]/, (c) => c.toUpperCase());
  return [
    ["no header", "", {}],
    ["a wrong token", "", { authorization: "Bearer not-the-token" }],
    ["an empty bearer", "", { authorization: "Bearer " }],
    ["the token's first half", "", { authorization: `Bearer ${token.slice(0, 21)}` }],
    ["the token less its last character", "", { authorization: `Bearer ${token.slice(0, -1)}` }],
    ["the token and one more character", "", { authorization: `Bearer ${token}x` }],
    ["the token with one letter's case changed", "", { authorization: `Bearer ${flipped}` }],
    ["the token upper-cased", "", { authorization: `Bearer ${token.toUpperCase()}` }],
    ["the token without the Bearer scheme", "", { authorization: token }],
    ["the token as Basic credentials", "", { authorization: `Basic ${btoa(`x:${token}`)}` }],
    ["the token in the query", `?token=${token}`, {}],
    ["the token as access_token", `?access_token=${token}`, {}],
    ["the token in a cookie", "", { cookie: `token=${token}` }],
    ["the token in another header", "", { "x-mcp-bg-token": token }],
  ];
}

Deno.test("--http with no token set generates one in a 0600 file, shows it once, and needs it", async () => {
  await using server = await HttpTestServer.start();
  const token = server.token;
  assert.ok(token !== undefined && /^[A-Za-z0-9_-]{43}$/.test(token), server.stderr);
  const file = tokenFileOf(server);
  assert.equal(Deno.statSync(file).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(`${server.runtimeDir}/mcp-background-job`).mode! & 0o777, 0o700);
  assert.equal(Deno.readTextFileSync(file).trim(), token);
  const add = `claude mcp add --transport http background-job ${server.url} ` +
    `--header "Authorization: Bearer ${token}"`;
  assert.ok(server.stderr.includes(add), server.stderr);
  assert.ok(server.stderr.includes(`kept in ${file}`), server.stderr);
  assert.equal(server.stderr.split(token).length - 1, 1, "the token is shown once");
  for (const [what, query, headers] of guesses(token)) {
    assert.equal(await initializeStatus(server.url + query, headers), 401, what);
  }
  // Over a raw connection, where no client library normalizes anything.
  const host = `127.0.0.1:${server.port}`;
  assert.equal(await rawStatus(server.port, host), 401);
  assert.equal(await rawStatus(server.port, host, INITIALIZE, { authorization: "Bearer" }), 401);
  assert.equal(
    await rawStatus(server.port, host, INITIALIZE, { authorization: `Bearer ${token}` }),
    200,
  );
  assert.equal(await initializeStatus(server.url, { authorization: `bearer ${token}` }), 200);
  await assertStillWorking(await server.connect());
});

Deno.test("the generated token is reused at the next start, and replaced when others could read it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "mcp-bg-runtime-" });
  try {
    const env = { XDG_RUNTIME_DIR: dir };
    const file = `${dir}/mcp-background-job/http-token`;
    let first: string | undefined;
    {
      await using server = await HttpTestServer.start({ env });
      first = server.token;
    }
    {
      await using server = await HttpTestServer.start({ env });
      assert.equal(server.token, first);
      assert.match(server.stderr, /reused at the next start/);
    }
    Deno.chmodSync(file, 0o644);
    {
      await using server = await HttpTestServer.start({ env });
      assert.notEqual(server.token, first);
      assert.equal(Deno.statSync(file).mode! & 0o777, 0o600);
      assert.equal(await initializeStatus(server.url, { authorization: `Bearer ${first}` }), 401);
    }
    // A token file replaced by a link to a file of the attacker's choosing is not followed.
    Deno.removeSync(file);
    const planted = `${dir}/planted`;
    Deno.writeTextFileSync(planted, "A".repeat(43), { mode: 0o600 });
    Deno.symlinkSync(planted, file);
    {
      await using server = await HttpTestServer.start({ env });
      assert.notEqual(server.token, "A".repeat(43));
      assert.ok(Deno.lstatSync(file).isFile);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/**
 * A job that reads the token file and `$MCP_BG_HTTP_TOKEN` and then tries the server's `/mcp`
 * with whatever it found: prints `file=<what it read> env=<…> status=<HTTP status>`.
 */
const PROBE = `
const [url, file] = Deno.args;
let found = "";
try { found = Deno.readTextFileSync(file).trim(); } catch (error) { found = "unreadable:" + error.name; }
const env = JSON.stringify(Deno.env.toObject());
const response = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream",
    authorization: "Bearer " + found },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {
    protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "job", version: "1" } } }),
});
await response.body?.cancel();
console.log("file=" + found + " env=" + env + " status=" + response.status);
`;

async function probeFromJob(
  client: ToolClient,
  server: HttpTestServer,
  script: string,
): Promise<string> {
  const id = await client.start(
    `${Deno.execPath()} run -A --no-config ${script} ${server.url} ${tokenFileOf(server)}`,
  );
  const { stdout } = await client.waitForOutput(id, (out) => /status=\d+/.test(out.stdout), 60_000);
  await client.waitForEnd(id);
  return stdout;
}

Deno.test({
  name: "a contained job with the network on cannot drive the server: no token in its env or file",
  ignore: noContainment,
  async fn() {
    const script = Deno.makeTempFileSync({ suffix: ".ts" });
    try {
      Deno.writeTextFileSync(script, PROBE);
      await using server = await HttpTestServer.start({
        env: { ...CONTAINED, MCP_BG_NETWORK: "on" },
      });
      const client = await server.connect();
      const out = await probeFromJob(client, server, script);
      assert.ok(!out.includes(server.token!), out);
      assert.match(out, /file=unreadable:NotFound/);
      assert.match(out, /status=401/);
      // The directory itself is empty inside the sandbox.
      const id = await client.start(`ls -a ${server.runtimeDir}/mcp-background-job`);
      await client.waitForEnd(id);
      const { stdout } = await client.ok<{ stdout: string }>("get_job_output", { job_id: id });
      assert.ok(!stdout.includes("http-token"), stdout);
      await assertStillWorking(client);
    } finally {
      Deno.removeSync(script);
    }
  },
});

Deno.test("an uncontained job finds no token in its environment and gets 401 without one", async () => {
  const script = Deno.makeTempFileSync({ suffix: ".ts" });
  try {
    // This job cannot know the file's name (the test points it elsewhere): the environment and
    // guessing are all it has. Run as the same user, it could read the file: see docs/http.md.
    Deno.writeTextFileSync(script, PROBE);
    await using server = await HttpTestServer.start();
    const client = await server.connect();
    const id = await client.start(
      `${Deno.execPath()} run -A --no-config ${script} ${server.url} /nonexistent/http-token`,
    );
    const { stdout } = await client.waitForOutput(
      id,
      (out) => /status=\d+/.test(out.stdout),
      60_000,
    );
    await client.waitForEnd(id);
    assert.ok(!stdout.includes(server.token!), stdout);
    assert.match(stdout, /status=401/);
  } finally {
    Deno.removeSync(script);
  }
});

Deno.test({
  name: "another user cannot read the generated token file",
  ignore: !isRoot,
  async fn() {
    await using server = await HttpTestServer.start();
    for (const path of [tokenFileOf(server), `${server.runtimeDir}/mcp-background-job`]) {
      const result = await run("runuser", ["-u", "nobody", "--", "cat", path]);
      assert.notEqual(result.code, 0);
      assert.ok(!result.stdout.includes(server.token!));
    }
  },
});

Deno.test("MCP_BG_HTTP_NO_TOKEN=i-understand serves without a token and says so; nothing else does", async () => {
  {
    await using server = await HttpTestServer.start({
      env: { MCP_BG_HTTP_NO_TOKEN: "i-understand" },
    });
    assert.equal(server.token, undefined);
    assert.match(server.stderr, /warning: no token \(MCP_BG_HTTP_NO_TOKEN=i-understand\): every/);
    assert.equal(await initializeStatus(server.url, {}), 200);
    assert.ok(!Deno.statSync(server.runtimeDir).isFile);
    assert.equal([...Deno.readDirSync(server.runtimeDir)].length, 0, "no token file is made");
  }
  const refused: [Record<string, string>, string[], RegExp][] = [
    [{ MCP_BG_HTTP_NO_TOKEN: "1" }, [], /MCP_BG_HTTP_NO_TOKEN="1".*i-understand/],
    [{ MCP_BG_HTTP_NO_TOKEN: "yes" }, [], /MCP_BG_HTTP_NO_TOKEN="yes"/],
    [{ MCP_BG_HTTP_NO_TOKEN: "I-UNDERSTAND" }, [], /MCP_BG_HTTP_NO_TOKEN="I-UNDERSTAND"/],
    [
      { MCP_BG_HTTP_NO_TOKEN: "i-understand", MCP_BG_HTTP_TOKEN: "t" },
      [],
      /MCP_BG_HTTP_NO_TOKEN=.*while a token is set/,
    ],
    [{ MCP_BG_HTTP_NO_TOKEN: "i-understand" }, ["--host", "0.0.0.0"], /--host="0\.0\.0\.0"/],
  ];
  for (const [env, args, message] of refused) {
    const result = await run(Deno.execPath(), [
      ...DENO_RUN,
      "-A",
      MAIN,
      "--http",
      "--port",
      "0",
      ...args,
    ], { env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  }
});
