import assert from "node:assert/strict";
import { decodeFrom, utf8SafeLength } from "../../lib/output/utf8.ts";

const encoder = new TextEncoder();

Deno.test("utf8SafeLength() stops before an incomplete character at the end", () => {
  const bytes = encoder.encode("a😀"); // 0x61 then four bytes
  for (let cut = 2; cut <= 4; cut++) assert.equal(utf8SafeLength(bytes.subarray(0, cut)), 1);
  assert.equal(utf8SafeLength(bytes), 5);
  assert.equal(utf8SafeLength(encoder.encode("é")), 2);
  assert.equal(utf8SafeLength(new Uint8Array()), 0);
});

Deno.test("decodeFrom() skips an orphaned head and holds back an unfinished tail", () => {
  const bytes = encoder.encode("€a€");
  assert.equal(decodeFrom({ start: 1, bytes: bytes.subarray(1, 6) }, false), "a");
  assert.equal(decodeFrom({ start: 1, bytes: bytes.subarray(1, 6) }, true), "a\uFFFD");
  assert.equal(decodeFrom({ start: 0, bytes }, false), "€a€");
  // Only the tail of a character: nothing to show, final or not.
  assert.equal(decodeFrom({ start: 1, bytes: bytes.subarray(1, 3) }, true), "");
});
