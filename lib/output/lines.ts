/**
 * Splitting output into lines: the one line iterator that the regex filter and the waiters use,
 * and the text of a line as a pattern sees it.
 *
 * @module
 */
import { NEWLINE } from "./newlines.ts";
import { decodeUtf8 } from "./utf8.ts";
import { cleanText } from "./clean_text.ts";

/** A line longer than this is shown (and tested) cut, ending in an ellipsis. */
export const MAX_MATCH_CHARS = 1000;
// No UTF-16 unit takes more than 3 UTF-8 bytes: decoding this much shows whether a line is cut.
const MAX_LINE_BYTES = 3 * MAX_MATCH_CHARS + 3;

/**
 * Where the line that starts at `start` in `bytes[start, end)` ends: just past its newline; or,
 * when it has none yet, at `end` if `partial` is set (a line that may still grow), else -1.
 * The one place output is split into lines.
 *
 * @example Usage
 * ```ts
 * import { lineEnd } from "./lines.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("a\nbc");
 * assert.equal(lineEnd(bytes, 0, bytes.length, false), 2);
 * assert.equal(lineEnd(bytes, 2, bytes.length, false), -1);
 * assert.equal(lineEnd(bytes, 2, bytes.length, true), 4);
 * ```
 */
export function lineEnd(bytes: Uint8Array, start: number, end: number, partial: boolean): number {
  if (start >= end) return -1;
  const newline = bytes.indexOf(NEWLINE, start);
  if (newline >= 0 && newline < end) return newline + 1;
  return partial ? end : -1;
}

/**
 * Where the first `lines` lines of `bytes[start, end)` end: just past the last newline counted,
 * or `end` when there are fewer.
 *
 * @example Usage
 * ```ts
 * import { firstLinesEnd } from "./lines.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("a\nb\nc");
 * assert.equal(firstLinesEnd(bytes, 0, bytes.length, 1), 2);
 * assert.equal(firstLinesEnd(bytes, 0, bytes.length, 5), 5);
 * ```
 */
export function firstLinesEnd(
  bytes: Uint8Array,
  start: number,
  end: number,
  lines: number,
): number {
  let position = start;
  for (let found = 0; found < lines; found++) {
    const newline = bytes.indexOf(NEWLINE, position);
    if (newline < 0 || newline >= end) return end;
    position = newline + 1;
  }
  return position;
}

/**
 * Decodes one line as a pattern sees it and a reader is shown it: without its line ending
 * (`\n` or `\r\n`), as a terminal would show it (see {@linkcode cleanText}) unless `raw`, cut to
 * {@linkcode MAX_MATCH_CHARS} characters and an ellipsis.
 *
 * @example Usage
 * ```ts
 * import { lineText } from "./lines.ts";
 * import assert from "node:assert/strict";
 * const line = new TextEncoder().encode("\x1b[32mready\x1b[0m\r\n");
 * assert.equal(lineText(line), "ready");
 * assert.equal(lineText(line, true), "\x1b[32mready\x1b[0m");
 * ```
 */
export function lineText(bytes: Uint8Array, raw = false): string {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === NEWLINE) end--;
  const decoded = decodeUtf8(bytes.subarray(0, Math.min(end, MAX_LINE_BYTES)));
  return shown(decoded, raw, end > MAX_LINE_BYTES);
}

/**
 * A decoded line without its newline, as a pattern sees it: no final `\r`, cleaned unless `raw`,
 * cut when long — or when its bytes were `cut` before decoding, however short cleaning made it.
 */
function shown(text: string, raw: boolean, cut = false): string {
  const line = text.endsWith("\r") ? text.slice(0, -1) : text;
  const body = raw ? line : cleanText(line);
  return cut || body.length > MAX_MATCH_CHARS ? `${body.slice(0, MAX_MATCH_CHARS)}…` : body;
}

/** Lines decoded together, in order. */
export interface LineBatch {
  /** Each line's text, as {@linkcode lineText} gives it. */
  readonly texts: string[];
  /** Index just past each line, and past its newline when it is complete. */
  readonly ends: number[];
}

/** How many bytes of lines {@linkcode decodeLines} decodes at most in one batch, by default. */
export const BATCH_BYTES = 64 * 1024;

/**
 * The lines of `bytes[from, end)` that start within `maxBytes` of `from`, as
 * {@linkcode lineEnd} finds them, each decoded as {@linkcode lineText} would: runs of lines are
 * decoded in one call, which is several times faster than one call per line.
 *
 * @example Usage
 * ```ts
 * import { decodeLines } from "./lines.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("one\r\ntwo\nthr");
 * assert.deepEqual(decodeLines(bytes, 0, bytes.length, true), {
 *   texts: ["one", "two", "thr"],
 *   ends: [5, 9, 12],
 * });
 * ```
 */
export function decodeLines(
  bytes: Uint8Array,
  from: number,
  end: number,
  partial: boolean,
  maxBytes: number = BATCH_BYTES,
  raw = false,
): LineBatch {
  const texts: string[] = [];
  const ends: number[] = [];
  let run = from; // the first line not yet decoded: complete lines short enough to decode together
  const decodeRun = (to: number) => {
    if (to === run) return;
    const parts = decodeUtf8(bytes.subarray(run, to)).split("\n");
    parts.pop(); // the empty string after the run's last newline
    for (const part of parts) texts.push(shown(part, raw));
  };
  for (let start = from; start - from < maxBytes;) {
    const stop = lineEnd(bytes, start, end, partial);
    if (stop < 0) break;
    if (bytes[stop - 1] !== NEWLINE || stop - start > MAX_LINE_BYTES) {
      decodeRun(start);
      texts.push(lineText(bytes.subarray(start, stop), raw));
      run = stop;
    }
    ends.push(stop);
    start = stop;
  }
  decodeRun(ends.at(-1) ?? from);
  return { texts, ends };
}
