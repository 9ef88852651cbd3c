import assert from "node:assert/strict";
import { OutputBuffer } from "../../lib/output/output_buffer.ts";
import { filterStream, lastLine, readStream } from "../../lib/output/reading.ts";

const encoder = new TextEncoder();

Deno.test("readStream() holds back a split character until its last byte arrives", () => {
  const buffer = new OutputBuffer(1024);
  const euro = encoder.encode("€");
  buffer.append(encoder.encode("a"));
  buffer.append(euro.subarray(0, 2));
  const first = readStream(buffer, "stdout", { cursor: 0, final: false });
  assert.equal(first.text, "a");
  assert.equal(first.cursor, 1);
  buffer.append(euro.subarray(2));
  const second = readStream(buffer, "stdout", { cursor: first.cursor, final: false });
  assert.equal(second.text, "€");
  assert.equal(second.cursor, 4);
  // max_bytes never cuts a character either.
  const bounded = readStream(buffer, "stdout", { cursor: 0, maxBytes: 3, final: false });
  assert.equal(bounded.text, "a");
  assert.equal(bounded.omittedBytes, 3);
});

Deno.test("readStream() returns a dangling partial character once the stream is final", () => {
  const buffer = new OutputBuffer(1024);
  buffer.append(encoder.encode("€").subarray(0, 2));
  const read = readStream(buffer, "stdout", { cursor: 0, final: true });
  assert.equal(read.text, "\uFFFD");
  assert.equal(read.cursor, 2);
});

Deno.test("filterStream() tests each line once across cursor reads", async () => {
  const buffer = new OutputBuffer(1024);
  buffer.append(encoder.encode("error one\nfine\nerr"));
  const first = await filterStream(buffer, "stdout", { cursor: 0, filter: /error/, final: false });
  assert.equal(first.text, "1: error one\n");
  assert.equal(first.cursor, 15); // the partial third line waits for its newline
  buffer.append(encoder.encode("or two\n"));
  const second = await filterStream(buffer, "stdout", {
    cursor: first.cursor,
    filter: /error/,
    final: false,
  });
  assert.equal(second.text, "3: error two\n");
  assert.equal(second.matchingLines, 1);
});

Deno.test("filterStream() numbers lines from the first byte even after the cap dropped some", async () => {
  const buffer = new OutputBuffer(16);
  buffer.append(encoder.encode("l1\nl2\nl3\nl4\nl5\nl6\nl7\n"));
  const read = await filterStream(buffer, "stdout", { filter: /l[67]/, final: true });
  assert.equal(read.text, "6: l6\n7: l7\n");
});

Deno.test("lastLine() finds the last non-blank line, carriage returns included", () => {
  const buffer = new OutputBuffer(1024);
  assert.equal(lastLine(buffer), null);
  buffer.append(encoder.encode("first\nprogress 10%\rprogress 50%\r\n\n"));
  assert.equal(lastLine(buffer), "progress 50%");
});

Deno.test("readStream() cut by max_bytes starts at a line, the skipped part counted in the marker", () => {
  const buffer = new OutputBuffer(1024);
  const lines = Array.from({ length: 20 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`);
  const whole = lines.join(""); // 9 bytes a line
  buffer.append(encoder.encode(whole));
  for (const maxBytes of [20, 25, 40, 44]) {
    const read = readStream(buffer, "stdout", { maxBytes, final: true });
    const [marker, ...rest] = read.text.split("\n");
    const shown = rest.join("\n");
    assert.match(shown, /^line \d{3}\n/, `max_bytes ${maxBytes}: ${JSON.stringify(shown)}`);
    assert.ok(shown.length <= maxBytes);
    // The marker's bytes, read from its cursor, are exactly what comes before the shown text.
    const [, count, cursor] = /^\[… ([\d,]+) bytes not shown; .* stdout_cursor (\d+) /.exec(
      marker,
    )!;
    const omitted = Number(count.replaceAll(",", ""));
    assert.equal(read.omittedBytes, omitted);
    const before = readStream(buffer, "stdout", {
      cursor: Number(cursor),
      maxBytes: omitted,
      final: true,
    });
    assert.equal(before.text + shown, whole);
  }
});

Deno.test("readStream() cut inside one long line still shows the newest bytes of it", () => {
  const buffer = new OutputBuffer(1024);
  buffer.append(encoder.encode("short\n" + "x".repeat(100) + "\n"));
  const read = readStream(buffer, "stdout", { maxBytes: 30, final: true });
  assert.equal(read.text.split("\n")[1], "x".repeat(29));
  assert.equal(read.omittedBytes, 77);
});
