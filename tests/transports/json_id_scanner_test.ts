import assert from "node:assert/strict";
import { IdScanner } from "../../lib/transports/json_id_scanner.ts";

function scan(text: string, pieceBytes = 7): unknown {
  const bytes = new TextEncoder().encode(text);
  const scanner = new IdScanner();
  for (let at = 0; at < bytes.length; at += pieceBytes) {
    scanner.push(bytes.subarray(at, at + pieceBytes));
  }
  return scanner.id;
}

Deno.test("IdScanner finds the top-level id wherever it is, in pieces of any size", () => {
  const params = JSON.stringify({
    id: 99,
    text: 'a "quoted" } ] , : \\ "id":5',
    list: [{ id: 3 }],
  });
  for (const pieceBytes of [1, 2, 7, 1000]) {
    assert.equal(scan(`{"id":1,"method":"m","params":${params}}`, pieceBytes), 1);
    assert.equal(scan(`{"method":"m","params":${params},"jsonrpc":"2.0","id":42}`, pieceBytes), 42);
    assert.equal(scan(` { "params" : ${params} , "id" : "é-\\"x" } `, pieceBytes), 'é-"x');
  }
});

Deno.test("IdScanner reports no id for nested, invalid or missing ones", () => {
  assert.equal(scan('{"params":{"id":5}}'), undefined);
  assert.equal(scan('{"id":1.5}'), undefined);
  assert.equal(scan('{"id":{"x":1}}'), undefined);
  assert.equal(scan('{"id":[1]}'), undefined);
  assert.equal(scan('{"id":null}'), undefined);
  assert.equal(scan('{"id":true}'), undefined);
  assert.equal(scan("not json at all"), undefined);
  assert.equal(scan(`{"id":"${"x".repeat(1000)}"}`), undefined);
});

Deno.test("IdScanner reads the id of a truncated message it has seen", () => {
  assert.equal(scan('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"na'), 3);
  assert.equal(scan('{"id":3,'), 3);
});
