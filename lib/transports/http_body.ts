/**
 * Reading and checking a POST body before the SDK's HTTP transport sees it. The SDK answers any
 * misshapen message with `400 Parse error` and id `null`, so a client cannot tell which request
 * failed or why; here each request with a readable id gets its own JSON-RPC error naming the
 * problem, and an oversized body is refused without reading more of it than the limit.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/types"
import { ErrorCode, type JSONRPCErrorResponse } from "@modelcontextprotocol/sdk/types.js";
import { checkMessage, errorResponse, readableId } from "./message_check.ts";
import { IdScanner } from "./json_id_scanner.ts";
import { ByteBuffer } from "./byte_buffer.ts";
import { formatBytes, MAX_REQUEST_BYTES } from "../message_limits.ts";

/** The parsed body to hand to the SDK, or the response the request gets at once. */
export type CheckedBody =
  | { readonly kind: "parsed"; readonly body: unknown }
  | { readonly kind: "answered"; readonly response: Response };

/**
 * Reads `request`'s body (at most `maxBytes`) and checks every message in it.
 *
 * @example Usage
 * ```ts
 * import { readPostBody } from "./http_body.ts";
 * import assert from "node:assert/strict";
 * const body = JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping", params: null });
 * const checked = await readPostBody(new Request("http://localhost/mcp", { method: "POST", body }));
 * assert.equal(checked.kind, "answered");
 * ```
 */
export async function readPostBody(
  request: Request,
  maxBytes = MAX_REQUEST_BYTES,
): Promise<CheckedBody> {
  const bytes = await readLimited(request, maxBytes);
  if (bytes === undefined) {
    const problem = `Request too large: the body is over the ${
      formatBytes(maxBytes)
    } one message may take; send large input in pieces`;
    return answered(413, errorResponse(null, ErrorCode.InvalidRequest, problem));
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    const scanner = new IdScanner();
    scanner.push(bytes);
    const problem = `Parse error: ${error instanceof Error ? error.message : error}`;
    return answered(400, errorResponse(scanner.id ?? null, ErrorCode.ParseError, problem));
  }
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0) {
    const problem = "Invalid request: an empty batch";
    return answered(400, errorResponse(null, ErrorCode.InvalidRequest, problem));
  }
  const checked = messages.map(checkMessage);
  if (checked.every((one) => one.kind === "accepted")) return { kind: "parsed", body };
  const replies: JSONRPCErrorResponse[] = [];
  checked.forEach((one, index) => {
    if (one.kind === "refused") {
      if (one.reply !== undefined) replies.push(one.reply);
      return;
    }
    const id = "method" in one.message
      ? readableId((messages[index] as { id?: unknown }).id)
      : undefined;
    if (id !== undefined) {
      const problem = "Invalid request: not run, another message in the same batch is invalid";
      replies.push(errorResponse(id, ErrorCode.InvalidRequest, problem));
    }
  });
  if (replies.length === 0) {
    const problem = checked.find((one) => one.kind === "refused")?.problem ?? "Invalid message";
    return answered(400, errorResponse(null, ErrorCode.InvalidRequest, problem));
  }
  // SDK clients read a 200 JSON body as the replies to their requests; one without an id only
  // as an HTTP error.
  const withoutId = replies.some((reply) => reply.id === null);
  return answered(withoutId ? 400 : 200, Array.isArray(body) ? replies : replies[0]);
}

function answered(status: number, payload: unknown): CheckedBody {
  return {
    kind: "answered",
    response: new Response(JSON.stringify(payload), {
      status,
      headers: { "content-type": "application/json" },
    }),
  };
}

/** The body's bytes, or `undefined` when it is (or says it is) longer than `maxBytes`. */
async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get("content-length")) > maxBytes) return undefined;
  if (request.body === null) return new Uint8Array();
  const body = new ByteBuffer();
  for await (const piece of request.body) {
    if (body.length + piece.length > maxBytes) return undefined;
    body.append(piece);
  }
  return body.take();
}
