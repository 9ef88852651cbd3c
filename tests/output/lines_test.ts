import assert from "node:assert/strict";
import { lineText, MAX_MATCH_CHARS, splitLines } from "../../lib/output/lines.ts";

const encoder = new TextEncoder();

Deno.test("splitLines() yields complete lines, and the rest only when asked", () => {
  const bytes = encoder.encode("x\none\r\n\ntwo");
  const slices = (partial: boolean) =>
    [...splitLines(bytes, 2, bytes.length, partial)].map((slice) => [
      lineText(bytes.subarray(slice.start, slice.end)),
      slice.complete,
    ]);
  assert.deepEqual(slices(false), [["one", true], ["", true]]);
  assert.deepEqual(slices(true), [["one", true], ["", true], ["two", false]]);
  assert.deepEqual([...splitLines(bytes, 0, 1, true)], [{ start: 0, end: 1, complete: false }]);
  assert.deepEqual([...splitLines(bytes, 3, 3, true)], []);
});

Deno.test("lineText() cuts a line too long to decode whole instead of throwing", () => {
  // More bytes than TextDecoder can turn into one string (it throws past about 512 MB).
  const huge = new Uint8Array(600 * 1024 * 1024).fill(0x78);
  assert.equal(lineText(huge), "x".repeat(MAX_MATCH_CHARS) + "…");
  const euros = (count: number) => encoder.encode("€".repeat(count) + "\r\n");
  assert.equal(lineText(euros(MAX_MATCH_CHARS)), "€".repeat(MAX_MATCH_CHARS));
  assert.equal(lineText(euros(MAX_MATCH_CHARS + 1)), "€".repeat(MAX_MATCH_CHARS) + "…");
});
