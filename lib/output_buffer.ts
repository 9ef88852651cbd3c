/**
 * A byte ring buffer that keeps the newest `capacity` bytes of a stream.
 * Positions are absolute stream offsets (bytes ever written), so a reader can hold a cursor
 * across appends and learn how much of what it wanted was already dropped.
 *
 * @module
 */

const NEWLINE = 0x0a;
const INITIAL_SIZE = 16 * 1024;
const decoder = new TextDecoder("utf-8", { fatal: false });

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
 * ```
 */
export class OutputBuffer {
  readonly #capacity: number;
  #bytes: Uint8Array;
  #total = 0;
  #newlines = 0;

  /** Creates a buffer holding at most the newest `capacity` bytes. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create buffer: capacity ${capacity} is not a positive integer`);
    }
    this.#capacity = capacity;
    this.#bytes = new Uint8Array(Math.min(capacity, INITIAL_SIZE));
  }

  /** Bytes ever appended: the cursor just past the newest byte. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes appended but no longer held, because the cap was reached. */
  get droppedBytes(): number {
    return this.#total - this.heldBytes;
  }

  /** Newline bytes ever appended: the number of complete lines the stream has produced. */
  get totalNewlines(): number {
    return this.#newlines;
  }

  /** Bytes currently held. */
  get heldBytes(): number {
    return Math.min(this.#total, this.#capacity);
  }

  /** Appends `chunk`, dropping the oldest bytes past the capacity. */
  append(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) {
      this.#newlines++;
    }
    if (this.#total + length > this.#bytes.length && this.#bytes.length < this.#capacity) {
      this.#grow(this.#total + length);
    }
    const size = this.#bytes.length;
    if (this.#total + length <= size) {
      this.#bytes.set(chunk, this.#total);
      this.#total += length;
      return;
    }
    // Full at capacity from here on: write the tail of the chunk around the ring.
    const kept = length > size ? chunk.subarray(length - size) : chunk;
    const skipped = length - kept.length;
    const at = (this.#total + skipped) % size;
    const first = Math.min(kept.length, size - at);
    this.#bytes.set(kept.subarray(0, first), at);
    if (first < kept.length) this.#bytes.set(kept.subarray(first), 0);
    this.#total += length;
  }

  /** Returns the held bytes from absolute offset `from` (clamped to what is held) to the end. */
  read(from = 0): ByteRange {
    const oldest = this.#total - this.heldBytes;
    const start = Math.min(Math.max(from, oldest), this.#total);
    return { start, end: this.#total, bytes: this.#copy(start, this.#total) };
  }

  /** The held bytes decoded as UTF-8, invalid sequences replaced. */
  text(): string {
    return decodeFrom(this.read());
  }

  /** Absolute offset where the last `lines` lines begin; a final newline does not start a line. */
  lineStart(lines: number): number {
    const oldest = this.#total - this.heldBytes;
    let position = this.#total;
    if (position > oldest && this.#byteAt(position - 1) === NEWLINE) position--;
    for (let found = 0; position > oldest;) {
      const newline = this.#lastNewlineBefore(position, oldest);
      if (newline < 0) return oldest;
      if (++found === lines) return newline + 1;
      position = newline;
    }
    return oldest;
  }

  /** The last `lines` lines, decoded. */
  tail(lines: number): string {
    return decodeFrom(this.read(this.lineStart(lines)));
  }

  #grow(needed: number): void {
    let size = this.#bytes.length;
    while (size < needed && size < this.#capacity) size *= 2;
    const bytes = new Uint8Array(Math.min(size, this.#capacity));
    bytes.set(this.#bytes.subarray(0, this.#total));
    this.#bytes = bytes;
  }

  #index(position: number): number {
    return this.#total <= this.#bytes.length ? position : position % this.#bytes.length;
  }

  #byteAt(position: number): number {
    return this.#bytes[this.#index(position)]!;
  }

  /** Absolute offset of the last newline in [oldest, before), or -1. Uses native lastIndexOf. */
  #lastNewlineBefore(before: number, oldest: number): number {
    const end = this.#index(before - 1);
    const startIndex = this.#index(oldest);
    if (startIndex <= end) {
      const at = this.#bytes.lastIndexOf(NEWLINE, end);
      return at >= startIndex ? before - 1 - (end - at) : -1;
    }
    // The range wraps: search [0, end] first, then [startIndex, size).
    const low = this.#bytes.lastIndexOf(NEWLINE, end);
    if (low >= 0) return before - 1 - (end - low);
    const high = this.#bytes.lastIndexOf(NEWLINE);
    return high >= startIndex ? before - 1 - end - 1 - (this.#bytes.length - 1 - high) : -1;
  }

  #copy(start: number, end: number): Uint8Array {
    const length = end - start;
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const from = this.#index(start);
    const first = Math.min(length, this.#bytes.length - from);
    out.set(this.#bytes.subarray(from, from + first));
    if (first < length) out.set(this.#bytes.subarray(0, length - first), first);
    return out;
  }
}

/**
 * Decodes a range as UTF-8. When the range starts inside a multi-byte character (its head was
 * dropped), the orphaned continuation bytes are skipped instead of shown as replacement marks.
 */
export function decodeFrom(range: ByteRange): string {
  let skip = 0;
  while (
    range.start > 0 && skip < 3 && skip < range.bytes.length && (range.bytes[skip]! & 0xc0) === 0x80
  ) skip++;
  return decoder.decode(skip === 0 ? range.bytes : range.bytes.subarray(skip));
}
