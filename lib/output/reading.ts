/**
 * Reading a job's output in pieces: from a cursor, bounded by bytes or lines, or filtered by a
 * regular expression. Cursors are absolute byte offsets into a stream (see {@linkcode OutputBuffer}),
 * and no read splits a UTF-8 character, so consecutive cursor reads return each byte exactly once.
 *
 * @module
 */
import type { OutputBuffer } from "./output_buffer.ts";
import { ToolError } from "../errors.ts";
import { countNewlines } from "./newlines.ts";
import { firstLinesEnd, lineText, splitLines } from "./lines.ts";
import { decodeFrom, decodeUtf8, orphanedHead, orphanedPrefix, utf8SafeLength } from "./utf8.ts";

const encoder = new TextEncoder();

/** How to read one stream. */
export interface StreamReadOptions {
  /** Read only what came after this absolute offset; `undefined` reads all held output. */
  readonly cursor?: number;
  /** Return at most this many bytes of text (of matching lines, with `filter`). */
  readonly maxBytes?: number;
  /** Return at most this many lines (matching lines, with `filter`). */
  readonly lines?: number;
  /** Return only the lines this matches, as `<line number>: <text>`. */
  readonly filter?: RegExp;
  /** No more bytes will arrive: a trailing partial character or line is returned as it is. */
  readonly final: boolean;
}

/** One stream's part of a read. */
export interface StreamRead {
  readonly text: string;
  /** Pass this back as the cursor to continue right after what was returned. */
  readonly cursor: number;
  /** Bytes after the given cursor that the size cap dropped before this read. */
  readonly lostBytes: number;
  /** Bytes of the requested range that `maxBytes`/`lines` left out of `text`. */
  readonly omittedBytes: number;
  /** With `filter`: matching lines found in the range (shown or not); otherwise `null`. */
  readonly matchingLines: number | null;
}

/**
 * Reads one stream. Without a cursor the bounds keep the newest output (like `tail`); with a
 * cursor the read goes forward from it and the returned cursor continues where it stopped.
 *
 * @throws {ToolError} when `cursor` is past the end of the stream.
 */
export function readStream(
  buffer: OutputBuffer,
  name: string,
  options: StreamReadOptions,
): StreamRead {
  const total = buffer.totalBytes;
  const { cursor } = options;
  if (cursor !== undefined && cursor > total) {
    throw new ToolError(
      `Cannot read ${name} from cursor ${cursor}: the stream has only ${total} bytes so far`,
    );
  }
  const range = buffer.read(cursor ?? 0);
  const bytes = range.bytes;
  const skip = orphanedHead(range);
  const lostBytes = cursor === undefined ? 0 : range.start - cursor + skip;
  const end = options.final ? bytes.length : utf8SafeLength(bytes);
  if (options.filter !== undefined) {
    const linesBefore = buffer.totalNewlines - countNewlines(bytes);
    return filterLines(bytes, { ...options, filter: options.filter }, {
      base: range.start,
      start: skip,
      end,
      lostBytes,
      firstLine: linesBefore + 1,
    });
  }
  let start = skip;
  let stop = end;
  if (cursor === undefined) {
    if (options.lines !== undefined) {
      start = Math.max(start, buffer.lineStart(options.lines, range.start + stop) - range.start);
    }
    if (options.maxBytes !== undefined && stop - start > options.maxBytes) {
      start = stop - options.maxBytes;
      start += orphanedPrefix(bytes, start);
    }
  } else {
    if (options.lines !== undefined) stop = firstLinesEnd(bytes, start, stop, options.lines);
    if (options.maxBytes !== undefined && stop - start > options.maxBytes) {
      stop = utf8SafeLength(bytes, start + options.maxBytes);
    }
  }
  const omittedBytes = cursor === undefined ? start - skip : end - stop;
  let text = decodeUtf8(bytes.subarray(start, stop));
  if (cursor === undefined && omittedBytes > 0) {
    text = `[${omittedBytes} earlier bytes not shown]\n${text}`;
  }
  return {
    text,
    cursor: range.start + stop,
    lostBytes,
    omittedBytes,
    matchingLines: null,
  };
}

interface FilterRange {
  /** Absolute offset of `bytes[0]`. */
  readonly base: number;
  readonly start: number;
  readonly end: number;
  readonly lostBytes: number;
  /** 1-based line number of the line that starts at `start`. */
  readonly firstLine: number;
}

/**
 * Tests each line of the range once. Without a cursor the newest matches are kept; with one the
 * first matches are returned and the cursor stops after the last line examined, never inside a
 * line that may still grow (unless the stream is final).
 */
function filterLines(
  bytes: Uint8Array,
  options: StreamReadOptions & { filter: RegExp },
  range: FilterRange,
): StreamRead {
  const forward = options.cursor !== undefined;
  const matches: { line: number; text: string; bytes: number }[] = [];
  let shownBytes = 0;
  let omittedBytes = 0;
  let matchingLines = 0;
  let scannedTo = range.start;
  let line = range.firstLine;
  for (const slice of splitLines(bytes, range.start, range.end, options.final)) {
    const text = lineText(bytes.subarray(slice.start, slice.end));
    if (options.filter.test(text)) {
      matchingLines++;
      const entry = { line, text, bytes: encoder.encode(`${line}: ${text}\n`).length };
      if (forward) {
        const full = (options.lines !== undefined && matches.length >= options.lines) ||
          (options.maxBytes !== undefined && shownBytes + entry.bytes > options.maxBytes &&
            matches.length > 0);
        if (full) {
          matchingLines--;
          break; // this line is left for the next read
        }
      }
      matches.push(entry);
      shownBytes += entry.bytes;
    }
    scannedTo = slice.end;
    line++;
  }
  if (!forward) {
    // Keep the newest matches within the bounds.
    while (
      matches.length > 0 &&
      ((options.lines !== undefined && matches.length > options.lines) ||
        (options.maxBytes !== undefined && shownBytes > options.maxBytes && matches.length > 1))
    ) {
      const dropped = matches.shift()!;
      shownBytes -= dropped.bytes;
      omittedBytes += dropped.bytes;
    }
  }
  let text = matches.map((match) => `${match.line}: ${match.text}\n`).join("");
  const omittedMatches = matchingLines - matches.length;
  if (omittedMatches > 0) text = `[${omittedMatches} earlier matching lines not shown]\n${text}`;
  return {
    text,
    cursor: range.base + scannedTo,
    lostBytes: range.lostBytes,
    omittedBytes,
    matchingLines,
  };
}

/** The maximum length of a regular expression a client may send. */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * Compiles a client's regular expression (JavaScript syntax, no flags).
 *
 * @throws {ToolError} naming the parameter and the pattern when it is invalid or too long.
 */
export function compilePattern(parameter: string, pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ToolError(
      `Invalid ${parameter}: the pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`,
    );
  }
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new ToolError(
      `Invalid ${parameter} ${JSON.stringify(pattern)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The last non-blank line a stream holds (a `\r` also ends a line, for progress bars), cut to
 * 200 characters; `null` when there is none.
 */
export function lastLine(buffer: OutputBuffer): string | null {
  const text = decodeFrom(buffer.read(buffer.totalBytes - 4096), buffer.ended);
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line !== "") return line.length > 200 ? `${line.slice(0, 200)}…` : line;
  }
  return null;
}
