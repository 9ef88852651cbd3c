/**
 * UTF-8 at the edges of a byte range. Output arrives in chunks that may cut a character in two:
 * the tail of a character whose head was dropped (or lies before a cursor) is skipped, and a
 * character whose last bytes have not arrived yet is held back until they do or the stream ends,
 * when it is shown as U+FFFD. Every reader of job output applies these two rules.
 *
 * @module
 */

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Bytes with the absolute stream offset of their first byte. */
export interface OffsetBytes {
  /** Absolute offset of `bytes[0]` in the stream. */
  readonly start: number;
  readonly bytes: Uint8Array;
}

/**
 * Decodes `bytes` as UTF-8, each invalid sequence replaced by U+FFFD.
 *
 * @example Usage
 * ```ts
 * import { decodeUtf8 } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * assert.equal(decodeUtf8(new Uint8Array([0x61, 0xff])), "a\uFFFD");
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * The end of `bytes[0, length)` that does not cut a UTF-8 character: an incomplete sequence at
 * the end is left for a later read.
 *
 * @example Usage
 * ```ts
 * import { utf8SafeLength } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * const euro = new TextEncoder().encode("a€"); // 0x61 0xe2 0x82 0xac
 * assert.equal(utf8SafeLength(euro.subarray(0, 3)), 1);
 * assert.equal(utf8SafeLength(euro), 4);
 * ```
 */
export function utf8SafeLength(bytes: Uint8Array, length = bytes.length): number {
  for (let back = 1; back <= 4 && back <= length; back++) {
    const byte = bytes[length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for its lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? length - back : length;
  }
  return length;
}

/**
 * How many continuation bytes start `bytes` at `from`: the tail of a character whose first
 * bytes are not in view (dropped by the cap, or before a cursor). At most 3.
 *
 * @example Usage
 * ```ts
 * import { orphanedPrefix } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * const euro = new TextEncoder().encode("€x");
 * assert.equal(orphanedPrefix(euro, 1), 2);
 * assert.equal(orphanedPrefix(euro, 0), 0);
 * ```
 */
export function orphanedPrefix(bytes: Uint8Array, from: number): number {
  let skip = 0;
  while (skip < 3 && from + skip < bytes.length && (bytes[from + skip]! & 0xc0) === 0x80) skip++;
  return skip;
}

/**
 * How many bytes at the head of `range` are the tail of a character cut off before it: none
 * when the range starts at the stream's first byte.
 *
 * @example Usage
 * ```ts
 * import { orphanedHead } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * const tail = new TextEncoder().encode("€").subarray(1);
 * assert.equal(orphanedHead({ start: 1, bytes: tail }), 2);
 * ```
 */
export function orphanedHead(range: OffsetBytes): number {
  return range.start > 0 ? orphanedPrefix(range.bytes, 0) : 0;
}

/**
 * Decodes a range of a stream by both rules: an orphaned head is skipped, and an incomplete
 * character at the end is held back unless the stream is `final`.
 *
 * @example Usage
 * ```ts
 * import { decodeFrom } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * const cut = new TextEncoder().encode("a€").subarray(0, 3);
 * assert.equal(decodeFrom({ start: 0, bytes: cut }, false), "a");
 * assert.equal(decodeFrom({ start: 0, bytes: cut }, true), "a\uFFFD");
 * ```
 */
export function decodeFrom(range: OffsetBytes, final: boolean): string {
  const { bytes } = range;
  const end = final ? bytes.length : utf8SafeLength(bytes);
  return decoder.decode(bytes.subarray(Math.min(orphanedHead(range), end), end));
}
