import assert from "node:assert/strict";
import { OutputBuffer } from "../../lib/output/output_buffer.ts";
import { decodeFrom } from "../../lib/output/utf8.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** A reference model: everything ever appended, so the ring can be checked against the truth. */
function appendAll(buffer: OutputBuffer, chunks: string[]): string {
  let all = "";
  for (const chunk of chunks) {
    buffer.append(bytes(chunk));
    all += chunk;
  }
  return all;
}

Deno.test("OutputBuffer rejects a capacity that is not a positive integer", () => {
  for (const capacity of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new OutputBuffer(capacity), RangeError);
  }
});

Deno.test("OutputBuffer keeps everything below the capacity", () => {
  const buffer = new OutputBuffer(100);
  const all = appendAll(buffer, ["hello ", "", "world\n"]);
  assert.equal(buffer.text(), all);
  assert.equal(buffer.totalBytes, 12);
  assert.equal(buffer.heldBytes, 12);
  assert.equal(buffer.droppedBytes, 0);
});

Deno.test("OutputBuffer grows past its initial allocation up to the capacity", () => {
  const capacity = 100_000; // larger than the 16 KiB first allocation
  const buffer = new OutputBuffer(capacity);
  let all = "";
  for (let i = 0; all.length < 3 * capacity; i++) {
    const chunk = `line ${i} ${"x".repeat(i % 97)}\n`;
    buffer.append(bytes(chunk));
    all += chunk;
    if (i % 500 === 0) assert.equal(buffer.text(), all.slice(-capacity));
  }
  assert.equal(buffer.text(), all.slice(-capacity));
  assert.equal(buffer.heldBytes, capacity);
  assert.equal(buffer.droppedBytes, all.length - capacity);
});

Deno.test("OutputBuffer wraps around and keeps the newest bytes", () => {
  const buffer = new OutputBuffer(10);
  const all = appendAll(buffer, ["abcdefg", "hijk", "lm", "nopqrst"]);
  assert.equal(buffer.text(), all.slice(-10));
  assert.equal(buffer.totalBytes, all.length);
  assert.equal(buffer.droppedBytes, all.length - 10);
});

Deno.test("OutputBuffer keeps the tail of a chunk larger than the capacity", () => {
  const buffer = new OutputBuffer(8);
  buffer.append(bytes("abc"));
  buffer.append(bytes("0123456789ABCDEFGHIJ"));
  assert.equal(buffer.text(), "CDEFGHIJ");
  assert.equal(buffer.totalBytes, 23);
  assert.equal(buffer.droppedBytes, 15);
  // And when the ring is already wrapped, at an odd offset.
  buffer.append(bytes("xyz"));
  buffer.append(bytes("the quick brown fox"));
  assert.equal(buffer.text(), "rown fox");
});

Deno.test("OutputBuffer matches a reference model for every chunk size across many wraps", () => {
  for (const capacity of [1, 2, 7, 16, 33]) {
    const buffer = new OutputBuffer(capacity);
    let all = "";
    for (let i = 0; i < 200; i++) {
      const chunk = String.fromCharCode(97 + (i % 26)).repeat((i * 7) % (2 * capacity + 3));
      buffer.append(bytes(chunk));
      all += chunk;
      assert.equal(buffer.text(), all.slice(-capacity), `capacity ${capacity}, step ${i}`);
    }
  }
});

Deno.test("OutputBuffer.read returns bytes from a cursor and the next cursor", () => {
  const buffer = new OutputBuffer(100);
  buffer.append(bytes("first "));
  const cursor = buffer.totalBytes;
  buffer.append(bytes("second"));
  const range = buffer.read(cursor);
  assert.equal(range.start, 6);
  assert.equal(range.end, 12);
  assert.equal(new TextDecoder().decode(range.bytes), "second");
  assert.equal(buffer.read(range.end).bytes.length, 0);
});

