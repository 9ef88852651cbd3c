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
