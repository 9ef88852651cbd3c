import assert from "node:assert/strict";
import { cleanText } from "../../lib/output/clean_text.ts";

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
