import assert from "node:assert/strict";
import { serializeMessage } from "../../lib/transports/message_ceiling.ts";

const encoder = new TextEncoder();

Deno.test("serializeMessage counts UTF-8 bytes as the encoder writes them, whatever the text", () => {
  const texts = [
    "plain ascii",
    "é ü ß", // two bytes each
    "€ 中文", // three bytes
    "😀 🎉", // surrogate pairs: four bytes
    "\ud800 lone high", // lone surrogates are written as U+FFFD: three bytes
    "lone low \udc00",
    "\ud800", // a lone high surrogate at the very end
    "\udbff\udfff\ud800\u0041",
  ];
  for (const text of texts) {
    const message = { text };
    const json = JSON.stringify(message);
    // A limit just above the JSON's length makes it count bytes instead of taking the length.
    const measured = serializeMessage(message, json.length + 1);
    assert.equal(measured.json, json);
    assert.equal(measured.bytes, encoder.encode(json).length, JSON.stringify(text));
  }
});
