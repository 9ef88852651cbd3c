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

const ESC = 0x1b;
// How far back a read's edge looks for the escape sequence it may have cut (a hyperlink's OSC
// carries its URL, so this is more than a colour code needs).
const MAX_SEQUENCE_BYTES = 256;

/** Index just past the escape sequence at `at` (an ESC byte), or -1 when it is not complete before `limit`. */
function sequenceEnd(bytes: Uint8Array, at: number, limit: number): number {
  if (at + 1 >= limit) return -1;
  const kind = bytes[at + 1]!;
  if (kind === 0x5b) { // CSI: parameters and intermediates, then one final byte
    for (let i = at + 2; i < limit; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x40 && byte <= 0x7e) return i + 1;
      if (byte < 0x20 || byte > 0x3f) return i; // malformed: it ends where it breaks
    }
    return -1;
  }
  if (kind === 0x5d) { // OSC: up to BEL or ESC \
    for (let i = at + 2; i < limit; i++) {
      if (bytes[i] === 0x07) return i + 1;
      if (bytes[i] === ESC) return i + 1 < limit ? i + 2 : -1;
    }
    return -1;
  }
  // Two bytes, or three with an intermediate (ESC ( B).
  const length = kind >= 0x20 && kind <= 0x2f ? 3 : 2;
  return at + length <= limit ? at + length : -1;
}

/** The last ESC in `bytes[max(floor, to - MAX_SEQUENCE_BYTES), to)`, or -1. */
function lastEscape(bytes: Uint8Array, to: number, floor: number): number {
  const low = Math.max(floor, to - MAX_SEQUENCE_BYTES);
  const at = bytes.lastIndexOf(ESC, to - 1);
  return at >= low ? at : -1;
}

/**
 * Where a read that would start at `from` starts without beginning inside an escape sequence:
 * past the end of one cut at `from`, so that its tail is not shown as text (`[31m`).
 *
 * @example Usage
 * ```ts
 * import { escapeSafeStart } from "./clean_text.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("a\x1b[31mred");
 * assert.equal(escapeSafeStart(bytes, 3, bytes.length), 6); // inside "\x1b[31m": after it
 * assert.equal(escapeSafeStart(bytes, 7, bytes.length), 7);
 * ```
 */
export function escapeSafeStart(bytes: Uint8Array, from: number, limit: number): number {
  const escape = lastEscape(bytes, from, 0);
  if (escape < 0) return from;
  const end = sequenceEnd(bytes, escape, limit);
  return end > from ? end : from;
}

/**
 * Where a read that would end at `to` ends without cutting an escape sequence: before one not
 * complete by `to`, which the next read then starts with. Never at or before `floor`.
 *
 * @example Usage
 * ```ts
 * import { escapeSafeEnd } from "./clean_text.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("ok\x1b[3");
 * assert.equal(escapeSafeEnd(bytes, bytes.length, 0), 2);
 * assert.equal(escapeSafeEnd(bytes, 2, 0), 2);
 * ```
 */
export function escapeSafeEnd(bytes: Uint8Array, to: number, floor: number): number {
  const escape = lastEscape(bytes, to, floor);
  if (escape <= floor) return to;
  return sequenceEnd(bytes, escape, to) < 0 ? escape : to;
}
