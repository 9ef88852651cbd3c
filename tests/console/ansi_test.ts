import assert from "node:assert/strict";
import { AnsiStyler, type StyledRun } from "../../lib/console/ansi.ts";

function styled(...chunks: string[]): StyledRun[] {
  const styler = new AnsiStyler();
  return [...chunks.flatMap((chunk) => styler.push(chunk)), ...styler.flush()];
}

/** The text of `chunk`'s runs, without their styles. */
function stripAnsi(chunk: string): string {
  return styled(chunk).map((run) => run.text).join("");
}

Deno.test("AnsiStyler turns basic, bright, 256 and true colours into runs", () => {
  assert.deepEqual(styled("\x1b[31ma\x1b[94mb\x1b[0m"), [
    { text: "a", fg: "#cd3131" },
    { text: "b", fg: "#3b8eea" },
  ]);
  assert.deepEqual(styled("\x1b[38;5;196mx\x1b[48;5;244my"), [
    { text: "x", fg: "#ff0000" },
    { text: "y", fg: "#ff0000", bg: "#808080" },
  ]);
  assert.deepEqual(styled("\x1b[38;2;1;2;300mz"), [{ text: "z", fg: "#0102ff" }]);
  assert.deepEqual(styled("\x1b[38:5:21mc"), [{ text: "c", fg: "#0000ff" }]);
});

Deno.test("AnsiStyler tracks weight, italics, underline and inverse, and resets", () => {
  assert.deepEqual(styled("\x1b[1;3;4;7ma\x1b[22;23mb\x1b[24;27mc\x1b[2md\x1b[me"), [
    { text: "a", bold: true, italic: true, underline: true, inverse: true },
    { text: "b", underline: true, inverse: true },
    { text: "c" },
    { text: "d", dim: true },
    { text: "e" },
  ]);
  assert.deepEqual(styled("\x1b[32;41mx\x1b[39my\x1b[49mz"), [
    { text: "x", fg: "#0dbc79", bg: "#cd3131" },
    { text: "y", bg: "#cd3131" },
    { text: "z" },
  ]);
});

Deno.test("AnsiStyler keeps an escape sequence cut by a chunk boundary for the next chunk", () => {
  assert.deepEqual(styled("a\x1b", "[3", "2mb"), [{ text: "a" }, { text: "b", fg: "#0dbc79" }]);
  assert.deepEqual(styled("a\x1b]0;ti", "tle\x07b"), [{ text: "a" }, { text: "b" }]);
  assert.deepEqual(styled("50%\r", "\n"), [{ text: "50%" }, { text: "\n" }]);
});

Deno.test("AnsiStyler drops cursor moves, titles, links and control characters", () => {
  const text =
    "\x1b[2J\x1b[1;1H\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x07be\bll\x1b7\x1b(B\x1b[?25l";
  assert.equal(styled(text).map((run) => run.text).join(""), "link bell");
  assert.equal(stripAnsi("\x1b[1m\x1b[32m✓\x1b[0m done\t1"), "✓ done\t1");
});

Deno.test("AnsiStyler shows a carriage return as a new line, so progress bars stay readable", () => {
  assert.equal(stripAnsi("10%\r20%\r\n30%\r"), "10%\n20%\n30%\n");
});

Deno.test("AnsiStyler passes markup through as text, and gives up on junk escapes", () => {
  assert.equal(stripAnsi("<script>alert(1)</script>&amp;"), "<script>alert(1)</script>&amp;");
  assert.equal(stripAnsi("\x1b[" + "1;".repeat(300) + "mok"), "ok");
  // A sequence that never ends is not held back for ever.
  const styler = new AnsiStyler();
  styler.push("\x1b]" + "t".repeat(400));
  assert.equal(styler.push("after").map((run) => run.text).join("").endsWith("after"), true);
});
