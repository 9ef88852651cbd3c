import assert from "node:assert/strict";
import { HttpTestServer } from "../helpers/http_server.ts";
import { assertStillWorking, TestServer, type ToolClient } from "../helpers/mcp_client.ts";
import { run } from "../helpers/processes.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const TOKEN = "tok-3f9a1c-never-in-a-job";

/** Every way a job might look for the token; none of them may find it or its variables. */
async function assertJobsCannotSeeToken(client: ToolClient): Promise<void> {
  const looks = [
    "printenv MCP_BG_HTTP_TOKEN",
    "printenv MCP_BG_HTTP_TOKEN_FILE",
    "env",
    `sh -c 'echo "[$MCP_BG_HTTP_TOKEN][$MCP_BG_HTTP_TOKEN_FILE]"; set'`,
    "sh -c 'env | grep MCP_BG_ || echo none'",
  ];
  for (const command of looks) {
    const id = await client.start(command);
    await client.waitForEnd(id);
    const { stdout } = await client.ok<{ stdout: string }>("get_job_output", { job_id: id });
    assert.ok(!stdout.includes(TOKEN), `${command} printed the token`);
    assert.ok(!/MCP_BG_HTTP_TOKEN(_FILE)?=/.test(stdout), `${command} printed the variable`);
  }
}

Deno.test("over HTTP a job never sees MCP_BG_HTTP_TOKEN", async () => {
  await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: TOKEN } });
  const client = await server.connect({ authorization: `Bearer ${TOKEN}` });
  await assertJobsCannotSeeToken(client);
  await assertStillWorking(client);
});

Deno.test("a job never sees the token under scoped --allow-run either, nor on stdio", async () => {
  for (
    const permissions of [
      ["-A"],
      ["--allow-env", "--allow-read", "--allow-run=printenv,env,sh,echo"],
    ]
  ) {
    await using server = await TestServer.start({
      permissions,
      env: { MCP_BG_HTTP_TOKEN: TOKEN, PATH: Deno.env.get("PATH") ?? "" },
    });
    await assertJobsCannotSeeToken(server);
  }
});

Deno.test("MCP_BG_HTTP_TOKEN_FILE: the token comes from the file, and jobs see neither", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, `  ${TOKEN}\n`);
    await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN_FILE: file } });
    await assert.rejects(server.connect({}, undefined, { withToken: false }), /401|Unauthorized/);
    await assert.rejects(server.connect({ authorization: `Bearer ${TOKEN}x` }), /401|Unauthorized/);
    const client = await server.connect({ authorization: `Bearer ${TOKEN}` });
    await assertJobsCannotSeeToken(client);
    assert.match(server.stderr, /http_token_file=set|ready on/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("MCP_BG_HTTP_TOKEN_FILE that is missing, empty, or given with the token stops the start", async () => {
  const empty = await Deno.makeTempFile();
  const full = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(empty, " \n");
    await Deno.writeTextFile(full, TOKEN);
    const cases: [Record<string, string>, RegExp][] = [
      [{ MCP_BG_HTTP_TOKEN_FILE: `${empty}.missing` }, /MCP_BG_HTTP_TOKEN_FILE=.*a readable file/],
      [{ MCP_BG_HTTP_TOKEN_FILE: empty }, /MCP_BG_HTTP_TOKEN_FILE=.*it is empty/],
      [
        { MCP_BG_HTTP_TOKEN_FILE: full, MCP_BG_HTTP_TOKEN: TOKEN },
        /MCP_BG_HTTP_TOKEN_FILE=.*give one of them/,
      ],
    ];
    for (const [env, message] of cases) {
      const result = await run(
        Deno.execPath(),
        [...DENO_RUN, "-A", MAIN, "--http", "--port", "0"],
        {
          env,
        },
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes(TOKEN), "the token is never printed");
    }
  } finally {
    await Deno.remove(empty);
    await Deno.remove(full);
  }
});

Deno.test({
  name: "a contained job sees neither the token nor the server's environment in /proc",
  ignore: noContainment,
  async fn() {
    await using server = await TestServer.start({
      env: { ...CONTAINED, MCP_BG_HTTP_TOKEN: TOKEN, PATH: Deno.env.get("PATH") ?? "" },
    });
    await assertJobsCannotSeeToken(server);
    const id = await server.start(`sh -c 'cat /proc/1/environ /proc/$PPID/environ; echo done'`);
    await server.waitForEnd(id);
    const { stdout } = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
    assert.ok(stdout.endsWith("done\n") && !stdout.includes(TOKEN), stdout);
  },
});
