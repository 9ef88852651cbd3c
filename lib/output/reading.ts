/**
 * Reading a job's output in pieces: from a cursor, bounded by bytes or lines, or filtered by a
 * regular expression. Cursors are absolute byte offsets into a stream (see {@linkcode OutputBuffer}),
 * and no read splits a UTF-8 character, so consecutive cursor reads return each byte exactly once.
 *
 * @module
 */
import type { OutputBuffer } from "./output_buffer.ts";
import { ToolError } from "../errors.ts";
import { countNewlines, NEWLINE } from "./newlines.ts";
import { decodeLines, firstLinesEnd } from "./lines.ts";
import { WorkSlice } from "../work_slice.ts";
import { MatchingLines } from "./matching_lines.ts";
import type { LineTest } from "./line_pattern.ts";
import { decodeFrom, decodeUtf8, orphanedHead, orphanedPrefix, utf8SafeLength } from "./utf8.ts";
import { cleanText, escapeSafeEnd, escapeSafeStart } from "./clean_text.ts";

/** How to read one stream. */
export interface StreamReadOptions {
  /** Read only what came after this absolute offset; `undefined` reads all held output. */
  readonly cursor?: number;
  /** Return at most this many bytes of text (of matching lines, with `filter`). */
  readonly maxBytes?: number;
  /** Return at most this many lines (matching lines, with `filter`). */
  readonly lines?: number;
  /** No more bytes will arrive: a trailing partial character or line is returned as it is. */
  readonly final: boolean;
  /** Without a cursor: only output from this absolute offset on (still the newest within bounds). */
  readonly since?: number;
  /** Text as written: control sequences and `\r`-rewritten lines are not cleaned. */
  readonly raw?: boolean;
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

/** What a read covers: a snapshot of the stream from the cursor, its edges settled. */
interface Snapshot {
  /** Absolute offset of `bytes[0]`. */
  readonly base: number;
  readonly bytes: Uint8Array;
  /** Index of the first byte to show: past the tail of a character cut off before it. */
  readonly start: number;
  /** Index just past the last byte to show: before a character still arriving. */
  readonly end: number;
  readonly lostBytes: number;
}

/** @throws {ToolError} when `cursor` is past the end of the stream. */
function snapshot(buffer: OutputBuffer, name: string, options: StreamReadOptions): Snapshot {
  const total = buffer.totalBytes;
  const { cursor } = options;
  if (cursor !== undefined && cursor > total) {
    throw new ToolError(
      `Cannot read ${name} from cursor ${cursor}: the stream has only ${total} bytes so far`,
    );
  }
  const range = buffer.read(cursor ?? options.since ?? 0);
  const { bytes } = range;
  const start = orphanedHead(range);
  return {
    base: range.start,
    bytes,
    start,
    end: options.final ? bytes.length : utf8SafeLength(bytes),
    lostBytes: cursor === undefined ? 0 : range.start - cursor + start,
  };
}

/**
 * Where the first whole line in `bytes[from, stop)` starts, when `from` cuts one and a whole line
 * follows within the range: a budget-cut read shows lines, not a line's tail.
 */
function lineBoundaryAfter(bytes: Uint8Array, from: number, stop: number): number | undefined {
  if (from === 0 || bytes[from - 1] === NEWLINE) return from;
  const newline = bytes.indexOf(NEWLINE, from);
  // Past the last newline there is no whole line left to start on.
  return newline >= 0 && newline + 1 < stop ? newline + 1 : undefined;
}

/** Where a cut inside a line starts: past a cut character, and a cut escape sequence unless raw. */
function cutStart(bytes: Uint8Array, from: number, stop: number, raw?: boolean): number {
  const start = from + orphanedPrefix(bytes, from);
  return raw ? start : escapeSafeStart(bytes, start, stop);
}

/**
 * Reads one stream. Without a cursor the bounds keep the newest output (like `tail`); with a cursor
 * the read goes forward from it and the returned cursor continues where it stopped.
 *
 * @throws {ToolError} when `cursor` is past the end of the stream.
 */
export function readStream(
  buffer: OutputBuffer,
  name: string,
  options: StreamReadOptions,
): StreamRead {
  const { cursor } = options;
  const { base, bytes, start: skip, end, lostBytes } = snapshot(buffer, name, options);
  let start = skip;
  let stop = end;
  if (cursor === undefined) {
    if (options.lines !== undefined) {
      start = Math.max(start, buffer.lineStart(options.lines, base + stop) - base);
    }
    if (options.maxBytes !== undefined && stop - start > options.maxBytes) {
      start = lineBoundaryAfter(bytes, stop - options.maxBytes, stop) ?? cutStart(
        bytes,
        stop - options.maxBytes,
        stop,
        options.raw,
      );
    }
  } else {
    if (options.lines !== undefined) stop = firstLinesEnd(bytes, start, stop, options.lines);
    if (options.maxBytes !== undefined && stop - start > options.maxBytes) {
      stop = utf8SafeLength(bytes, start + options.maxBytes);
    }
    // A sequence cut at the end is left whole for the next read, unless nothing more will come.
    if (!options.raw && (stop < end || !options.final)) stop = escapeSafeEnd(bytes, stop, start);
  }
  const omittedBytes = cursor === undefined ? start - skip : end - stop;
  const decoded = decodeUtf8(bytes.subarray(start, stop));
  let text = options.raw ? decoded : cleanText(decoded);
  if (cursor === undefined && omittedBytes > 0) {
    text = `${omittedMarker(name, omittedBytes, base + skip)}\n${text}`;
  }
  return {
    text,
    cursor: base + stop,
    lostBytes,
    omittedBytes,
    matchingLines: null,
  };
}

/**
 * The line that stands for output left out of a read, with the cursor that gets it.
 *
 * @example Usage
 * ```ts
 * import { omittedMarker } from "./reading.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   omittedMarker("stdout", 2961204, 0),
 *   "[… 2,961,204 bytes not shown; read_job_output with stdout_cursor 0 gets them]",
 * );
 * ```
 */
export function omittedMarker(stream: string, bytes: number, from: number): string {
  const count = bytes.toLocaleString("en-US");
  return `[… ${count} bytes not shown; read_job_output with ${stream}_cursor ${from} gets them]`;
}

/**
 * Reads the lines of one stream that `options.filter` matches, as `<line number>: <text>`, testing
 * each line once. Without a cursor the newest matches are kept; with one the first matches are
 * returned and the cursor stops after the last line examined, never inside a line that may still
 * grow (unless the stream is final). A long read pauses between slices so that other calls are
 * answered meanwhile.
 *
 * @throws {ToolError} when `cursor` is past the end of the stream.
 */
export async function filterStream(
  buffer: OutputBuffer,
  name: string,
  options: StreamReadOptions & {
    /** Return only the lines this matches, as `<line number>: <text>`. */
    readonly filter: LineTest;
  },
): Promise<StreamRead> {
  const range = snapshot(buffer, name, options);
  const { bytes } = range;
  const { filter } = options;
  // Line numbers count from the stream's first byte, dropped lines included.
  const firstLine = buffer.totalNewlines - countNewlines(bytes) + 1;
  const matches = new MatchingLines(options, options.cursor === undefined ? "newest" : "first");
  let matchingLines = 0;
  let scannedTo = range.start;
  let line = firstLine;
  const slice = new WorkSlice();
  scan: while (scannedTo < range.end) {
    const batch = decodeLines(bytes, scannedTo, range.end, options.final, undefined, options.raw);
    if (batch.ends.length === 0) break;
    // One pass over the whole batch rules out most batches without testing each line.
    if (filter.anyLineMatches?.(batch.texts.join("\n")) !== false) {
      for (let i = 0; i < batch.texts.length; i++) {
        const text = batch.texts[i]!;
        if (filter.test(text)) {
          if (!matches.add(line + i, text)) {
            scannedTo = i === 0 ? scannedTo : batch.ends[i - 1]!;
            break scan; // this line is left for the next read
          }
          matchingLines++;
        }
      }
    }
    line += batch.ends.length;
    scannedTo = batch.ends.at(-1)!;
    await slice.pause();
  }
  const text = matches.text();
  return {
    text,
    cursor: range.base + scannedTo,
    lostBytes: range.lostBytes,
    omittedBytes: matches.omittedBytes,
    matchingLines,
  };
}

/**
 * The last non-blank line a stream holds (a `\r` also ends a line, for progress bars), without
 * control sequences, cut to 200 characters; `null` when there is none.
 */
export function lastLine(buffer: OutputBuffer): string | null {
  const text = decodeFrom(buffer.read(buffer.totalBytes - 4096), buffer.ended);
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = cleanText(lines[i]!).trim();
    if (line !== "") return line.length > 200 ? `${line.slice(0, 200)}…` : line;
  }
  return null;
}
