import assert from "node:assert/strict";
import { Random } from "../helpers/fuzz.ts";
import { RawStdioServer, type Reply } from "../helpers/raw_stdio.ts";
import { HttpTestServer, MCP_HEADERS, rawInitialize } from "../helpers/http_server.ts";
import { isAlive, run } from "../helpers/processes.ts";
import { parseJobLimits } from "../../lib/sandbox/job_limits.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

// Fixed seeds: a failure replays exactly (FUZZ_SEED=<n> tries others, FUZZ_MESSAGES=<n> more
// framing messages). Counts keep each test to a few seconds.
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed_0001);
const TOOL_SEED = SEED;
const FRAMING_SEED = SEED + 1;
const HTTP_SEED = SEED + 2;
const CALLS_PER_TOOL = 20;
const FRAMING_MESSAGES = Number(Deno.env.get("FUZZ_MESSAGES") ?? 300);
const HTTP_BODIES = 60;

// Only quick programs may run; every other command exercises the refusal paths.
const ENV = { MCP_BG_ALLOWED_COMMANDS: "^echo( |$),^true$,^cat$", MCP_BG_MAX_JOBS: "20" };
const COMMANDS = ["echo fuzz", "true", "echo é 😀", "cat"];
const METHODS = [
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "logging/setLevel",
  "prompts/list",
  "completion/complete",
  "tasks/list",
  "tasks/get",
  "no/such/method",
];
const NOTIFICATIONS = [
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed",
  "notifications/unknown",
];

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  anyOf?: PropertySchema[];
  minimum?: number;
  maximum?: number;
}

/** A value tool argument `name`'s schema accepts (jobs' ids for `job_id`, quick commands only). */
function validValue(random: Random, name: string, schema: PropertySchema, jobs: string[]): unknown {
  if (name === "job_id") return jobs.length > 0 ? random.pick(jobs) : "no-such-job";
  if (name === "command") return random.pick(COMMANDS);
  if (name === "cwd") return ".";
  if (name === "env") return { FUZZ: random.string(10) };
  if (name === "pattern" || name === "filter") return random.pick(["fuzz", "^e", "[0-9]+", "é|😀"]);
  // Waits stay short.
  if (name === "timeout") {
    return schema.type === "integer" ? random.int(1, 2) : random.pick([0.05, 0.2]);
  }
  if (schema.enum !== undefined) return random.pick(schema.enum);
  if (schema.anyOf !== undefined) return validValue(random, name, random.pick(schema.anyOf), jobs);
  switch (schema.type) {
    case "string":
      return "x" + random.string(random.chance(0.05) ? 20_000 : 30);
    case "integer":
      return random.int(schema.minimum ?? 0, Math.min(schema.maximum ?? 5000, 5000));
    case "boolean":
      return random.chance(0.5);
    default:
      return random.number();
  }
}

/** Arguments for `tool`: half the time all valid, otherwise with random fields, types and values. */
function toolArguments(
  random: Random,
  tool: { name: string; inputSchema: { properties?: Record<string, PropertySchema> } },
  jobs: string[],
): unknown {
  if (random.chance(0.05)) return random.json(2);
  const valid = random.chance(0.5);
  const args: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
    // A wait without a timeout would take its 30 s default.
    const required = name === "job_id" || name === "command" || name === "timeout";
    if (!required && random.chance(0.6)) continue;
    if (valid || random.chance(0.6)) args[name] = validValue(random, name, schema, jobs);
    else if (name !== "timeout") args[name] = random.json(2);
    else args[name] = random.pick([-1, 0, 1e9, "1", null]);
  }
  if (!valid && random.chance(0.3)) args[random.string(6)] = random.json(1);
  // A command that never ends would hold run_command forever.
  if (tool.name === "run_command" && args.command === "cat") args.stdin = "closed";
  return args;
}

