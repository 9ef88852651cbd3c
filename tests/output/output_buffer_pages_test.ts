import assert from "node:assert/strict";
import { OutputBuffer } from "../../lib/output/output_buffer.ts";

// The buffer stores its ring in 64 KiB pages; these capacities put page and wrap boundaries at
// awkward places (a partial last page, a single partial page, exactly two pages).
const CAPACITIES = [1000, 65_536, 131_072, 3 * 65_536 + 123];

/** Deterministic bytes: lines of varying length, so newlines land on every kind of boundary. */
function chunkAt(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const value = (seed * 31 + i * 7) % 97;
    bytes[i] = value < 3 ? 0x0a : 0x41 + (value % 26);
  }
  return bytes;
}

/** The last `lines` lines of `all` the way tail() defines them. */
function referenceTail(all: Uint8Array, held: number, lines: number): Uint8Array {
  const oldest = all.length - held;
  let position = all.length;
  if (position > oldest && all[position - 1] === 0x0a) position--;
  for (let found = 0; position > oldest;) {
    const at = all.lastIndexOf(0x0a, position - 1);
    if (at < oldest) return all.subarray(oldest);
    if (++found === lines) return all.subarray(at + 1);
    position = at;
  }
  return all.subarray(oldest);
}

Deno.test("OutputBuffer matches a reference model across page and wrap boundaries", () => {
  for (const capacity of CAPACITIES) {
    const buffer = new OutputBuffer(capacity);
    const all: number[] = [];
    const sizes = [1, 500, 4096, 65_536, 70_000, 3, capacity - 1, capacity + 17, 12_345];
    for (let round = 0; round < 40; round++) {
      const chunk = chunkAt(round, sizes[round % sizes.length]!);
      buffer.append(chunk);
      for (const byte of chunk) all.push(byte);
      const truth = Uint8Array.from(all);
      const held = Math.min(capacity, truth.length);
      assert.equal(buffer.totalBytes, truth.length);
      assert.equal(buffer.heldBytes, held);
      assert.deepEqual(buffer.read().bytes, truth.subarray(truth.length - held), `cap ${capacity}`);
      const cursor = truth.length - Math.floor(held / 3);
      assert.deepEqual(buffer.read(cursor).bytes, truth.subarray(cursor));
      for (const lines of [1, 2, 50, 1000]) {
        const start = buffer.lineStart(lines);
        assert.ok(start >= truth.length - held, `lineStart ${start} points into dropped bytes`);
        assert.deepEqual(
          buffer.read(start).bytes,
          referenceTail(truth, held, lines),
          `cap ${capacity}, round ${round}, ${lines} lines`,
        );
      }
    }
  }
});

Deno.test("OutputBuffer finds the start of a tail when no newline is held at all", () => {
  const buffer = new OutputBuffer(3 * 65_536 + 5);
  buffer.append(new Uint8Array(5 * 65_536).fill(0x41));
  assert.equal(buffer.lineStart(50), buffer.totalBytes - buffer.heldBytes);
  assert.equal(buffer.tail(50).length, buffer.heldBytes);
});