Deno.test("OutputBuffer.read clamps a cursor into dropped data to the oldest held byte", () => {
  const buffer = new OutputBuffer(5);
  buffer.append(bytes("0123456789"));
  const range = buffer.read(2);
  assert.equal(range.start, 5);
  assert.equal(range.end, 10);
  assert.equal(new TextDecoder().decode(range.bytes), "56789");
  // A cursor past the end is clamped to the end: nothing to read.
  const ahead = buffer.read(50);
  assert.equal(ahead.start, 10);
  assert.equal(ahead.bytes.length, 0);
  // A negative cursor means "from the oldest".
  assert.equal(buffer.read(-3).start, 5);
});

Deno.test("OutputBuffer.tail returns the last lines with and without a trailing newline", () => {
  const buffer = new OutputBuffer(1000);
  buffer.append(bytes("one\ntwo\nthree\n"));
  assert.equal(buffer.tail(1), "three\n");
  assert.equal(buffer.tail(2), "two\nthree\n");
  assert.equal(buffer.tail(3), "one\ntwo\nthree\n");
  assert.equal(buffer.tail(50), "one\ntwo\nthree\n");
  buffer.append(bytes("four"));
  assert.equal(buffer.tail(1), "four");
  assert.equal(buffer.tail(2), "three\nfour");
  assert.equal(buffer.lineStart(1), "one\ntwo\nthree\n".length);
});

Deno.test("OutputBuffer.tail of an empty buffer and of empty lines", () => {
  const empty = new OutputBuffer(10);
  assert.equal(empty.tail(5), "");
  assert.equal(empty.lineStart(5), 0);
  const blank = new OutputBuffer(10);
  blank.append(bytes("\n\n\n"));
  assert.equal(blank.tail(1), "\n");
  assert.equal(blank.tail(2), "\n\n");
  assert.equal(blank.tail(9), "\n\n\n");
});

Deno.test("OutputBuffer.tail finds lines across the wrap point", () => {
  for (const capacity of [8, 9, 10, 11, 12, 13]) {
    const buffer = new OutputBuffer(capacity);
    let all = "";
    for (let i = 0; i < 60; i++) {
      const chunk = i % 3 === 0
        ? `${i}\n`
        : `${"ab".slice(0, i % 2 + 1)}${i % 5 === 0 ? "\n" : ""}`;
      buffer.append(bytes(chunk));
      all += chunk;
      const held = all.slice(-capacity);
      for (const lines of [1, 2, 3, 10]) {
        assert.equal(buffer.tail(lines), referenceTail(held, lines), `cap ${capacity} step ${i}`);
      }
    }
  }
});

/** The last `lines` lines of `text` (a final newline does not start a new line). */
function referenceTail(text: string, lines: number): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const parts = body.split("\n");
  if (parts.length <= lines) return text;
  return parts.slice(-lines).join("\n") + (text.endsWith("\n") ? "\n" : "");
}

Deno.test("OutputBuffer.tail of a single line longer than the capacity is its newest bytes", () => {
  const buffer = new OutputBuffer(1024);
  for (let i = 0; i < 1000; i++) buffer.append(bytes("x".repeat(997)));
  buffer.append(bytes("END"));
  const tail = buffer.tail(1);
  assert.equal(tail.length, 1024);
  assert.ok(tail.endsWith("xEND"));
  assert.equal(buffer.tail(1000), tail);
});

Deno.test("OutputBuffer decodes invalid UTF-8 with replacement characters", () => {
  const buffer = new OutputBuffer(100);
  buffer.append(new Uint8Array([0xff, 0xfe, 0x61, 0x62, 0x0a, 0xc3]));
  buffer.end();
  assert.equal(buffer.text(), "\uFFFD\uFFFDab\n\uFFFD");
  assert.equal(buffer.tail(1), "\uFFFD");
});

