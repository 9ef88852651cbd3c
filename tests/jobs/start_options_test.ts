/**
 * Wall 1 and the per-job options of execute_command together: a job's own `cwd` and `env` are
 * checked by the allowlist just like the command line.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";

async function tempTree(): Promise<{ root: string } & AsyncDisposable> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-options-" }));
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

async function programPath(name: string): Promise<string> {
  const { stdout } = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`] }).output();
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("a relative program is resolved against the job's own cwd before the allowlist check", async () => {
  await using tree = await tempTree();
  await Deno.mkdir(`${tree.root}/sub`);
  await Deno.symlink(await programPath("touch"), `${tree.root}/sub/ls`);
  // A checker that looked in the working directory instead would find this harmless `ls`.
  await Deno.symlink(await programPath("ls"), `${tree.root}/ls`);
  await using server = await TestServer.start({
    env: { MCP_BG_ALLOWED_COMMANDS: "ls", MCP_BG_WORKING_DIR: tree.root },
  });
  const outcome = await server.call("execute_command", { command: "./ls marker", cwd: "sub" });
  assert.equal(outcome.isError, true, outcome.text);
  assert.match(outcome.text, /^Invalid command: /);
  await assert.rejects(Deno.lstat(`${tree.root}/sub/marker`), Deno.errors.NotFound);
});

Deno.test("with an allowlist, a job env that changes how programs behave is refused", async () => {
  await using tree = await tempTree();
  await using server = await TestServer.start({
    env: { MCP_BG_ALLOWED_COMMANDS: "^printenv ", MCP_BG_WORKING_DIR: tree.root },
  });
  const refused = await server.call("execute_command", {
    command: "printenv LANG",
    env: { LANG: "C" },
  });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /Environment variable "LANG"/);
  const allowed = await server.ok<{ job_id: string }>("execute_command", {
    command: "printenv PORT",
    env: { PORT: "4000" },
  });
  await server.waitForEnd(allowed.job_id);
  const output = await server.ok("get_job_output", { job_id: allowed.job_id });
  assert.equal(output.stdout, "4000\n");
});

Deno.test("without an allowlist, the same env reaches the job", async () => {
  await using server = await TestServer.start();
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
    command: "printenv LANG",
    env: { LANG: "C" },
  });
  await server.waitForEnd(job_id);
  assert.equal((await server.ok("get_job_output", { job_id })).stdout, "C\n");
});
