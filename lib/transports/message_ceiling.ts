/**
 * The last line of defence on result size, whatever the tool or resource: no message larger than
 * {@linkcode MAX_MESSAGE_BYTES} leaves the server. A client that gets one larger than it can read
 * drops the connection, and with it the session and every job.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/shared/transport"
import type {
  Transport,
  TransportSendOptions,
} from "@modelcontextprotocol/sdk/shared/transport.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  ErrorCode,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { ResultTooLargeError } from "../errors.ts";
import { MAX_MESSAGE_BYTES } from "../message_limits.ts";

/** A message as JSON, with its UTF-8 size (exact only up to the limit it was measured for). */
export interface SerializedMessage {
  /** `undefined` when it cannot even be serialized (longer than V8's longest string). */
  readonly json: string | undefined;
  /** `Infinity` when there is no JSON. */
  readonly bytes: number;
}

/**
 * `message` serialized once, and the UTF-8 size of that JSON, exact only up to `limit`, which
 * is all a caller needs: the same JSON is then written, so measuring costs no second pass.
 *
 * @example Usage
 * ```ts
 * import { serializeMessage } from "./message_ceiling.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(serializeMessage({ text: "é" }, 100), { json: '{"text":"é"}', bytes: 12 });
 * ```
 */
export function serializeMessage(message: unknown, limit: number): SerializedMessage {
  let json: string;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    // RangeError: longer than the longest string V8 can make.
    if (error instanceof RangeError) return { json: undefined, bytes: Infinity };
    throw error;
  }
  // A UTF-16 unit takes one to three bytes: only the middle range needs counting.
  if (json.length > limit || json.length * 3 <= limit) return { json, bytes: json.length };
  return { json, bytes: utf8Length(json) };
}

/** The UTF-8 size of `text`, counted without encoding it (lone surrogates as U+FFFD: 3). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair: two units, four bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * The UTF-8 size of `message` serialized, or `Infinity` when it cannot even be serialized (V8's
 * longest string); exact only up to `limit`, which is all a caller needs.
 *
 * @example Usage
 * ```ts
 * import { serializedBytes } from "./message_ceiling.ts";
 * import assert from "node:assert/strict";
 * assert.equal(serializedBytes({ text: "é" }, 100), 12);
 * ```
 */
export function serializedBytes(message: unknown, limit: number): number {
  return serializeMessage(message, limit).bytes;
}

/** A transport that can write a message already serialized, sparing a second `JSON.stringify`. */
export interface SerializedSender {
  sendSerialized(json: string): Promise<void>;
}

function canSendSerialized(transport: Transport): transport is Transport & SerializedSender {
  return typeof (transport as Partial<SerializedSender>).sendSerialized === "function";
}

/**
 * Wraps a transport so that every message the server sends fits in `maxBytes`: a result too
 * large is replaced by an error for that request alone (an `isError` tool result for
 * `tools/call`, a JSON-RPC error otherwise), and a notification too large is dropped.
 *
 * @example Usage
 * ```ts
 * import { CeilingTransport } from "./message_ceiling.ts";
 * import { StdioTransport } from "./stdio_transport.ts";
 * const transport = new CeilingTransport(new StdioTransport());
 * ```
 */
export class CeilingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  readonly #inner: Transport;
  readonly #maxBytes: number;
  // The method of each request not yet answered, to shape its refusal.
  readonly #methods = new Map<RequestId, string>();

  constructor(inner: Transport, options: { maxBytes?: number } = {}) {
    this.#inner = inner;
    this.#maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    const inner = this.#inner;
    const [closed, failed] = [inner.onclose, inner.onerror];
    inner.onclose = () => {
      closed?.();
      this.#methods.clear();
      this.onclose?.();
    };
    inner.onerror = (error) => {
      failed?.(error);
      this.onerror?.(error);
    };
    inner.onmessage = (message, extra) => {
      if ("method" in message && "id" in message) this.#methods.set(message.id, message.method);
      this.onmessage?.(message, extra);
    };
    return inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const id = "method" in message ? undefined : message.id;
    const method = id === undefined ? undefined : this.#methods.get(id);
    if (id !== undefined) this.#methods.delete(id);
    const { json, bytes } = serializeMessage(message, this.#maxBytes);
    if (json !== undefined && bytes <= this.#maxBytes) {
      const inner = this.#inner;
      return canSendSerialized(inner) ? inner.sendSerialized(json) : inner.send(message, options);
    }
    if (id === undefined) {
      const what = "method" in message ? message.method : "message";
      this.onerror?.(new Error(`Dropped a ${what} of ${bytes} bytes: over the message limit`));
      return Promise.resolve();
    }
    const problem = new ResultTooLargeError(this.#maxBytes, bytes).message;
    const refusal: JSONRPCMessage = method === "tools/call"
      ? {
        jsonrpc: "2.0",
        id,
        result: { content: [{ type: "text", text: problem }], isError: true },
      }
      : { jsonrpc: "2.0", id, error: { code: ErrorCode.InternalError, message: problem } };
    return this.#inner.send(refusal, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