/** Waits for a reply to every id in `ids`; fails naming the first that never came. */
async function assertAllAnswered(server: RawStdioServer, ids: readonly string[]): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (const id of ids) {
    const reply = await server.reply(id).catch((error) => {
      throw new Error(`No reply to request ${id}`, { cause: error });
    });
    assert.ok("result" in reply || "error" in reply, JSON.stringify(reply));
    replies.push(reply);
  }
  return replies;
}

Deno.test("fuzz: every tool with random arguments gets an answer, and no job is lost", async () => {
  const random = new Random(TOOL_SEED);
  await using server = await RawStdioServer.start(ENV);
  const { tools } = (await server.request("tools/list")).result;
  assert.ok(tools.length >= 7);
  const jobs: string[] = [];
  for (let round = 0; round < CALLS_PER_TOOL; round++) {
    const ids: string[] = [];
    for (const tool of tools) {
      const id = `fz-${round}-${tool.name}`;
      ids.push(id);
      const params: Record<string, unknown> = {
        name: tool.name,
        arguments: toolArguments(random, tool, jobs),
      };
      if (random.chance(0.05)) params._meta = { progressToken: random.pick([1, "p", true, null]) };
      await server.write({ jsonrpc: "2.0", id, method: "tools/call", params });
    }
    for (const reply of await assertAllAnswered(server, ids)) {
      const jobId = reply.result?.structuredContent?.job_id;
      if (typeof jobId === "string" && !jobs.includes(jobId)) jobs.push(jobId);
    }
  }
  assert.ok(jobs.length > 0, "some calls started jobs");
  const listed = (await server.callTool("list_jobs")).result.structuredContent.jobs as {
    job_id: string;
  }[];
  const known = new Set(listed.map((job) => job.job_id));
  for (const job of jobs) assert.ok(known.has(job), `job ${job} was lost`);
  await server.assertWorking();
});

/** One raw message: the text to write, and the id a reply must carry (if one is owed). */
function framingMessage(random: Random, n: number): { text: string; owed?: string } {
  const id = `fz-${n}`;
  const base: Record<string, unknown> = { jsonrpc: "2.0", id, method: random.pick(METHODS) };
  if (random.chance(0.8)) {
    base.params = random.chance(0.7)
      ? { _meta: {}, ...(random.json(2) as object) }
      : random.json(2);
  }
  switch (random.int(0, 7)) {
    case 0: // a well-formed envelope with random params
      return { text: JSON.stringify(base), owed: id };
    case 1: { // the envelope with a field removed, replaced or added
      const field = random.pick(["jsonrpc", "method", "params", "extra", "result"]);
      if (random.chance(0.4)) delete base[field];
      else base[field] = random.json(2);
      const isResponse = !("method" in base) && ("result" in base || "error" in base);
      return { text: JSON.stringify(base), owed: isResponse ? undefined : id };
    }
    case 2: // a notification
      return {
        text: JSON.stringify({
          jsonrpc: "2.0",
          method: random.pick(NOTIFICATIONS),
          params: random.json(2),
        }),
      };
    case 3: // any JSON value at all
      return { text: JSON.stringify(random.json(3)) };
    case 4: // a batch
      return { text: JSON.stringify([base, random.json(2)]), owed: id };
    case 5: // deep nesting inside params
      base.params = { _meta: {}, deep: random.nested(random.int(100, 5000)) };
      return { text: JSON.stringify(base), owed: id };
    case 6: // truncated JSON
      return { text: JSON.stringify(base).slice(0, random.int(0, 30)) };
    default: // bytes that are not UTF-8, or control characters
      return {
        text: random.pick(["\xff\xfe", "\u0000", "\x1b[2J", '{"a":\ud800}', " "]) +
          random.string(10),
      };
  }
}

