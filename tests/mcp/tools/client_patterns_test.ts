import assert from "node:assert/strict";
import { assertStillWorking, TestServer, type ToolClient } from "../../helpers/mcp_client.ts";
import { HttpTestServer } from "../../helpers/http_server.ts";
import { RawStdioServer } from "../../helpers/raw_stdio.ts";

// Patterns that take exponential time in a backtracking engine on a long run of "a" then "!".
const CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(a|a)+$", "^(\\w+\\s?)+$", "(.*a){12}$"];
// One line of 100,000 "a" and a "!", then the job ends.
const LONG_LINE = `sh -c "yes a | head -n 100000 | tr -d '[:space:]'; echo '!'"`;

/** Every catastrophic pattern is answered at once by both tools; the server then still works. */
async function attack(client: ToolClient): Promise<void> {
  const id = await client.start(LONG_LINE);
  await client.waitForEnd(id);
  for (const pattern of CATASTROPHIC) {
    const waited = await client.ok<{ reason: string }>("wait_for_job", {
      job_id: id,
      pattern,
      timeout: 30,
    });
    assert.equal(waited.reason, "exited", pattern);
    const read = await client.ok<{ stdout_matching_lines: number }>("read_job_output", {
      job_id: id,
      filter: pattern,
    });
    assert.equal(read.stdout_matching_lines, 0, pattern);
  }
  const refused = await client.call("wait_for_job", { job_id: id, pattern: "(a+)\\1$" });
  assert.ok(refused.isError);
  assert.match(refused.text, /^Invalid pattern "\(a\+\)\\\\1\$": backreference/);
  const lookahead = await client.call("read_job_output", { job_id: id, filter: "a(?=!)" });
  assert.match(lookahead.text, /^Invalid filter "a\(\?=!\)": lookahead/);
  await assertStillWorking(client);
}

Deno.test("catastrophic patterns from a client are answered over stdio", async () => {
  await using server = await TestServer.start();
  await attack(server);
});

Deno.test("catastrophic patterns from a client are answered over HTTP", async () => {
  await using server = await HttpTestServer.start();
  await attack(await server.connect());
});

Deno.test("list_jobs calls sent with a big filter are answered before the filter ends", async () => {
  await using server = await RawStdioServer.start({ MCP_BG_CONTAINMENT: "off" });
  const started = await server.callTool("execute_command", { command: "seq 1 1000000" });
  const id = started.result.structuredContent.job_id;
  await server.callTool("wait_for_job", { job_id: id, timeout: 60 });
  // Every line matches: each of the million is tested on its own. One write carries the filter
  // and the list_jobs calls; the server reads eight lines a turn, so most list_jobs calls reach
  // it only after the filter has started: they are answered between its slices or not at all.
  const filter = { name: "read_job_output", arguments: { job_id: id, filter: "^\\d+$", lines: 1 } };
  const listJobs = { name: "list_jobs", arguments: {} };
  const replies = await server.callToolsTogether([filter, ...Array(20).fill(listJobs)]);
  assert.deepEqual(replies.map(({ call }) => call).at(-1), 0, "list_jobs waited for the filter");
  const read = replies.find(({ call }) => call === 0)!.reply.result.structuredContent;
  assert.equal(read.stdout, "[999999 earlier matching lines not shown]\n1000000: 1000000\n");
  assert.equal(read.stdout_matching_lines, 1_000_000);
  for (const { reply } of replies) {
    assert.ok(reply.result && !reply.result.isError, JSON.stringify(reply));
  }
});
