/**
 * Collecting the bytes of one message read from a stream in pieces. The pieces are copied into
 * one growing array rather than kept: a sender that writes a byte at a time would otherwise make
 * the server hold one small array (about a hundred bytes of bookkeeping) per byte received.
 *
 * @module
 */

/**
 * A byte array that grows as pieces are appended, by doubling (at most twice the bytes held).
 *
 * @example Usage
 * ```ts
 * import { ByteBuffer } from "./byte_buffer.ts";
 * import assert from "node:assert/strict";
 * const buffer = new ByteBuffer();
 * buffer.append(new Uint8Array([1]));
 * buffer.append(new Uint8Array([2, 3]));
 * assert.equal(buffer.length, 3);
 * assert.deepEqual(buffer.take(), new Uint8Array([1, 2, 3]));
 * assert.equal(buffer.length, 0);
 * ```
 */
export class ByteBuffer {
  #bytes = new Uint8Array(0);
  #length = 0;

  /** The bytes appended since the last {@linkcode ByteBuffer.take}. */
  get length(): number {
    return this.#length;
  }

  /** Copies `piece` after the bytes held. */
  append(piece: Uint8Array): void {
    const needed = this.#length + piece.length;
    if (needed > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2, 1024));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(piece, this.#length);
    this.#length = needed;
  }

  /** The bytes held, which the buffer lets go of: it is empty afterwards. */
  take(): Uint8Array {
    const bytes = this.#bytes.subarray(0, this.#length);
    this.#bytes = new Uint8Array(0);
    this.#length = 0;
    return bytes;
  }
}
