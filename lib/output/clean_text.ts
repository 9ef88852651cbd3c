/**
 * Output as a person would see it on a terminal, for agents: colour and other control sequences
 * removed, and each line in its last state — a progress bar redrawn with `\r` a thousand times is
 * shown once, as it ended. Applied when output is read, never when it is stored.
 *
 * @module
 */

// Anything a terminal would not print as it is: C0 controls other than \t and \n, DEL, C1 CSI/OSC.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x9b\x9d]/;

// One control token: CSI (groups 1-2, or 3-4 in its one-byte C1 form), OSC, a DCS/SOS/PM/APC
// string, a two-byte escape, or a single control character.
const TOKEN = new RegExp(
  [
    "\\x1b\\[([0-?]*)[ -/]*([@-~])",
    "\\x9b([0-?]*)[ -/]*([@-~])",
    "(?:\\x1b\\]|\\x9d)[^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)?",
    "\\x1b[P^_X][^\\x1b]*(?:\\x1b\\\\)?",
    "\\x1b[ -/]*[0-~]?",
    "[\\x00-\\x08\\x0b-\\x1f\\x7f]",
  ].join("|"),
  "g",
);

/**
 * `text` as a terminal would show it: escape sequences (colours, cursor moves, titles) and other
 * control characters removed; within each line, `\r` returns to the start and later text
 * overwrites earlier text, `\b` steps back, and erase-in-line (`ESC[K`) clears.
 *
 * @example Usage
 * ```ts
 * import { cleanText } from "./clean_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(cleanText("\x1b[31mred\x1b[0m\n"), "red\n");
 * assert.equal(cleanText("10%\r55%\r100%\ndone\n"), "100%\ndone\n");
 * assert.equal(cleanText("downloading files\r\x1b[Kok\n"), "ok\n");
 * ```
 */
export function cleanText(text: string): string {
  if (!CONTROL.test(text)) return text;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (CONTROL.test(lines[i]!)) lines[i] = cleanLine(lines[i]!);
  }
  return lines.join("\n");
}

// Tokens that move the cursor or erase: without one, removing the tokens is all there is to do.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const MOVES = /[\r\b]|(?:\x1b\[|\x9b)[0-?]*[ -/]*[KGCD]/;

/**
 * One line (no `\n`) replayed on a one-line screen. The screen is an array of UTF-16 units, so
 * a long line rewritten many times costs time in proportion to what is written, not its square.
 */
function cleanLine(line: string): string {
  if (!MOVES.test(line)) return line.replace(TOKEN, "");
  const screen: string[] = [];
  let cursor = 0;
  const write = (from: number, to: number) => {
    for (let i = from; i < to; i++) screen[cursor++] = line[i]!;
  };
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(line); match !== null; match = TOKEN.exec(line)) {
    write(last, match.index);
    last = TOKEN.lastIndex;
    const final = match[2] ?? match[4];
    if (final !== undefined) {
      const n = Number.parseInt(match[1] ?? match[3] ?? "", 10) || 0;
      if (final === "K") {
        if (n === 0) screen.length = Math.min(screen.length, cursor);
        else if (n === 1) screen.fill(" ", 0, Math.min(cursor, screen.length));
        else screen.length = 0;
      } else if (final === "G") cursor = Math.max(0, n - 1);
      else if (final === "C") cursor += Math.max(1, n);
      else if (final === "D") cursor = Math.max(0, cursor - Math.max(1, n));
    } else if (match[0] === "\r") cursor = 0;
    else if (match[0] === "\b") cursor = Math.max(0, cursor - 1);
  }
  write(last, line.length);
  // Columns skipped by a cursor move and never written show as spaces.
  for (let i = 0; i < screen.length; i++) screen[i] ??= " ";
  return screen.join("");
}
