/**
 * Checking one incoming JSON-RPC message before the SDK sees it. The SDK drops a request whose
 * envelope or params do not fit its schemas without any answer (the client waits for its own
 * timeout), or answers a misshapen `tools/call` with an internal error carrying a schema dump. Here
 * every such request that has a readable id gets a short JSON-RPC error naming the problem.
 *
 * @module
 */
import { cut, MAX_QUOTED_CHARS, quoted } from "../quote.ts";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  ClientNotificationSchema,
  ClientRequestSchema,
  ErrorCode,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/** A message the SDK may handle, or one refused with the reply its sender should get (if any). */
export type CheckedMessage =
  | { readonly kind: "accepted"; readonly message: JSONRPCMessage }
  | { readonly kind: "refused"; readonly problem: string; readonly reply?: JSONRPCErrorResponse };

const URI_METHODS = new Set(["resources/read", "resources/subscribe", "resources/unsubscribe"]);
const ENVELOPE_MEMBERS = new Set(["jsonrpc", "id", "method", "params"]);
const RESPONSE_MEMBERS = ["result", "error"];

interface ParseSchema {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
}

/** Each method's own schema, from the SDK's unions of what a client may send. */
function schemasByMethod(union: unknown): Map<string, ParseSchema> {
  const options = (union as { options: { shape: { method: { value: string } } }[] }).options;
  return new Map(
    options.map((schema) => [schema.shape.method.value, schema as unknown as ParseSchema]),
  );
}
const REQUEST_SCHEMAS = schemasByMethod(ClientRequestSchema);
const NOTIFICATION_SCHEMAS = schemasByMethod(ClientNotificationSchema);

/** `value`'s JSON type, for messages: `null`, `array`, `string`, `object`, … */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * A JSON-RPC error response for request `id` (`null` when the id could not be read).
 *
 * @example Usage
 * ```ts
 * import { errorResponse } from "./message_check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(errorResponse(7, -32600, "Invalid request: no method"), {
 *   jsonrpc: "2.0",
 *   id: 7,
 *   error: { code: -32600, message: "Invalid request: no method" },
 * });
 * ```
 */
export function errorResponse(
  id: RequestId | null,
  code: number,
  message: string,
): JSONRPCErrorResponse {
  // The SDK's type wants an id, but JSON-RPC answers `null` when the request's id is unreadable.
  return { jsonrpc: "2.0", id: id as RequestId, error: { code, message } };
}

/** `id` when it is a valid JSON-RPC request id (a string or an integer), else `undefined`. */
export function readableId(id: unknown): RequestId | undefined {
  return typeof id === "string" || Number.isSafeInteger(id) ? id as RequestId : undefined;
}

export { quoted };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first few schema issues as `path: message`, one short line. */
function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = cut(issue.path.map(String).join("."), MAX_QUOTED_CHARS);
    const message = cut(issue.message, 2 * MAX_QUOTED_CHARS);
    return path === "" ? message : `${path}: ${message}`;
  });
  const more = issues.length > 3 ? `; and ${issues.length - 3} more` : "";
  return shown.join("; ") + more;
}

/** Why `params` cannot be a request's or notification's params, or `undefined` when it can. */
function paramsProblem(params: unknown): string | undefined {
  if (params === undefined) return undefined;
  if (!isPlainObject(params)) return `params must be an object, got ${jsonTypeOf(params)}`;
  const meta = params._meta;
  if (meta === undefined) return undefined;
  if (!isPlainObject(meta)) return `params._meta must be an object, got ${jsonTypeOf(meta)}`;
  const token = meta.progressToken;
  if (token !== undefined && readableId(token) === undefined) {
    return `params._meta.progressToken must be a string or an integer, got ${quoted(token)}`;
  }
  return undefined;
}

/**
 * Checks one parsed JSON value received as a JSON-RPC message (not a batch). A request that
 * fails gets `reply`, with its own id when readable; a notification or response that fails is
 * refused with no reply, since nobody waits for an answer to it.
 *
 * @example Usage
 * ```ts
 * import { checkMessage } from "./message_check.ts";
 * import assert from "node:assert/strict";
 * const checked = checkMessage({ jsonrpc: "2.0", id: 1, method: "tools/list", params: null });
 * assert.equal(checked.kind, "refused");
 * assert.equal(checked.reply?.error.code, -32602);
 * assert.equal(checked.reply?.id, 1);
 * ```
 */
export function checkMessage(value: unknown): CheckedMessage {
  if (!isPlainObject(value)) {
    const problem = `Invalid request: a message must be a JSON object, got ${jsonTypeOf(value)}`;
    return {
      kind: "refused",
      problem,
      reply: errorResponse(null, ErrorCode.InvalidRequest, problem),
    };
  }
  const isResponse = !("method" in value) && RESPONSE_MEMBERS.some((member) => member in value);
  const id = readableId(value.id);
  const refuse = (code: number, problem: string): CheckedMessage => {
    const answerable = !isResponse && "id" in value;
    return {
      kind: "refused",
      problem,
      reply: answerable ? errorResponse(id ?? null, code, problem) : undefined,
    };
  };
  if ("id" in value && id === undefined) {
    return refuse(
      ErrorCode.InvalidRequest,
      `Invalid request: id must be a string or an integer, got ${quoted(value.id)}`,
    );
  }
  if (value.jsonrpc !== "2.0") {
    return refuse(ErrorCode.InvalidRequest, 'Invalid request: jsonrpc must be "2.0"');
  }
  if (!isResponse) {
    if (typeof value.method !== "string") {
      const got = "method" in value ? jsonTypeOf(value.method) : "nothing";
      return refuse(
        ErrorCode.InvalidRequest,
        `Invalid request: method must be a string, got ${got}`,
      );
    }
    const extra = Object.keys(value).find((member) => !ENVELOPE_MEMBERS.has(member));
    if (extra !== undefined) {
      return refuse(
        ErrorCode.InvalidRequest,
        `Invalid request: unknown member ${quoted(extra)}`,
      );
    }
    const badParams = paramsProblem(value.params);
    if (badParams !== undefined) {
      return refuse(ErrorCode.InvalidParams, `Invalid params: ${badParams}`);
    }
    const schema = ("id" in value ? REQUEST_SCHEMAS : NOTIFICATION_SCHEMAS).get(value.method);
    const parsed = schema?.safeParse({ method: value.method, params: value.params });
    if (parsed !== undefined && !parsed.success) {
      return refuse(
        ErrorCode.InvalidParams,
        `Invalid params for ${value.method}: ${describeIssues(parsed.error?.issues ?? [])}`,
      );
    }
    // The SDK parses the URI itself and reports a bad one as an internal error.
    const uri = (value.params as { uri?: unknown } | undefined)?.uri;
    if (URI_METHODS.has(value.method) && typeof uri === "string" && !URL.canParse(uri)) {
      return refuse(
        ErrorCode.InvalidParams,
        `Invalid params for ${value.method}: params.uri: ${quoted(uri)} is not a URI`,
      );
    }
    // The envelope is checked above and the method's own schema covers params: the SDK's
    // whole-message schema would only check the same again (one zod pass per message saved).
    if (schema !== undefined) return { kind: "accepted", message: value as JSONRPCMessage };
  }
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (!parsed.success) {
    return refuse(
      ErrorCode.InvalidRequest,
      `Invalid request: ${describeIssues(parsed.error.issues)}`,
    );
  }
  return { kind: "accepted", message: parsed.data };
}
