import assert from "node:assert/strict";
import { lineEnd, lineText, MAX_MATCH_CHARS } from "../../lib/output/lines.ts";

const encoder = new TextEncoder();

Deno.test("lineEnd() ends complete lines, and the rest only when asked", () => {
  const bytes = encoder.encode("x\none\r\n\ntwo");
  const lines = (partial: boolean) => {
    const found: [string, boolean][] = [];
    for (let start = 2, stop; (stop = lineEnd(bytes, start, bytes.length, partial)) >= 0;) {
      found.push([lineText(bytes.subarray(start, stop)), bytes[stop - 1] === 0x0a]);
      start = stop;
    }
    return found;
  };
  assert.deepEqual(lines(false), [["one", true], ["", true]]);
  assert.deepEqual(lines(true), [["one", true], ["", true], ["two", false]]);
  assert.equal(lineEnd(bytes, 0, 1, true), 1);
  assert.equal(lineEnd(bytes, 3, 3, true), -1);
});

Deno.test("lineText() cuts a line too long to decode whole instead of throwing", () => {
  // More bytes than TextDecoder can turn into one string (it throws past about 512 MB).
  const huge = new Uint8Array(600 * 1024 * 1024).fill(0x78);
  assert.equal(lineText(huge), "x".repeat(MAX_MATCH_CHARS) + "…");
  const euros = (count: number) => encoder.encode("€".repeat(count) + "\r\n");
  assert.equal(lineText(euros(MAX_MATCH_CHARS)), "€".repeat(MAX_MATCH_CHARS));
  assert.equal(lineText(euros(MAX_MATCH_CHARS + 1)), "€".repeat(MAX_MATCH_CHARS) + "…");
});
