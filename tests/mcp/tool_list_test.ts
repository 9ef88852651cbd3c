import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { describeExecuteCommand } from "../../lib/mcp/command_description.ts";
import { compactSchema } from "../../lib/mcp/tool_list.ts";

/**
 * The byte budget for the whole tools/list result of a default server, which an agent pays for on
 * every turn. execute_command's description names the working directory, so the count grows with
 * the checkout's path: about 9,990 bytes from a 52-character one (9,946 from a 12-character one).
 */
const TOOL_LIST_BUDGET = 10_000;

Deno.test("tools/list stays under its byte budget with no boilerplate in the schemas", async () => {
  await using server = await TestServer.start();
  const listed = await server.client.listTools();
  const text = JSON.stringify(listed);
  const bytes = new TextEncoder().encode(text).length;
  console.log(`tools/list: ${bytes} bytes for ${listed.tools.length} tools`);
  assert.ok(bytes < TOOL_LIST_BUDGET, `tools/list is ${bytes} bytes`);
  assert.ok(!text.includes("$schema"), "a $schema key is listed");
  assert.ok(!text.includes(String(Number.MAX_SAFE_INTEGER)), "a ±2^53 bound is listed");
  for (const tool of listed.tools) {
    assert.ok((tool.description ?? "").length > 20, `${tool.name} has no real description`);
    assert.equal(tool.inputSchema.type, "object");
  }
  // The status fields are listed once, in get_job_status; the others point to it.
  const byName = new Map(listed.tools.map((tool) => [tool.name, tool]));
  const status = byName.get("get_job_status")!.outputSchema!.properties!;
  for (const field of ["exit_code", "signal", "stdout_last_line", "kill_reason"]) {
    assert.ok(field in status, `get_job_status lists no ${field}`);
  }
  assert.ok(!text.includes('"anyOf":[{"type":"integer"},{"type":"null"}]'));
  assert.ok(
    !text.includes('"additionalProperties":false'),
    "additionalProperties: false is listed",
  );
  // In get_job_status and get_job_output only, not again in list_jobs or wait_for_job.
  assert.equal(text.split('"stdout_dropped_bytes"').length - 1, 2);
});

Deno.test("tools/list still validates what the tools return", async () => {
  await using server = await TestServer.start();
  await server.client.listTools(); // the client now checks structuredContent against the schemas
  const id = await server.start(`sh -c "echo out; echo err >&2; exit 2"`);
  await server.ok("wait_for_job", { job_id: id, timeout: 30 });
  for (
    const [name, args] of [
      ["list_jobs", {}],
      ["get_job_status", { job_id: id }],
      ["get_job_output", { job_id: id }],
      ["tail_job_output", { job_id: id }],
      ["read_job_output", { job_id: id, filter: "o" }],
      ["wait_for_job", { job_id: id, pattern: "err" }],
      ["kill_job", { job_id: id }],
    ] as const
  ) {
    const outcome = await server.call(name, args);
    assert.equal(outcome.isError, false, `${name}: ${outcome.text}`);
  }
});

Deno.test("execute_command's description says what this server's configuration does", async () => {
  await using plain = await TestServer.start();
  const plainText = (await plain.client.listTools()).tools[0]!.description!;
  assert.match(plainText, /without a shell/);
  assert.match(plainText, /write sh -c/);
  assert.ok(plainText.includes(`Runs in ${Deno.cwd()}.`));
  assert.match(plainText, /python3 -i.*stdbuf -oL/);
  assert.doesNotMatch(plainText, /[Aa]llowlist/);
  await using shell = await TestServer.start({
    env: {
      MCP_BG_SHELL: "bash",
      MCP_BG_ALLOWED_COMMANDS: "^npm ,^git( |$)",
      PATH: "/usr/bin:/bin",
    },
  });
  const shellText = (await shell.client.listTools()).tools[0]!.description!;
  assert.match(shellText, /runs as bash -c <line>: pipes and && work/);
  assert.doesNotMatch(shellText, /sh -c "/);
  assert.ok(shellText.includes(`one of "^npm ", "^git( |$)"`), shellText);
});

Deno.test("describeExecuteCommand counts a long allowlist instead of listing it", () => {
  const patterns = Array.from({ length: 40 }, (_, i) => new RegExp(`^tool${i} `));
  const text = describeExecuteCommand({
    shell: undefined,
    workingDir: "/srv/app",
    allowedCommands: patterns,
  });
  assert.match(text, /An allowlist of 40 patterns applies/);
  assert.match(text, /only if the allowlist allows sh/);
  assert.ok(text.length < 600, `${text.length} characters`);
});

Deno.test("compactSchema lists a nullable object or enum as one schema, and no type beside an enum in results", () => {
  const nullable = {
    anyOf: [{ type: "object", properties: { line: { type: "integer" } } }, { type: "null" }],
  };
  assert.deepEqual(compactSchema(structuredClone(nullable), "output"), {
    type: ["object", "null"],
    properties: { line: { type: "integer" } },
  });
  const reason = { anyOf: [{ type: "string", enum: ["user", "timeout"] }, { type: "null" }] };
  assert.deepEqual(compactSchema(structuredClone(reason), "output"), {
    enum: ["user", "timeout", null],
  });
  assert.deepEqual(compactSchema(structuredClone(reason), "input"), {
    type: ["string", "null"],
    enum: ["user", "timeout", null],
  });
  // Inputs keep the type beside an enum or const: some hosts read a parameter's type first.
  const sent = { type: "string", const: "sent" };
  assert.deepEqual(compactSchema({ ...sent }, "output"), { const: "sent" });
  assert.deepEqual(compactSchema({ ...sent }, "input"), sent);
  // Two real alternatives stay as they are.
  const port = { anyOf: [{ type: "boolean", const: true }, { type: "integer", minimum: 1 }] };
  assert.deepEqual(compactSchema(structuredClone(port), "input"), port);
  // An empty object of results says nothing; an empty input object is still listed as one.
  const list = { type: "object", properties: {}, additionalProperties: false };
  assert.deepEqual(compactSchema(structuredClone(list), "output"), { type: "object" });
  assert.deepEqual(compactSchema(structuredClone(list), "input"), {
    type: "object",
    properties: {},
  });
});
