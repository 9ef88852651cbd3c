/**
 * One stream's lines, split and decoded once for every reader that tests them (the waiters of
 * `wait_for_job`), in slices of bounded time outside the output pump: a hundred waiters cost one
 * decode per line and a pattern test each, and other calls are answered in between.
 *
 * @module
 */
import { BATCH_BYTES, decodeLines, lineText, MAX_MATCH_CHARS } from "./lines.ts";
import type { OutputBuffer } from "./output_buffer.ts";
import type { LineTest } from "./line_pattern.ts";
import { orphanedPrefix } from "./utf8.ts";
import { WorkSlice } from "../work_slice.ts";

/** What a reader is told. */
export interface LineReaderEvents {
  /** Line number `line` matched; reading has stopped. `complete` is false for a partial line. */
  readonly matched: (line: number, text: string, complete: boolean) => void;
  /** Every complete line has been tested, and the partial line too if it was asked for. */
  readonly caughtUp?: () => void;
}

/** One reader's place in the stream; the feed moves it forward. */
export class LineReader {
  /** Absolute offset of the first byte not yet tested: a line's start, or a cursor inside one. */
  position: number;
  /** Number (1-based, from the stream's first byte) of the line at `position`. */
  line: number;
  readonly pattern: LineTest;
  readonly events: LineReaderEvents;
  /** Test the line still missing its newline on the next pass (output is quiet, or ended). */
  wantsPartial = false;
  #feed: LineFeed | undefined;

  constructor(feed: LineFeed, pattern: LineTest, from: number, events: LineReaderEvents) {
    this.#feed = feed;
    this.pattern = pattern;
    this.events = events;
    this.position = from;
    this.line = feed.lineAt(from);
  }

  /** Asks the feed to bring this reader up to date (soon, not now). */
  request(): void {
    this.#feed?.request();
  }

  /** Asks for the partial line to be tested as well, then brings the reader up to date. */
  requestPartial(): void {
    this.wantsPartial = true;
    this.request();
  }

  /** Stops reading. */
  close(): void {
    this.#feed?.remove(this);
    this.#feed = undefined;
  }
}

/** Lines decoded once and shared by the readers: absolute ends, texts, and all of them joined. */
interface Batch {
  readonly from: number;
  readonly stop: number;
  readonly bytes: Uint8Array;
  readonly texts: string[];
  readonly ends: number[];
  joined?: string;
}

const feeds = new WeakMap<OutputBuffer, LineFeed>();

/**
 * The line feed of one buffer, shared by all its readers.
 *
 * @example Usage
 * ```ts
 * import { LineFeed } from "./line_feed.ts";
 * import { OutputBuffer } from "./output_buffer.ts";
 * import assert from "node:assert/strict";
 * const buffer = new OutputBuffer(1024);
 * buffer.append(new TextEncoder().encode("booting\nready on 8080\n"));
 * const match = Promise.withResolvers<string>();
 * LineFeed.of(buffer).read(/ready/, 0, { matched: (line, text) => match.resolve(`${line}: ${text}`) });
 * assert.equal(await match.promise, "2: ready on 8080");
 * ```
 */
export class LineFeed {
  readonly #buffer: OutputBuffer;
  readonly #readers = new Set<LineReader>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #batch: Batch | undefined;
  // No newline in [#bareFrom, #bareTo): a long line still growing is not searched again.
  #bareFrom = -1;
  #bareTo = -1;
  #lastLineAt: { readonly position: number; readonly line: number } | undefined;

  private constructor(buffer: OutputBuffer) {
    this.#buffer = buffer;
  }

  /** The feed of `buffer`, created on first use. */
  static of(buffer: OutputBuffer): LineFeed {
    let feed = feeds.get(buffer);
    if (feed === undefined) feeds.set(buffer, feed = new LineFeed(buffer));
    return feed;
  }

