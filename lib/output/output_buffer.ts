/**
 * A byte ring buffer that keeps the newest `capacity` bytes of a stream.
 * Positions are absolute stream offsets (bytes ever written), so a reader can hold a cursor
 * across appends and learn how much of what it wanted was already dropped.
 *
 * @module
 */

import { countNewlines, NEWLINE } from "./newlines.ts";
import { decodeFrom, utf8SafeLength } from "./utf8.ts";

// The ring is stored in fixed pages, allocated as output arrives: growing never copies the held
// bytes or leaves a half-size array behind as garbage, so memory stays near the capacity.
const PAGE_SHIFT = 16;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
// The first page starts this small and doubles, so a job that prints one line costs little.
const FIRST_PAGE_SIZE = 1024;

/** Bytes read from a buffer, with the absolute offsets they span. */
export interface ByteRange {
  /** Absolute offset of the first returned byte (later than asked when older bytes were dropped). */
  readonly start: number;
  /** Absolute offset just past the last returned byte: the next cursor. */
  readonly end: number;
  /** A copy of the bytes from `start` to `end`. */
  readonly bytes: Uint8Array;
}

/**
 * Keeps the newest bytes of a stream, growing on demand up to `capacity`.
 *
 * @example Usage
 * ```ts
 * import { OutputBuffer } from "./output_buffer.ts";
 * import assert from "node:assert/strict";
 * const buffer = new OutputBuffer(4);
 * buffer.append(new TextEncoder().encode("abcdef"));
 * assert.equal(buffer.text(), "cdef");
 * assert.equal(buffer.droppedBytes, 2);
 * buffer.append(new Uint8Array([0xe2])); // the first byte of "€": held back until the stream ends
 * assert.equal(buffer.text(), "def");
 * buffer.end();
 * assert.equal(buffer.text(), "def\uFFFD");
 * ```
 */
export class OutputBuffer {
  readonly #capacity: number;
  /** Ring index `i` lives at `#pages[i >>> PAGE_SHIFT][i & PAGE_MASK]`. */
  readonly #pages: Uint8Array[] = [];
  #total = 0;
  #newlines = 0;
  // Bytes before this offset were released (see `release`): never held again.
  #floor = 0;
  #released = 0;
  #ended = false;

  /** Creates a buffer holding at most the newest `capacity` bytes. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create buffer: capacity ${capacity} is not a positive integer`);
    }
    this.#capacity = capacity;
  }

  /**
   * A buffer for a stream read back from disk: `bytes` are its newest bytes, starting at absolute
   * offset `start` (the bytes before it are counted as dropped), and the stream has ended.
   * `newlinesBefore` is the number of newlines in the dropped part, where it is known.
   *
   * @example Usage
   * ```ts
   * import { OutputBuffer } from "./output_buffer.ts";
   * import assert from "node:assert/strict";
   * const buffer = OutputBuffer.resumed(8, 100, new TextEncoder().encode("tail\n"));
   * assert.deepEqual([buffer.totalBytes, buffer.droppedBytes, buffer.text()], [105, 100, "tail\n"]);
   * ```
   */
  static resumed(
    capacity: number,
    start: number,
    bytes: Uint8Array,
    newlinesBefore = 0,
  ): OutputBuffer {
    const buffer = new OutputBuffer(capacity);
    buffer.#total = start;
    buffer.#floor = start;
    buffer.#newlines = newlinesBefore;
    buffer.append(bytes);
    buffer.end();
    return buffer;
  }

  /** Bytes ever appended: the cursor just past the newest byte. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes appended but no longer held, because the cap was reached or they were released. */
  get droppedBytes(): number {
    return this.#total - this.heldBytes;
  }

  /** Newline bytes ever appended: the number of complete lines the stream has produced. */
  get totalNewlines(): number {
    return this.#newlines;
  }

