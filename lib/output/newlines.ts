/**
 * Counting newlines fast enough to run on every chunk of a flood.
 *
 * @module
 */

/** The byte `\n`, which ends a line. */
export const NEWLINE = 0x0a;

// Words per block: each byte lane of a block's sum gains at most one per word, so it stays < 256.
const BLOCK_WORDS = 252;

/** 0x01 in each byte of `word` that is `\n`, 0x00 in the others (SWAR zero-byte test). */
function newlineLanes(word: number): number {
  const x = word ^ 0x0a0a0a0a;
  // The high bit of each byte is set exactly where that byte of x is zero (a newline).
  return (~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) >>> 7) & 0x01010101;
}

/** The four byte lanes of `lanes` added up. */
function laneSum(lanes: number): number {
  const pairs = (lanes & 0x00ff00ff) + ((lanes >>> 8) & 0x00ff00ff);
  return (pairs & 0xffff) + (pairs >>> 16);
}

/**
 * Counts `\n` bytes in `bytes`. Reads four bytes at a time (SWAR) and adds the per-byte hits of a
 * block of words before summing them once: several times faster than a byte loop and far faster
 * than `indexOf` on dense output such as `yes`.
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
  // Four words a step (fewer loop checks), then the last one to three words one by one.
  const quadsEnd = words.length & ~3;
  for (let w = 0; w < quadsEnd;) {
    const blockEnd = Math.min(quadsEnd, w + BLOCK_WORDS);
    let lanes = 0;
    for (; w < blockEnd; w += 4) {
      lanes += newlineLanes(words[w]!) + newlineLanes(words[w + 1]!) +
        newlineLanes(words[w + 2]!) + newlineLanes(words[w + 3]!);
    }
    count += laneSum(lanes);
  }
  for (let w = quadsEnd; w < words.length; w++) count += laneSum(newlineLanes(words[w]!));
  for (i += words.length * 4; i < bytes.length; i++) if (bytes[i] === NEWLINE) count++;
  return count;
}
