/**
 * Counting newlines fast enough to run on every chunk of a flood.
 *
 * @module
 */

/** The byte `\n`, which ends a line. */
export const NEWLINE = 0x0a;

/**
 * Counts `\n` bytes in `bytes`. Reads four bytes at a time (SWAR): about four times faster than a
 * byte loop and far faster than `indexOf` on dense output such as `yes`.
 *
 * @example Usage
 * ```ts
 * import { countNewlines } from "./newlines.ts";
 * import assert from "node:assert/strict";
 * assert.equal(countNewlines(new TextEncoder().encode("a\nb\n\nc")), 3);
 * ```
 */
export function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  let i = 0;
  // Bytes before the first 4-byte boundary, so the word view below is aligned.
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset & 3)) & 3);
  for (; i < head; i++) if (bytes[i] === NEWLINE) count++;
  if (i === bytes.length) return count;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (bytes.length - i) >>> 2);
  for (let w = 0; w < words.length; w++) {
    const x = words[w]! ^ 0x0a0a0a0a;
    // The high bit of each byte is set exactly where that byte of x is zero (a newline).
    const zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
    count += Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  for (i += words.length * 4; i < bytes.length; i++) if (bytes[i] === NEWLINE) count++;
  return count;
}
