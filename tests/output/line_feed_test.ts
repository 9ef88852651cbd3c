import assert from "node:assert/strict";
import { LineFeed, type LineReader } from "../../lib/output/line_feed.ts";
import { OutputBuffer } from "../../lib/output/output_buffer.ts";
import type { LineTest } from "../../lib/output/line_pattern.ts";
import { compilePattern } from "../../lib/output/line_pattern.ts";

const encoder = new TextEncoder();

interface Outcome {
  readonly reader: LineReader;
  /** `line: text`, or `caught up` when every line was tested without a match. */
  readonly result: Promise<string>;
}

function follow(buffer: OutputBuffer, pattern: LineTest, from = 0): Outcome {
  const { promise, resolve } = Promise.withResolvers<string>();
  const reader = LineFeed.of(buffer).read(pattern, from, {
    matched: (line, text, complete) => resolve(`${line}: ${text}${complete ? "" : " (partial)"}`),
    caughtUp: () => resolve("caught up"),
  });
  return { reader, result: promise };
}

Deno.test("LineFeed splits and decodes each line once for all its readers", async () => {
  const buffer = new OutputBuffer(4 * 1024 * 1024);
  const lines = 100_000;
  buffer.append(encoder.encode(Array.from({ length: lines }, (_, i) => `line ${i}\n`).join("")));
  let copied = 0;
  const read = buffer.read.bind(buffer);
  buffer.read = (from?: number, to?: number) => {
    const range = read(from, to);
    copied += range.bytes.length;
    return range;
  };
  const readers = Array.from({ length: 50 }, () => follow(buffer, compilePattern("p", "^never$")));
  for (const { reader, result } of readers) {
    assert.equal(await result, "caught up");
    assert.equal(reader.position, buffer.totalBytes);
    assert.equal(reader.line, lines + 1);
    reader.close();
  }
  assert.ok(copied < 2 * buffer.totalBytes, `copied ${copied} bytes of ${buffer.totalBytes}`);
});

Deno.test("LineFeed gives each reader the lines after its own position", async () => {
  const buffer = new OutputBuffer(1024);
  buffer.append(encoder.encode("hello world\nnext world\nlast\n"));
  const pattern = /world$/;
  const fromStart = follow(buffer, pattern, 0);
  const insideLine = follow(buffer, /^world$/, 6); // the rest of line 1 is a line of its own
  const later = follow(buffer, pattern, 12);
  assert.equal(await fromStart.result, "1: hello world");
  assert.equal(await insideLine.result, "1: world");
  assert.equal(await later.result, "2: next world");
  assert.equal(later.reader.position, 23);
});

Deno.test("LineFeed tests a line without a newline only when asked, and keeps its place", async () => {
  const buffer = new OutputBuffer(1024);
  buffer.append(encoder.encode("login\nPassword: "));
  const first = follow(buffer, /^Password: $/);
  assert.equal(await first.result, "caught up");
  const { promise, resolve } = Promise.withResolvers<string>();
  const reader = LineFeed.of(buffer).read(/^Password: $/, first.reader.position, {
    matched: (line, text, complete) => resolve(`${line}: ${text} ${complete}`),
  });
  first.reader.close();
  reader.requestPartial();
  assert.equal(await promise, "2: Password:  false");
  assert.equal(reader.position, 6); // the line may still grow: not passed
});

Deno.test("LineFeed goes on after output the cap dropped, with true line numbers", async () => {
  const buffer = new OutputBuffer(16);
  const reader = follow(buffer, /^l7$/);
  buffer.append(encoder.encode("l1\nl2\nl3\nl4\nl5\nl6\nl7\n"));
  assert.equal(await reader.result, "7: l7");
});

Deno.test("LineFeed holds back a character still arriving in a partial line", async () => {
  const buffer = new OutputBuffer(64);
  const euro = encoder.encode("€");
  buffer.append(encoder.encode("price 5"));
  buffer.append(euro.subarray(0, 2));
  const seen = Promise.withResolvers<string>();
  const reader = LineFeed.of(buffer).read({ test: (line) => (seen.resolve(line), false) }, 0, {
    matched: () => {},
  });
  reader.requestPartial();
  assert.equal(await seen.promise, "price 5");
  reader.close();
});
