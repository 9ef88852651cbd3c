import assert from "node:assert/strict";
import { countNewlines } from "../../lib/output/newlines.ts";

function naive(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 0x0a) count++;
  return count;
}

Deno.test("countNewlines() agrees with a byte loop at every offset and length", () => {
  const bytes = new Uint8Array(64);
  // Newlines, their neighbours in value, and bytes with the high bit set (carry tricks).
  const alphabet = [0x0a, 0x0b, 0x09, 0x8a, 0x00, 0xff, 0x4a, 0x0a];
  let seed = 7;
  for (let i = 0; i < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bytes[i] = alphabet[seed % alphabet.length]!;
  }
  for (let start = 0; start < 8; start++) {
    for (let end = start; end <= bytes.length; end++) {
      const view = bytes.subarray(start, end);
      assert.equal(countNewlines(view), naive(view), `bytes[${start}, ${end})`);
    }
  }
});

Deno.test("countNewlines() counts dense newlines (`yes` output)", () => {
  const bytes = new TextEncoder().encode("y\n".repeat(10_001));
  assert.equal(countNewlines(bytes), 10_001);
  assert.equal(countNewlines(bytes.subarray(1)), 10_001);
  assert.equal(countNewlines(new Uint8Array(0)), 0);
});

Deno.test("countNewlines() does not overflow a byte lane: runs of newlines past a block", () => {
  // Every byte a newline: each lane of a block's sum reaches its most; 4,099 words span blocks.
  const bytes = new Uint8Array(4 * 4099 + 3).fill(0x0a);
  for (let start = 0; start < 4; start++) {
    for (const end of [bytes.length, bytes.length - 1, bytes.length - 5, 4 * 252 + start]) {
      assert.equal(countNewlines(bytes.subarray(start, end)), end - start, `[${start}, ${end})`);
    }
  }
});

Deno.test("countNewlines() agrees with a byte loop on long random chunks", () => {
  let seed = 11;
  for (let round = 0; round < 40; round++) {
    const bytes = new Uint8Array(1000 + round * 97);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      // Every fourth round dense with newlines, the others mixed with bytes near 0x0a.
      bytes[i] = round % 4 === 0
        ? (seed % 3 === 0 ? 0x61 : 0x0a)
        : [0x0a, 0x0b, 0x8a, 0x00, 0xff, 0x41][seed % 6]!;
    }
    const start = round % 4;
    const view = bytes.subarray(start, bytes.length - (round % 3));
    assert.equal(countNewlines(view), naive(view), `round ${round}`);
  }
});