Deno.test("fuzz: raw JSON-RPC framing: every request with a readable id is answered, the server stays up", async () => {
  const random = new Random(FRAMING_SEED);
  await using server = await RawStdioServer.start(ENV);
  const owed: string[] = [];
  for (let n = 0; n < FRAMING_MESSAGES; n++) {
    const { text, owed: id } = framingMessage(random, n);
    // Some lines end in \r\n, and some arrive split across writes.
    const line = text.replaceAll("\n", " ") + (random.chance(0.2) ? "\r\n" : "\n");
    const cut = random.chance(0.1) ? random.int(0, line.length) : line.length;
    await server.writeRaw(line.slice(0, cut));
    await server.writeRaw(line.slice(cut));
    if (id !== undefined) owed.push(id);
  }
  await server.writeRaw(new Uint8Array([0xff, 0xc0, 0x80, 0x0a]));
  await assertAllAnswered(server, owed);
  assert.ok(isAlive(server.pid));
  await server.assertWorking();
});

Deno.test("fuzz: random HTTP bodies get an HTTP answer, and the session goes on", async () => {
  const random = new Random(HTTP_SEED);
  await using server = await HttpTestServer.start({ env: ENV });
  const session = await rawInitialize(server.url, server.authHeaders);
  const headers = {
    ...MCP_HEADERS,
    ...server.authHeaders,
    "mcp-session-id": session,
    "mcp-protocol-version": "2025-06-18",
  };
  for (let n = 0; n < HTTP_BODIES; n++) {
    const { text } = framingMessage(random, n);
    const response = await fetch(server.url, { method: "POST", headers, body: text });
    const body = await response.text();
    assert.ok(response.status < 500, `HTTP ${response.status} for ${text.slice(0, 200)}: ${body}`);
  }
  const client = await server.connect();
  const job = await client.start("echo after-fuzz");
  await client.waitForEnd(job);
  assert.equal((await client.ok("get_job_output", { job_id: job })).stdout, "after-fuzz\n");
});

/** A `MCP_BG_JOB_LIMITS` value: mostly well-formed entries, some junk, some near misses. */
function jobLimitsValue(random: Random): string {
  const keys = ["memory", "processes", "cpu", "file-size", "tmp", "Memory", "proc", ""];
  const values = ["2G", "512M", "64K", "100", "0", "-1", "1.5G", "unlimited", "4GB", "1e9", "9X"];
  const valid = [
    "memory=1G",
    "processes=256",
    "cpu=600",
    "file-size=64M",
    "tmp=16M",
    "tmp=unlimited",
  ];
  const junk = () =>
    random.chance(0.3)
      ? random.string(12)
      : `${random.pick(keys)}${random.pick(["=", " = ", ":"])}${random.pick(values)}`;
  const entries = Array.from(
    { length: random.int(0, 3) },
    () => random.chance(0.75) ? random.pick(valid) : junk(),
  );
  return entries.join(random.pick([",", ", ", ",,"]));
}

Deno.test("fuzz: MCP_BG_JOB_LIMITS values either start a contained server whose jobs run, or stop it with one line", async () => {
  const random = new Random(SEED + 3);
  const outcomes = { started: 0, refused: 0 };
  for (let n = 0; n < 8; n++) {
    const value = jobLimitsValue(random);
    const env = { ...ENV, MCP_BG_CONTAINMENT: "auto", MCP_BG_JOB_LIMITS: value };
    let valid = true;
    try {
      parseJobLimits(value);
    } catch (error) {
      assert.ok(error instanceof RangeError, `${JSON.stringify(value)}: ${error}`);
      valid = false;
    }
    if (!valid) {
      outcomes.refused++;
      const refused = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN], { env });
      assert.equal(refused.code, 2, JSON.stringify(value));
      assert.match(refused.stderr.trim(), /^[^\n]*Invalid MCP_BG_JOB_LIMITS=[^\n]*$/);
      continue;
    }
    outcomes.started++;
    await using server = await RawStdioServer.start(env);
    const reply = await server.callTool("execute_command", { command: "echo fuzz" });
    const jobId = reply.result.structuredContent.job_id;
    const ended = await server.callTool("wait_for_job", { job_id: jobId, timeout: 30 });
    assert.equal(ended.result.structuredContent.status, "completed", JSON.stringify(value));
    await server.assertWorking();
  }
  assert.ok(outcomes.started > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});
