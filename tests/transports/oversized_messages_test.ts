import assert from "node:assert/strict";
import { assertStillWorking, TestServer, type ToolClient } from "../helpers/mcp_client.ts";
import { HttpTestServer, MCP_HEADERS } from "../helpers/http_server.ts";
import { RawStdioServer } from "../helpers/raw_stdio.ts";
import { MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES } from "../../lib/message_limits.ts";

const MiB = 1024 * 1024;
const TOO_LARGE =
  /Result too large: .* the 4 MiB one message may carry; read the output in pieces with read_job_output \(cursor, max_bytes\)/;

/**
 * A job that answers every line it reads with `ok`, until its stdin closes. Perl reads its input
 * in blocks and answers each line as it arrives: the shell's `read` (and `sed -u`) take one byte
 * per system call, 20 s for a 4 MB line on a busy machine, longer than the server waits for a job
 * to take its input; awk waits for a full buffer before it answers.
 */
async function startEchoJob(client: ToolClient): Promise<string> {
  return await client.start(`perl -ne 'BEGIN { $| = 1 } print "ok\\n"'`);
}

/** Starts a job printing `bytes` bytes of `text` repeated (no newline at all when `text` has none). */
async function startPrinter(client: ToolClient, bytes: number, text = "a"): Promise<string> {
  const id = await client.start(`sh -c 'yes "${text}" | tr -d "\\n" | head -c ${bytes}'`);
  await client.waitForEnd(id);
  return id;
}

async function assertRefusedAsTooLarge(call: Promise<unknown>): Promise<void> {
  await assert.rejects(call, (error: Error & { code?: number }) => {
    assert.equal(error.code, -32600);
    assert.match(error.message, /Request too large: [\d.]+ MiB is over the 4 MiB/);
    return true;
  });
}

Deno.test("an oversized request over stdio is refused alone; the session and its job go on", async () => {
  await using server = await TestServer.start();
  const job = await startEchoJob(server);
  for (const bytes of [MAX_REQUEST_BYTES, 11 * MiB, 25 * MiB]) {
    const input = "a".repeat(bytes);
    await assertRefusedAsTooLarge(server.call("interact_with_job", { job_id: job, input }));
    await assertRefusedAsTooLarge(server.call("execute_command", { command: `echo ${input}` }));
  }
  await server.ok("interact_with_job", {
    job_id: job,
    input: "x".repeat(MAX_REQUEST_BYTES - 4096),
  });
  // The answer is awaited as an event: interact_with_job only waits 2 s for a first byte.
  await server.waitForOutput(job, ({ stdout }) => stdout === "ok\n", 60_000);
  const status = await server.ok("get_job_status", { job_id: job });
  assert.equal(status.status, "running");
  await assertStillWorking(server);
  await server.ok("kill_job", { job_id: job });
});

Deno.test("oversized raw lines get an error with their id, or null, and the next line is read", async () => {
  await using server = await RawStdioServer.start();
  const padding = "b".repeat(5 * MiB);
  const call = (id: unknown) => ({ name: "list_jobs", arguments: { pad: padding }, id });
  // id first, id last (as the SDK client writes it), a string id, no id, not JSON at all.
  await server.write({ jsonrpc: "2.0", id: 1, method: "tools/call", params: call(9) });
  await server.write({ method: "tools/call", params: call(9), jsonrpc: "2.0", id: 2 });
  await server.write({ jsonrpc: "2.0", method: "tools/call", params: call(9), id: "three" });
  await server.write({ jsonrpc: "2.0", method: "tools/call", params: call(9) });
  await server.writeRaw(`${padding}\n`);
  for (const id of [1, 2, "three", null, null]) {
    const reply = await server.reply(id);
    assert.equal(reply.error.code, -32600);
    assert.match(reply.error.message, /^Request too large: 5(\.\d)? MiB is over the 4 MiB/);
  }
  // An oversized line written in small pieces, then a good request in the same write as its end.
  const line = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "ping", params: { pad: padding } });
  for (let at = 0; at < line.length; at += 1 * MiB) await server.writeRaw(line.slice(at, at + MiB));
  await server.writeRaw(`\n${JSON.stringify({ jsonrpc: "2.0", id: 8, method: "ping" })}\n`);
  assert.equal((await server.reply(7)).error.code, -32600);
  assert.deepEqual((await server.reply(8)).result, {});
  await server.assertWorking();
});

