import assert from "node:assert/strict";
import { HttpTestServer, INITIALIZE, MCP_HEADERS, rawInitialize } from "../helpers/http_server.ts";
import { assertStillWorking } from "../helpers/mcp_client.ts";
import { RawStdioServer, type Reply } from "../helpers/raw_stdio.ts";

// About 1 MB: far over what an error message may quote.
const HUGE = 1_000_000;

/** Requests each broken in one way, with the code and message they must be answered with. */
const BROKEN: { request: Record<string, unknown>; code: number; message: RegExp }[] = [
  ...[null, [], "text", 7, true].map((params) => ({
    request: { method: "tools/list", params },
    code: -32602,
    message: /^Invalid params: params must be an object, got /,
  })),
  ...[true, 1.5, null, {}].map((progressToken) => ({
    request: { method: "tools/call", params: { name: "list_jobs", _meta: { progressToken } } },
    code: -32602,
    message: /^Invalid params: params\._meta\.progressToken must be a string or an integer/,
  })),
  ...["x", 3, [], null, false].map((args) => ({
    request: { method: "tools/call", params: { name: "list_jobs", arguments: args } },
    code: -32602,
    message: /^Invalid params for tools\/call: params\.arguments: .*expected record/,
  })),
  {
    request: { method: "tools/call", params: { arguments: {} } },
    code: -32602,
    message: /^Invalid params for tools\/call: params\.name/,
  },
  {
    request: { method: "resources/read", params: { uri: 5 } },
    code: -32602,
    message: /^Invalid params for resources\/read: params\.uri/,
  },
  ...["resources/read", "resources/subscribe", "resources/unsubscribe"].map((method) => ({
    request: { method, params: { uri: "not a uri" } },
    code: -32602,
    message: /params\.uri: "not a uri" is not a URI$/,
  })),
  { request: { method: 12 }, code: -32600, message: /method must be a string, got number/ },
  { request: {}, code: -32600, message: /method must be a string, got nothing/ },
  { request: { method: "ping", extra: {} }, code: -32600, message: /unknown member "extra"/ },
  { request: { method: "ping", jsonrpc: "1.0" }, code: -32600, message: /jsonrpc must be "2.0"/ },
  // A huge value is quoted in part: the refusal never echoes it (twice escaped, up to twice its size).
  {
    request: { method: "ping", params: { _meta: { progressToken: ['"'.repeat(HUGE)] } } },
    code: -32602,
    message: /progressToken must be a string or an integer, got \["\\"\\".*…$/,
  },
  {
    request: { method: "resources/read", params: { uri: " " + "x".repeat(HUGE) } },
    code: -32602,
    message: /params\.uri: " xxx.*… is not a URI$/,
  },
  {
    request: { method: "ping", ["k".repeat(HUGE)]: 1 },
    code: -32600,
    message: /unknown member "kkk.*…$/,
  },
  {
    request: { method: "logging/setLevel", params: { level: "x".repeat(HUGE) } },
    code: -32602,
    message: /^Invalid params for logging\/setLevel: params\.level/,
  },
];

function assertAnswered(reply: Reply, code: number, message: RegExp): void {
  assert.equal(reply.error?.code, code, JSON.stringify(reply));
  assert.match(reply.error.message, message);
  assert.ok(reply.error.message.length < 300, "a short message, not a schema dump");
}

Deno.test("over stdio every malformed request with a readable id gets its own error", async () => {
  await using server = await RawStdioServer.start();
  let id = 0;
  for (const { request, code, message } of BROKEN) {
    await server.write({ jsonrpc: "2.0", id: ++id, ...request });
    assertAnswered(await server.reply(id), code, message);
  }
  const lines: [string, unknown, number, RegExp][] = [
    ['{"jsonrpc":"2.0","id":501,"method":', 501, -32700, /^Parse error/],
    ["not json", null, -32700, /^Parse error/],
    [
      '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
      null,
      -32600,
      /id must be a string or an integer/,
    ],
    ['"a string"', null, -32600, /must be a JSON object, got string/],
    [
      `{"jsonrpc":"2.0","id":["${'\\"'.repeat(HUGE)}"],"method":"ping"}`,
      null,
      -32600,
      /id must be a string or an integer, got \["\\"\\".*…$/,
    ],
    ['{"jsonrpc":"2.0","id":1e400,"method":"ping"}', null, -32600, /got a number too large$/],
    ['[{"jsonrpc":"2.0","id":502,"method":"ping"}]', 502, -32600, /batches .* are not supported/],
    ["[]", null, -32600, /batches .* are not supported/],
  ];
  for (const [line, replyId, code, message] of lines) {
    await server.writeRaw(`${line}\r\n`);
    assertAnswered(await server.reply(replyId), code, message);
  }
  // Nesting 100,000 deep (about 600 KB) inside params: parsed, checked and answered, no stack overflow.
  const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const nested = [
    `{"jsonrpc":"2.0","id":601,"method":"tools/call","params":{"name":"list_jobs","arguments":{"x":${
      deep(100_000)
    }}}}`,
    `{"jsonrpc":"2.0","id":602,"method":"ping","params":{"_meta":${deep(100_000)}}}`,
    `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  ];
  for (const line of nested) await server.writeRaw(`${line}\n`);
  assert.equal((await server.reply(601)).result.isError, true);
  assert.deepEqual((await server.reply(602)).result, {});
  assertAnswered(await server.reply(null), -32600, /batches/);
  // Blank lines and bad notifications are not answered, and do not disturb what follows.
  await server.writeRaw("\n   \n");
  await server.write({ jsonrpc: "2.0", method: "notifications/cancelled", params: null });
  await server.assertWorking();
});

/** POSTs `body` in session `session`; returns the status and the parsed JSON reply. */
async function post(
  server: HttpTestServer,
  session: string,
  body: string,
): Promise<[number, Reply]> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      ...MCP_HEADERS,
      ...server.authHeaders,
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-06-18",
    },
    body,
  });
  const text = await response.text();
  // A good request is answered on an event stream: its one `data:` line is the reply.
  const data = /^data: (.*)$/m.exec(text)?.[1];
  return [response.status, JSON.parse(data ?? text)];
}

Deno.test("over HTTP every malformed request with a readable id gets its own error", async () => {
  await using server = await HttpTestServer.start();
  const session = await rawInitialize(server.url, server.authHeaders);
  let id = 0;
  for (const { request, code, message } of BROKEN) {
    const [status, reply] = await post(
      server,
      session,
      JSON.stringify({ jsonrpc: "2.0", id: ++id, ...request }),
    );
    assert.equal(status, 200);
    assert.equal(reply.id, id);
    assertAnswered(reply, code, message);
  }
  const [parseStatus, parseReply] = await post(server, session, '{"jsonrpc":"2.0","id":77,');
  assert.equal(parseStatus, 400);
  assertAnswered(parseReply, -32700, /^Parse error/);
  assert.equal(parseReply.id, 77);
  // A batch with one bad request: each request in it is answered, the good one as not run.
  const batch = [
    { jsonrpc: "2.0", id: 80, method: "ping" },
    { jsonrpc: "2.0", id: 81, method: "ping", params: null },
  ];
  const [batchStatus, replies] = await post(server, session, JSON.stringify(batch));
  assert.equal(batchStatus, 200);
  assert.deepEqual(replies.map((reply: Reply) => reply.id), [80, 81]);
  assert.match(replies[0].error.message, /not run/);
  // A malformed initialize opens no session.
  const opens = () => server.stderr.match(/session \S+ opened/g)?.length;
  const before = opens();
  const badInit = await fetch(server.url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...server.authHeaders },
    body: JSON.stringify({ ...JSON.parse(INITIALIZE), params: [] }),
  });
  assert.equal(badInit.status, 200);
  assertAnswered(await badInit.json(), -32602, /params must be an object, got array/);
  assert.equal(opens(), before);
  const [pingStatus, pong] = await post(
    server,
    session,
    '{"jsonrpc":"2.0","id":90,"method":"ping"}',
  );
  assert.equal(pingStatus, 200);
  assert.deepEqual(pong, { jsonrpc: "2.0", id: 90, result: {} });
  await assertStillWorking(await server.connect());
});