Deno.test("OutputBuffer holds back a trailing half-written character until the stream ends", () => {
  const buffer = new OutputBuffer(100);
  const euro = bytes("€");
  buffer.append(bytes("one\ntwo\n"));
  buffer.append(euro.subarray(0, 2));
  // Its line has not begun yet for any reader: tail and text agree with readStream.
  assert.equal(buffer.text(), "one\ntwo\n");
  assert.equal(buffer.tail(1), "two\n");
  assert.equal(buffer.completeBytes, 8);
  buffer.append(euro.subarray(2));
  assert.equal(buffer.tail(1), "€");
  buffer.append(euro.subarray(0, 1));
  buffer.end();
  assert.equal(buffer.tail(1), "€\uFFFD");
  assert.equal(buffer.completeBytes, buffer.totalBytes);
});

Deno.test("OutputBuffer skips a character cut in half by the cap instead of garbling it", () => {
  const buffer = new OutputBuffer(5);
  buffer.append(bytes("aé€x")); // 1 + 2 + 3 + 1 bytes; the newest 5 start inside "é"
  assert.equal(buffer.text(), "€x");
  const split = new OutputBuffer(100);
  split.append(bytes("€"));
  split.append(bytes("€"));
  // A cursor in the middle of a character: the orphaned continuation bytes are skipped.
  assert.equal(decodeFrom(split.read(1), false), "€");
  assert.equal(decodeFrom(split.read(3), false), "€");
  assert.equal(
    decodeFrom(split.read(4), false),
    "",
    "only the tail of a character is left: nothing to show",
  );
});

Deno.test("decodeFrom keeps a character whose bytes arrived in separate chunks", () => {
  const buffer = new OutputBuffer(100);
  const euro = bytes("€");
  buffer.append(euro.subarray(0, 1));
  buffer.append(euro.subarray(1));
  assert.equal(buffer.text(), "€");
});

Deno.test("release() frees what is held; offsets go on, and later bytes are held again", () => {
  const capacity = 100_000;
  const buffer = new OutputBuffer(capacity);
  const first = new Uint8Array(70_000).fill(0x61);
  buffer.append(first);
  assert.equal(buffer.release(), 70_000);
  assert.deepEqual([buffer.heldBytes, buffer.droppedBytes, buffer.releasedBytes], [
    0,
    70_000,
    70_000,
  ]);
  assert.deepEqual(buffer.read(0), { start: 70_000, end: 70_000, bytes: new Uint8Array() });
  // Written after the release, across page boundaries and the ring's wrap.
  const second = Uint8Array.from(
    { length: 150_000 },
    (_, i) => (i % 7 === 6 ? 0x0a : 0x30 + (i % 7)),
  );
  for (let at = 0; at < second.length; at += 30_001) {
    buffer.append(second.subarray(at, at + 30_001));
  }
  assert.equal(buffer.totalBytes, 220_000);
  assert.equal(buffer.heldBytes, capacity);
  assert.equal(buffer.releasedBytes, 70_000);
  const range = buffer.read(0);
  assert.equal(range.start, 120_000);
  assert.deepEqual(range.bytes, second.subarray(50_000));
  assert.equal(buffer.tail(2), "012345\n0123");
  assert.equal(buffer.release(), capacity);
  assert.equal(buffer.releasedBytes, 70_000 + capacity);
});

Deno.test("OutputBuffer finds and counts newlines in place, across pages and the wrap", () => {
  const capacity = 3 * 65536 + 100; // several pages, the last one short
  const buffer = new OutputBuffer(capacity);
  let stream = "";
  for (let i = 0; buffer.totalBytes < 3 * capacity; i++) {
    const chunk = `${"x".repeat((i * 7919) % 20000)}\n${i}`;
    buffer.append(bytes(chunk));
    stream += chunk;
  }
  const oldest = buffer.totalBytes - buffer.heldBytes;
  for (let from = 0; from < buffer.totalBytes; from += 9973) {
    const start = Math.max(from, oldest);
    const held = stream.slice(start);
    const next = held.indexOf("\n");
    assert.equal(buffer.indexOfNewline(from), next < 0 ? -1 : start + next, `from ${from}`);
    assert.equal(buffer.newlinesFrom(from), held.split("\n").length - 1, `from ${from}`);
  }
  assert.equal(buffer.indexOfNewline(buffer.totalBytes), -1);
});