  /** Starts testing lines from absolute offset `from` with `pattern`; the first pass runs soon. */
  read(pattern: LineTest, from: number, events: LineReaderEvents): LineReader {
    const reader = new LineReader(this, pattern, Math.min(from, this.#buffer.totalBytes), events);
    this.#readers.add(reader);
    this.request();
    return reader;
  }

  /** Number of the line at absolute offset `position`, counted from the stream's first byte. */
  lineAt(position: number): number {
    if (position === 0) return 1;
    // Waiters often start together from the same cursor: count the newlines after it once.
    if (this.#lastLineAt?.position !== position) {
      const line = this.#buffer.totalNewlines - this.#buffer.newlinesFrom(position) + 1;
      this.#lastLineAt = { position, line };
    }
    return this.#lastLineAt.line;
  }

  /** Schedules a pass over new output, once however often it is asked. */
  request(): void {
    if (this.#timer !== undefined || this.#readers.size === 0) return;
    this.#timer = setTimeout(() => this.#run(), 0);
  }

  /** Forgets `reader`; the last one to go cancels a pending pass. */
  remove(reader: LineReader): void {
    this.#readers.delete(reader);
    if (this.#readers.size > 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#batch = undefined;
  }

  #run(): void {
    this.#timer = undefined;
    const slice = new WorkSlice();
    while (this.#readers.size > 0) {
      if (slice.spent) return this.request(); // the rest in a later task
      if (!this.#step(slice)) return;
    }
  }

  /** One batch of complete lines for the readers behind; `false` once all are caught up. */
  #step(slice: WorkSlice): boolean {
    const from = this.#catchUpDropped();
    const batch = this.#batchAt(from);
    if (batch === undefined) {
      this.#finishPass();
      return false;
    }
    for (const reader of [...this.#readers]) {
      if (reader.position >= batch.stop) continue;
      if (slice.spent) return true;
      this.#deliver(reader, batch);
    }
    return true;
  }

  /** Moves readers whose next bytes the cap dropped to the oldest held line; the lowest position. */
  #catchUpDropped(): number {
    const oldest = this.#buffer.totalBytes - this.#buffer.heldBytes;
    let lowest = Infinity;
    for (const reader of this.#readers) {
      if (reader.position < oldest) {
        const held = this.#buffer.read(oldest, oldest + 3);
        reader.position = oldest + orphanedPrefix(held.bytes, 0);
        reader.line = this.lineAt(reader.position);
      }
      lowest = Math.min(lowest, reader.position);
    }
    return lowest;
  }

  /** The complete lines starting in [from, from + BATCH_BYTES), decoded; none when there are none. */
  #batchAt(from: number): Batch | undefined {
    const current = this.#batch;
    if (current !== undefined && current.from <= from && from < current.stop) return current;
    const total = this.#buffer.totalBytes;
    const limit = Math.min(from + BATCH_BYTES, total);
    // The last line that starts before `limit` ends at the first newline from `limit - 1` on.
    let searchFrom = Math.max(from, limit - 1);
    if (this.#bareFrom <= searchFrom && searchFrom < this.#bareTo) searchFrom = this.#bareTo;
    const newline = this.#buffer.indexOfNewline(searchFrom);
    if (newline < 0) {
      this.#bareFrom = Math.max(from, limit - 1);
      this.#bareTo = total;
    }
    const stop = newline < 0 ? limit : newline + 1;
    const range = this.#buffer.read(from, stop);
    const decoded = decodeLines(range.bytes, 0, range.bytes.length, false, Infinity);
    if (decoded.ends.length === 0) return this.#batch = undefined;
    const ends = decoded.ends.map((end) => from + end);
    this.#batch = { from, stop: ends.at(-1)!, bytes: range.bytes, texts: decoded.texts, ends };
    return this.#batch;
  }

  /** Tests the lines of `batch` from `reader`'s position until one matches or the batch ends. */
  #deliver(reader: LineReader, batch: Batch): void {
    let first = firstEndAfter(batch.ends, reader.position);
    const lineStart = first === 0 ? batch.from : batch.ends[first - 1]!;
    if (lineStart < reader.position) {
      // A cursor inside a line: the rest of that line is tested on its own.
      const rest = batch.bytes.subarray(
        reader.position - batch.from,
        batch.ends[first]! - batch.from,
      );
      if (this.#test(reader, lineText(rest), batch.ends[first]!, true)) return;
      first++;
    }
    const count = batch.texts.length - first;
    if (count === 0) return;
    batch.joined ??= batch.texts.join("\n");
    const lines = first === 0 ? batch.joined : batch.texts.slice(first).join("\n");
    if (reader.pattern.anyLineMatches?.(lines) === false) {
      reader.position = batch.stop;
      reader.line += count;
      return;
    }
    for (let i = first; i < batch.texts.length; i++) {
      if (this.#test(reader, batch.texts[i]!, batch.ends[i]!, true)) return;
    }
  }

  /** Tests one line; on a match the reader is told and removed. */
  #test(reader: LineReader, text: string, end: number, complete: boolean): boolean {
    if (reader.pattern.test(text)) {
      if (complete) reader.position = end;
      this.remove(reader);
      reader.events.matched(reader.line, text, complete);
      return true;
    }
    if (complete) {
      reader.position = end;
      reader.line++;
    }
    return false;
  }

  /** Every reader has tested every complete line: test the partial line where asked. */
  #finishPass(): void {
    const buffer = this.#buffer;
    const end = buffer.completeBytes;
    for (const reader of [...this.#readers]) {
      if (reader.wantsPartial) {
        reader.wantsPartial = false;
        const partial = reader.position < end
          ? buffer.read(reader.position, Math.min(end, reader.position + 3 * MAX_MATCH_CHARS + 4))
          : undefined;
        if (partial !== undefined && this.#test(reader, lineText(partial.bytes), end, false)) {
          continue;
        }
      }
      reader.events.caughtUp?.();
    }
  }
}

/** Index of the first of `ends` (ascending) greater than `position`. */
function firstEndAfter(ends: readonly number[], position: number): number {
  let low = 0, high = ends.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ends[middle]! > position) high = middle;
    else low = middle + 1;
  }
  return low;
}