Deno.test("no result over stdio exceeds the message ceiling; each says how to read in pieces", async () => {
  await using server = await TestServer.start();
  // 3 MB fits in one text block but not twice (text and structuredContent); 6 MB not even once;
  // 1.5 M two-byte characters are 3 MB of UTF-8 in 1.5 M characters of JSON.
  const jobs = [
    await startPrinter(server, 3_000_000),
    await startPrinter(server, 6_000_000),
    await startPrinter(server, 3_000_000, "é"),
  ];
  // The default 16 KiB budget keeps results small; asking for all of it meets the ceiling.
  const all = 10_000_000;
  for (const job of jobs) {
    const output = await server.call("get_job_output", { job_id: job, max_bytes: all });
    assert.equal(output.isError, true);
    assert.match(output.text, TOO_LARGE);
    const tail = await server.call("tail_job_output", { job_id: job, lines: 1, max_bytes: all });
    assert.equal(tail.isError, true, "one 3 MB line sent twice is too large");
    const bounded = await server.ok<{ stdout: string }>("get_job_output", { job_id: job });
    assert.ok(bounded.stdout.length < 17 * 1024, `${bounded.stdout.length}`);
    // A resource read has no max_bytes: it carries the budget, with a marker.
    const { contents } = await server.client.readResource({ uri: `job://${job}/stdout` });
    assert.match((contents[0] as { text: string }).text, /^\[… [\d,]+ bytes not shown; /);
    const piece = await server.ok<{ stdout: string }>("read_job_output", {
      job_id: job,
      max_bytes: 64 * 1024,
    });
    // The piece may carry a short marker saying what was left out.
    assert.ok(piece.stdout.length > 0 && piece.stdout.length < 65 * 1024, `${piece.stdout.length}`);
  }
  const { jobs: listed } = await server.ok<{ jobs: unknown[] }>("list_jobs");
  assert.equal(listed.length, jobs.length);
  await assertStillWorking(server);
});

Deno.test("over HTTP an oversized request gets 413 and a too large result an error; the session goes on", async () => {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const job = await startEchoJob(client);
  for (const bytes of [MAX_REQUEST_BYTES, 11 * MiB]) {
    await assert.rejects(
      client.call("interact_with_job", { job_id: job, input: "a".repeat(bytes) }),
      /Request too large: the body is over the 4 MiB/,
    );
  }
  const raw = await fetch(server.url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...server.authHeaders },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "ping",
      params: { pad: "a".repeat(5 * MiB) },
    }),
  });
  assert.equal(raw.status, 413);
  assert.equal((await raw.json()).error.code, -32600);
  const printer = await startPrinter(client, 3_000_000);
  const big = await startPrinter(client, 6_000_000);
  const { contents } = await client.client.readResource({ uri: `job://${big}/stdout` });
  assert.ok((contents[0] as { text: string }).text.length < 17 * 1024);
  const output = await client.call("get_job_output", { job_id: printer, max_bytes: 10_000_000 });
  assert.equal(output.isError, true);
  assert.match(output.text, TOO_LARGE);
  await client.ok("interact_with_job", {
    job_id: job,
    input: "x",
  });
  // The answer is awaited as an event: interact_with_job only waits 2 s for a first byte.
  await client.waitForOutput(job, ({ stdout }) => stdout === "ok\n", 60_000);
  await assertStillWorking(client);
  await client.ok("kill_job", { job_id: job });
  assert.ok(MAX_MESSAGE_BYTES < 10 * MiB, "the ceiling stays under what SDK clients read");
});