  /** Bytes currently held. */
  get heldBytes(): number {
    return Math.min(this.#total - this.#floor, this.#capacity);
  }

  /**
   * Drops every held byte and frees the memory; offsets and counts go on as before, and bytes
   * appended later are held again. Returns how many bytes were dropped.
   *
   * @example Usage
   * ```ts
   * import { OutputBuffer } from "./output_buffer.ts";
   * import assert from "node:assert/strict";
   * const buffer = new OutputBuffer(16);
   * buffer.append(new TextEncoder().encode("abc"));
   * assert.equal(buffer.release(), 3);
   * assert.deepEqual([buffer.heldBytes, buffer.droppedBytes, buffer.text()], [0, 3, ""]);
   * ```
   */
  release(): number {
    const held = this.heldBytes;
    this.#floor = this.#total;
    this.#pages.length = 0;
    this.#released += held;
    return held;
  }

  /** Bytes dropped by {@linkcode OutputBuffer.release} (part of `droppedBytes`). */
  get releasedBytes(): number {
    return this.#released;
  }

  /** Whether {@linkcode end} was called: no more bytes will arrive. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Marks the stream complete: a character left incomplete at its end is now shown as U+FFFD. */
  end(): void {
    this.#ended = true;
  }

  /** Appends `chunk`, dropping the oldest bytes past the capacity. */
  append(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    this.#newlines += countNewlines(chunk);
    // Only the newest `capacity` bytes of the chunk can survive.
    const kept = length > this.#capacity ? chunk.subarray(length - this.#capacity) : chunk;
    let index = (this.#total + length - kept.length) % this.#capacity;
    for (let done = 0; done < kept.length;) {
      const page = index >>> PAGE_SHIFT;
      const offset = index & PAGE_MASK;
      const count = Math.min(kept.length - done, this.#pageLength(page) - offset);
      this.#writablePage(page, offset + count).set(kept.subarray(done, done + count), offset);
      done += count;
      index = (index + count) % this.#capacity;
    }
    this.#total += length;
  }

  /** Returns the held bytes from absolute offset `from` to `to`, both clamped to what is held. */
  read(from = 0, to: number = this.#total): ByteRange {
    const oldest = this.#total - this.heldBytes;
    const end = Math.min(Math.max(to, oldest), this.#total);
    const start = Math.min(Math.max(from, oldest), end);
    return { start, end, bytes: this.#copy(start, end) };
  }

  /**
   * Absolute offset just past the last complete character: {@linkcode totalBytes} unless the
   * stream is still open and ends inside a character, whose first bytes are then held back.
   */
  get completeBytes(): number {
    if (this.#ended) return this.#total;
    const last = this.read(this.#total - 4);
    return last.start + utf8SafeLength(last.bytes);
  }

  /** The held bytes decoded as UTF-8, invalid sequences replaced. */
  text(): string {
    return decodeFrom(this.read(), this.#ended);
  }

  /**
   * Absolute offset where the last `lines` lines before `end` begin; a final newline does not
   * start a line. The one "last N lines" of every reader.
   */
  lineStart(lines: number, end: number = this.#total): number {
    const oldest = this.#total - this.heldBytes;
    let position = Math.min(end, this.#total);
    if (position > oldest && this.#byteAt(position - 1) === NEWLINE) position--;
    for (let found = 0; position > oldest;) {
      const newline = this.#lastNewlineBefore(position, oldest);
      if (newline < 0) return oldest;
      if (++found === lines) return newline + 1;
      position = newline;
    }
    return oldest;
  }

  /**
   * Absolute offset of the first newline at or after `from` and before `to`, or -1: a native
   * search per page, without copying.
   */
  indexOfNewline(from: number, to: number = this.#total): number {
    let found = -1;
    this.#eachPiece(this.#heldFrom(from), Math.min(to, this.#total), (piece, position) => {
      const at = piece.indexOf(NEWLINE);
      if (at >= 0) found = position + at;
      return at >= 0;
    });
    return found;
  }

  /** Newlines held at or after absolute offset `from`, counted in place. */
  newlinesFrom(from: number): number {
    let count = 0;
    this.#eachPiece(this.#heldFrom(from), this.#total, (piece) => {
      count += countNewlines(piece);
    });
    return count;
  }

  /** The last `lines` lines, decoded; a character still arriving is held back. */
  tail(lines: number): string {
    return decodeFrom(this.read(this.lineStart(lines, this.completeBytes)), this.#ended);
  }

  #pageLength(page: number): number {
    return Math.min(PAGE_SIZE, this.#capacity - page * PAGE_SIZE);
  }

  /** Page `page`, allocated (or, for the first page, grown) to hold at least `needed` bytes. */
  #writablePage(page: number, needed: number): Uint8Array {
    const current = this.#pages[page];
    if (current !== undefined && current.length >= needed) return current;
    let size = this.#pageLength(page);
    if (page === 0) {
      // Only reached on the first pass, while every held byte is in this page.
      size = Math.min(size, Math.max(current?.length ?? FIRST_PAGE_SIZE, FIRST_PAGE_SIZE));
      while (size < needed) size *= 2;
      size = Math.min(size, this.#pageLength(0));
    }
    const grown = new Uint8Array(size);
    if (current !== undefined) grown.set(current);
    this.#pages[page] = grown;
    return grown;
  }

  #byteAt(position: number): number {
    const index = position % this.#capacity;
    return this.#pages[index >>> PAGE_SHIFT]![index & PAGE_MASK]!;
  }

  /** Absolute offset of the last newline in [oldest, before), or -1; native search per page. */
  #lastNewlineBefore(before: number, oldest: number): number {
    for (let position = before; position > oldest;) {
      const index = (position - 1) % this.#capacity;
      const offset = index & PAGE_MASK;
      // Absolute offset of this page's first byte; a page never straddles the ring's wrap.
      const pageStart = position - 1 - offset;
      const at = this.#pages[index >>> PAGE_SHIFT]!.lastIndexOf(NEWLINE, offset);
      const low = Math.max(oldest, pageStart);
      if (at >= 0 && pageStart + at >= low) return pageStart + at;
      position = low;
    }
    return -1;
  }

  #copy(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    this.#eachPiece(start, end, (piece, position) => out.set(piece, position - start));
    return out;
  }

  /** `from`, or the oldest held offset when `from` was dropped. */
  #heldFrom(from: number): number {
    return Math.max(from, this.#total - this.heldBytes);
  }

  /**
   * Calls `visit` with each run of held bytes in [start, end), in order, as views into the pages
   * (a run never crosses a page or the ring's wrap); stops early when it returns `true`.
   */
  #eachPiece(
    start: number,
    end: number,
    visit: (piece: Uint8Array, position: number) => boolean | void,
  ): void {
    for (let position = start; position < end;) {
      const index = position % this.#capacity;
      const offset = index & PAGE_MASK;
      const count = Math.min(end - position, this.#pageLength(index >>> PAGE_SHIFT) - offset);
      const piece = this.#pages[index >>> PAGE_SHIFT]!.subarray(offset, offset + count);
      if (visit(piece, position) === true) return;
      position += count;
    }
  }
}
