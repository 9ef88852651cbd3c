import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";

interface ReadResult {
  stdout: string;
  stderr: string;
  stdout_cursor: number;
  stderr_cursor: number;
  stdout_lost_bytes: number;
  stderr_lost_bytes: number;
  stdout_omitted_bytes: number;
  stderr_omitted_bytes: number;
  stdout_matching_lines: number | null;
  status: string;
}

const DENO = Deno.execPath();
const encoder = new TextEncoder();

/** The text the writer job prints: lines of ASCII and 2-, 3- and 4-byte characters. */
function expectedText(lines: number): string {
  let text = "";
  for (let i = 0; i < lines; i++) text += `line ${i} é€😀 ${"ж".repeat(i % 7)}\n`;
  return text;
}

Deno.test("read_job_output cursors return each byte exactly once while the job writes", async () => {
  await using server = await TestServer.start();
  const lines = 300;
  // Writes the text in 7-byte pieces, so multi-byte characters are split across writes, and
  // stops halfway until it reads a line: reads while it runs do not depend on the machine's speed.
  const half = 7 * Math.floor(encoder.encode(expectedText(lines)).length / 14);
  const code = `const t = new TextEncoder().encode(${JSON.stringify(expectedText(lines))});` +
    `for (let i = 0; i < t.length; i += 7) {` +
    ` if (i === ${half}) Deno.stdin.readSync(new Uint8Array(1));` +
    ` Deno.stdout.writeSync(t.subarray(i, i + 7));` +
    ` if (i % 70 === 0) await new Promise((r) => setTimeout(r, 5)); }`;
  const id = await server.start(`${DENO} eval '${code}'`);
  let released = false;
  let collected = "";
  let cursor = 0;
  let reads = 0;
  let readsWhileRunning = 0;
  for (let done = false; !done; reads++) {
    const read = await server.ok<ReadResult>("read_job_output", {
      job_id: id,
      stream: "stdout",
      stdout_cursor: cursor,
      max_bytes: 1000,
    });
    assert.equal(read.stdout_lost_bytes, 0);
    assert.equal(encoder.encode(read.stdout).length, read.stdout_cursor - cursor);
    collected += read.stdout;
    if (read.status === "running" && read.stdout !== "") readsWhileRunning++;
    done = read.status !== "running" && read.stdout_cursor === cursor;
    cursor = read.stdout_cursor;
    // The first half is read (up to a character cut at its end): let the job write the rest.
    if (!released && cursor >= half - 3) {
      assert.equal(read.status, "running");
      await server.ok("interact_with_job", { job_id: id, input: "go" });
      released = true;
    }
  }
  assert.ok(reads > 5, `expected many reads, got ${reads}`);
  assert.ok(readsWhileRunning > 1, `expected reads while running, got ${readsWhileRunning}`);
  assert.ok(!collected.includes("\uFFFD"), "a character was split");
  assert.equal(collected, expectedText(lines));
  const status = await server.ok("get_job_status", { job_id: id });
  assert.equal(status.status, "completed");
  assert.equal(cursor, status.stdout_bytes);
});

Deno.test("read_job_output without cursors equals get_job_output and continues from its cursor", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo out; echo err >&2; read x; echo more $x"`);
  await server.ok("wait_for_job", { job_id: id, pattern: "err", timeout: 30 });
  const first = await server.ok<ReadResult>("read_job_output", { job_id: id });
  assert.equal(first.stdout, "out\n");
  assert.equal(first.stderr, "err\n");
  assert.equal(first.stdout_cursor, 4);
  assert.equal(first.stdout_matching_lines, null);
  await server.ok("interact_with_job", { job_id: id, input: "x" });
  await server.waitForEnd(id);
  const next = await server.ok<ReadResult>("read_job_output", {
    job_id: id,
    stdout_cursor: first.stdout_cursor,
    stderr_cursor: first.stderr_cursor,
  });
  assert.equal(next.stdout, "more x\n");
  assert.equal(next.stderr, "");
  const whole = await server.ok("get_job_output", { job_id: id });
  assert.equal(whole.stdout, "out\nmore x\n");
});

