import assert from "node:assert/strict";
import { checkMessage } from "../../lib/transports/message_check.ts";

function refusal(value: unknown) {
  const checked = checkMessage(value);
  assert.equal(checked.kind, "refused", `accepted: ${JSON.stringify(value)}`);
  return checked.reply;
}

Deno.test("checkMessage answers a request with params that are not an object, naming the type", () => {
  for (const [params, type] of [[null, "null"], [[], "array"], ["x", "string"], [1, "number"]]) {
    const reply = refusal({ jsonrpc: "2.0", id: 4, method: "tools/list", params });
    assert.equal(reply?.id, 4);
    assert.equal(reply?.error.code, -32602);
    assert.equal(reply?.error.message, `Invalid params: params must be an object, got ${type}`);
  }
});

Deno.test("checkMessage answers a bad _meta or progress token with -32602", () => {
  for (const meta of [true, "x", null, [1]]) {
    const reply = refusal({ jsonrpc: "2.0", id: "a", method: "ping", params: { _meta: meta } });
    assert.equal(reply?.error.code, -32602);
    assert.match(reply?.error.message ?? "", /params\._meta must be an object/);
  }
  for (const token of [true, 1.5, null, { a: 1 }]) {
    const reply = refusal({
      jsonrpc: "2.0",
      id: 9,
      method: "tools/list",
      params: { _meta: { progressToken: token } },
    });
    assert.equal(reply?.id, 9);
    assert.match(reply?.error.message ?? "", /progressToken must be a string or an integer/);
  }
});

Deno.test("checkMessage answers tools/call with non-object arguments with -32602, no schema dump", () => {
  for (const args of ["x", 1, [], true, null]) {
    const reply = refusal({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "list_jobs", arguments: args },
    });
    assert.equal(reply?.error.code, -32602);
    assert.match(
      reply?.error.message ?? "",
      /^Invalid params for tools\/call: params\.arguments: /,
    );
    assert.ok((reply?.error.message ?? "").length < 200, reply?.error.message);
  }
  const noName = refusal({ jsonrpc: "2.0", id: 2, method: "tools/call", params: {} });
  assert.match(noName?.error.message ?? "", /params\.name/);
});

Deno.test("checkMessage answers a broken envelope with -32600, with the id when it is readable", () => {
  const cases: [unknown, unknown, RegExp][] = [
    [{ jsonrpc: "1.0", id: 1, method: "ping" }, 1, /jsonrpc must be "2.0"/],
    [{ id: 1, method: "ping" }, 1, /jsonrpc must be "2.0"/],
    [{ jsonrpc: "2.0", id: 1, method: 5 }, 1, /method must be a string, got number/],
    [{ jsonrpc: "2.0", id: 1 }, 1, /method must be a string, got nothing/],
    [{ jsonrpc: "2.0", id: 1, method: "ping", extra: 1 }, 1, /unknown member "extra"/],
    [{ jsonrpc: "2.0", id: 1.5, method: "ping" }, null, /id must be a string or an integer/],
    [{ jsonrpc: "2.0", id: null, method: "ping" }, null, /id must be a string or an integer/],
    [{ jsonrpc: "2.0", id: {}, method: "ping" }, null, /id must be a string or an integer/],
    ["text", null, /must be a JSON object, got string/],
    [null, null, /must be a JSON object, got null/],
  ];
  for (const [message, id, problem] of cases) {
    const reply = refusal(message);
    assert.equal(reply?.id, id);
    assert.equal(reply?.error.code, -32600);
    assert.match(reply?.error.message ?? "", problem);
  }
});

Deno.test("checkMessage refuses a bad notification or response without a reply", () => {
  assert.equal(
    refusal({ jsonrpc: "2.0", method: "notifications/cancelled", params: null }),
    undefined,
  );
  assert.equal(
    refusal({ jsonrpc: "2.0", method: "notifications/progress", params: {} }),
    undefined,
  );
  assert.equal(refusal({ jsonrpc: "2.0", id: 1, result: 5 }), undefined);
  assert.equal(refusal({ jsonrpc: "2.0", id: 1, error: "x" }), undefined);
});

Deno.test("checkMessage accepts well-formed messages, unknown methods included", () => {
  const good = [
    { jsonrpc: "2.0", id: 1, method: "ping" },
    { jsonrpc: "2.0", id: "x", method: "tools/list", params: { _meta: { progressToken: "t" } } },
    { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_jobs", arguments: {} } },
    { jsonrpc: "2.0", id: 4, method: "no/such/method", params: { anything: [1] } },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 5, result: {} },
  ];
  for (const message of good) assert.equal(checkMessage(message).kind, "accepted");
});
