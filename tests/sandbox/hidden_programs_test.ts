/**
 * A program the host finds but the sandbox hides (under the private /tmp that
 * MCP_BG_ALLOW_WRITE gives each job, or under MCP_BG_DENY_READ), or whose `#!` interpreter is
 * hidden, is refused before it starts with a `Cannot start` error saying where it is and why,
 * instead of bubblewrap's raw `execvp` failure on the job's stderr.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

/** A tool under /tmp, a tool in a denied directory, and a script whose interpreter is under /tmp. */
async function makeTools() {
  const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-work-" }));
  const tmpTools = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-tools-" }));
  // Outside /tmp, so that only the deny rule hides it.
  const denied = await Deno.realPath(
    await Deno.makeTempDir({ dir: Deno.cwd(), prefix: ".mcp-bg-denied-" }),
  );
  for (const dir of [tmpTools, denied]) {
    await Deno.writeTextFile(`${dir}/hello-tool`, "#!/bin/sh\necho hello from tool\n", {
      mode: 0o755,
    });
  }
  // A link under /tmp to the host's sh: its target is visible inside, its own path is not.
  await Deno.symlink("/bin/sh", `${tmpTools}/my-sh`);
  await Deno.writeTextFile(`${work}/run.sh`, `#!${tmpTools}/my-sh\necho ran\n`, { mode: 0o755 });
  return {
    work,
    tmpTools,
    denied,
    async [Symbol.asyncDispose]() {
      for (const dir of [work, tmpTools, denied]) await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "a program or #! interpreter the sandbox hides is refused before it starts, saying why",
  ignore: noContainment,
  fn: async () => {
    await using tools = await makeTools();
    await using server = await TestServer.start({
      env: {
        ...CONTAINED,
        MCP_BG_WORKING_DIR: tools.work,
        MCP_BG_ALLOW_WRITE: tools.work,
        MCP_BG_DENY_READ: tools.denied,
        PATH: `${tools.tmpTools}:/usr/bin:/bin`,
      },
    });
    const privateTmp = "MCP_BG_ALLOW_WRITE gives each job a private, empty /tmp";
    const cases: [string, string][] = [
      [
        "hello-tool",
        `"hello-tool": it is ${tools.tmpTools}/hello-tool, where jobs cannot see it: ${privateTmp}`,
      ],
      [
        `${tools.tmpTools}/hello-tool x`,
        `it is ${tools.tmpTools}/hello-tool, where jobs cannot see it: ${privateTmp}`,
      ],
      [
        `${tools.denied}/hello-tool`,
        `where jobs cannot see it: MCP_BG_DENY_READ hides ${JSON.stringify(tools.denied)}`,
      ],
      [
        "./run.sh",
        `"./run.sh": its interpreter "${tools.tmpTools}/my-sh" (from its #! line) is where jobs cannot see it: ${privateTmp}`,
      ],
    ];
    for (const [command, message] of cases) {
      const outcome = await server.call("execute_command", { command });
      assert.equal(outcome.isError, true, `${command} started: ${outcome.text}`);
      assert.ok(outcome.text.startsWith("Cannot start "), outcome.text);
      assert.ok(outcome.text.includes(message), `${outcome.text}\n!= ${message}`);
    }
    // What the sandbox does see still runs.
    const id = await server.start("sh -c 'echo visible'");
    assert.equal((await server.waitForEnd(id)).status, "completed");
  },
});

Deno.test("uncontained, the same programs run: nothing hides them", async () => {
  await using tools = await makeTools();
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: tools.work, PATH: `${tools.tmpTools}:/usr/bin:/bin` },
  });
  for (const [command, stdout] of [["hello-tool", "hello from tool\n"], ["./run.sh", "ran\n"]]) {
    const id = await server.start(command);
    assert.equal((await server.waitForEnd(id)).status, "completed", command);
    const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
    assert.equal(output.stdout, stdout);
  }
});
