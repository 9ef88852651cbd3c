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
  let json: string;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    // RangeError: longer than the longest string V8 can make.
    if (error instanceof RangeError) return Infinity;
    throw error;
  }
  // A UTF-16 unit takes one to three bytes: only the middle range needs counting.
  if (json.length > limit || json.length * 3 <= limit) return json.length;
  return new TextEncoder().encode(json).length;
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
    const bytes = serializedBytes(message, this.#maxBytes);
    if (bytes <= this.#maxBytes) return this.#inner.send(message, options);
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