Deno.test("read_job_output says how many bytes after the cursor the cap dropped", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_OUTPUT_SIZE: "1KB" } });
  const id = await server.start(`${DENO} eval 'console.log("x".repeat(4999))'`);
  await server.waitForEnd(id);
  const read = await server.ok<ReadResult>("read_job_output", {
    job_id: id,
    stream: "stdout",
    stdout_cursor: 1000,
  });
  assert.equal(read.stdout_lost_bytes, 5000 - 1024 - 1000);
  assert.equal(read.stdout.length, 1024);
  assert.equal(read.stdout_cursor, 5000);
  const past = await server.call("read_job_output", { job_id: id, stdout_cursor: 5001 });
  assert.equal(past.isError, true);
  assert.match(past.text, /cursor 5001: the stream has only 5000 bytes/);
});

Deno.test("read_job_output bounds full reads by lines and bytes with a marker", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "for i in 1 2 3 4 5 6 7 8 9; do echo line$i; done"`);
  await server.waitForEnd(id);
  const tail = await server.ok<ReadResult>("read_job_output", { job_id: id, lines: 2 });
  assert.equal(
    tail.stdout,
    "[… 42 bytes not shown; read_job_output with stdout_cursor 0 gets them]\nline8\nline9\n",
  );
  assert.equal(tail.stdout_omitted_bytes, 42);
  assert.equal(tail.stdout_cursor, 54);
  const bytes = await server.ok<ReadResult>("read_job_output", { job_id: id, max_bytes: 16 });
  assert.equal(
    bytes.stdout,
    "[… 42 bytes not shown; read_job_output with stdout_cursor 0 gets them]\nline8\nline9\n",
  );
  // The cut line's tail ("ne7\n") is counted in the marker, not shown: the shown text starts a line.
  assert.equal(bytes.stdout_omitted_bytes, 42);
  // With a cursor the read goes forward and tells how much is left after it.
  const head = await server.ok<ReadResult>("read_job_output", {
    job_id: id,
    stdout_cursor: 0,
    lines: 3,
  });
  assert.equal(head.stdout, "line1\nline2\nline3\n");
  assert.equal(head.stdout_cursor, 18);
  assert.equal(head.stdout_omitted_bytes, 36);
});

Deno.test("read_job_output filter returns matching lines with their line numbers", async () => {
  await using server = await TestServer.start();
  const id = await server.start(
    `sh -c 'for i in 1 2 3 4 5 6; do case $i in 3|5) echo "FAIL test$i";; *) echo "ok test$i";; esac; done; echo "FAIL late" >&2'`,
  );
  await server.waitForEnd(id);
  const read = await server.ok<ReadResult>("read_job_output", { job_id: id, filter: "^FAIL" });
  assert.equal(read.stdout, "3: FAIL test3\n5: FAIL test5\n");
  assert.equal(read.stdout_matching_lines, 2);
  assert.equal(read.stderr, "1: FAIL late\n");
  const newest = await server.ok<ReadResult>("read_job_output", {
    job_id: id,
    stream: "stdout",
    filter: "^FAIL",
    lines: 1,
  });
  assert.equal(newest.stdout, "[1 earlier matching lines not shown]\n5: FAIL test5\n");
  assert.equal(newest.stderr, "");
  const bad = await server.call("read_job_output", { job_id: id, filter: "*" });
  assert.equal(bad.isError, true);
  assert.match(bad.text, /^Invalid filter "\*": /);
});

Deno.test("read_job_output leaves the cursor of a stream it did not read where it was", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "echo out; echo err >&2"`);
  await server.waitForEnd(id);
  const first = await server.ok<ReadResult>("read_job_output", { job_id: id, stream: "stdout" });
  assert.equal(first.stdout, "out\n");
  assert.equal(first.stderr, "");
  assert.equal(first.stderr_cursor, 0);
  const passed = await server.ok<ReadResult>("read_job_output", {
    job_id: id,
    stream: "stdout",
    stdout_cursor: 0,
    stderr_cursor: 2,
  });
  assert.equal(passed.stderr_cursor, 2);
  // Passing both cursors back, as told, still reaches the stderr the first read skipped.
  const next = await server.ok<ReadResult>("read_job_output", {
    job_id: id,
    stdout_cursor: first.stdout_cursor,
    stderr_cursor: first.stderr_cursor,
  });
  assert.equal(next.stdout, "");
  assert.equal(next.stderr, "err\n");
});
