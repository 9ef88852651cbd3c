import assert from "node:assert/strict";
import { cleanText, escapeSafeEnd, escapeSafeStart } from "../../lib/output/clean_text.ts";
import { OutputBuffer } from "../../lib/output/output_buffer.ts";
import { readStream } from "../../lib/output/reading.ts";

Deno.test("cleanText removes colour, cursor, title and other escape sequences", () => {
  assert.equal(
    cleanText("\x1b[31mred\x1b[0m plain \x1b[1;38;5;208mbold\x1b[m\n"),
    "red plain bold\n",
  );
  assert.equal(cleanText("\x1b]0;my title\x07prompt$ "), "prompt$ ");
  assert.equal(cleanText("\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\"), "link");
  assert.equal(cleanText("\x1b[?25lhidden cursor\x1b[?25h"), "hidden cursor");
  assert.equal(cleanText("\x1b(Bcharset\x1b7saved\x1b8"), "charsetsaved");
  assert.equal(cleanText("\x9b32mC1 form\x9b0m"), "C1 form");
  assert.equal(cleanText("bell\x07 nul\x00 done"), "bell nul done");
  assert.equal(cleanText("cut at the end \x1b["), "cut at the end ");
  assert.equal(cleanText("tabs\tstay\n"), "tabs\tstay\n");
});

Deno.test("cleanText shows a line rewritten with \\r in its last state", () => {
  assert.equal(cleanText("[#   ] 10%\r[##  ] 50%\r[####] 100%\n"), "[####] 100%\n");
  // A shorter rewrite leaves the end of the longer one, as a terminal does.
  assert.equal(cleanText("abcdef\rXY"), "XYcdef");
  // Erase-in-line after \r clears what the new text does not cover.
  assert.equal(cleanText("downloading 100 files\r\x1b[2Kdone\n"), "done\n");
  assert.equal(cleanText("downloading 100 files\r\x1b[Kdone\n"), "done\n");
  // \r\n line endings are line endings.
  assert.equal(cleanText("one\r\ntwo\r\n"), "one\ntwo\n");
  // A trailing \r (the bar is about to be redrawn) keeps the current state.
  assert.equal(cleanText("step 3/10\r"), "step 3/10");
});

Deno.test("cleanText handles backspace and cursor columns", () => {
  assert.equal(cleanText("spin |\b/\b-\b\\\n"), "spin \\\n");
  assert.equal(cleanText("abc\x1b[1Gx"), "xbc");
  assert.equal(cleanText("a\x1b[3Cb"), "a   b");
  assert.equal(cleanText("abcd\x1b[2DX"), "abXd");
});

Deno.test("cleanText leaves plain text as it is and the number of lines unchanged", () => {
  const plain = "line one\nline two é€😀\n";
  assert.equal(cleanText(plain), plain);
  const noisy = "\x1b[32mok\x1b[0m\n10%\r100%\n\x1b[2K\n";
  assert.equal(cleanText(noisy).split("\n").length, noisy.split("\n").length);
});

Deno.test("cleanText takes time in proportion to a long line rewritten many times", () => {
  // 1 MB written, then 200,000 single-character rewrites of its start: quadratic work would be
  // 200 GB of copying; replayed on an array it is about 1.2 million writes.
  const line = "x".repeat(1_000_000) + "\ry".repeat(200_000);
  const cleaned = cleanText(line);
  assert.equal(cleaned.length, 1_000_000);
  assert.equal(cleaned.slice(0, 2), "yx");
});

Deno.test("reads cut by a byte budget never show the tail of an escape sequence as text", () => {
  const buffer = new OutputBuffer(1 << 20);
  let written = "";
  for (let i = 0; i < 500; i++) {
    written += `\x1b[1;3${i % 8}mline ${i}\x1b[0m \x1b]8;;https://x/${i}\x07l\x1b]8;;\x07\n`;
  }
  buffer.append(new TextEncoder().encode(written));
  buffer.end();
  const expected = cleanText(written);
  // Newest-kept reads of every size start cleanly: the text is a tail of the clean whole.
  for (let maxBytes = 16; maxBytes < 200; maxBytes++) {
    const read = readStream(buffer, "stdout", { maxBytes, final: true });
    const shown = read.text.slice(read.text.indexOf("\n") + 1);
    assert.ok(expected.endsWith(shown), `max_bytes ${maxBytes}: ${JSON.stringify(shown)}`);
  }
  // Forward reads in small pieces (each larger than one sequence), put together, are the clean whole.
  for (const maxBytes of [32, 33, 47, 100]) {
    let cursor = 0;
    let text = "";
    while (cursor < buffer.totalBytes) {
      const read = readStream(buffer, "stdout", { cursor, maxBytes, final: true });
      assert.ok(read.cursor > cursor, "every read makes progress");
      text += read.text;
      cursor = read.cursor;
    }
    assert.equal(text, expected, `max_bytes ${maxBytes}`);
  }
});

Deno.test("escapeSafeEnd holds back a sequence still arriving; escapeSafeStart skips a cut one", () => {
  const bytes = new TextEncoder().encode("ok\x1b]0;title");
  assert.equal(escapeSafeEnd(bytes, bytes.length, 0), 2);
  assert.equal(escapeSafeEnd(bytes, bytes.length, 2), bytes.length); // never no progress
  const done = new TextEncoder().encode("ok\x1b]0;title\x07x");
  assert.equal(escapeSafeEnd(done, done.length, 0), done.length);
  assert.equal(escapeSafeStart(done, 5, done.length), done.length - 1);
});
