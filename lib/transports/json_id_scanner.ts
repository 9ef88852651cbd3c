/**
 * Finding a JSON-RPC message's `id` without holding the message: a refused oversized request is
 * streamed through the scanner and dropped, and its sender still gets an answer with its own id
 * (the SDK client writes `id` last, after the params that made the message too large).
 *
 * @module
 */
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";
import { readableId } from "./message_check.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
// A top-level key or scalar value longer than this cannot be `id` or its value worth reading.
const MAX_TOKEN_BYTES = 256;

/**
 * Scans JSON bytes pushed in pieces for the top-level member `id`, in constant memory. Anything
 * malformed only means no id is found.
 *
 * @example Usage
 * ```ts
 * import { IdScanner } from "./json_id_scanner.ts";
 * import assert from "node:assert/strict";
 * const scanner = new IdScanner();
 * const bytes = new TextEncoder().encode('{"params":{"id":1,"s":"}"},"id":42}');
 * scanner.push(bytes.subarray(0, 20));
 * scanner.push(bytes.subarray(20));
 * assert.equal(scanner.id, 42);
 * ```
 */
export class IdScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  // The current top-level key or value, as raw bytes; `undefined` once it is too long to matter.
  #token: number[] | undefined = [];
  #key: string | undefined;
  #id: RequestId | undefined;

  /** The last top-level `id` seen so far that is a string or an integer. */
  get id(): RequestId | undefined {
    return this.#id;
  }

  /** Feeds the next bytes of the message. */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (this.#inString) {
        if (this.#depth === 1) this.#keep(byte);
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) this.#inString = false;
        continue;
      }
      switch (byte) {
        case QUOTE:
          this.#inString = true;
          if (this.#depth === 1) this.#keep(byte);
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          // A nested value is never a readable id.
          if (this.#depth === 1) this.#token = undefined;
          this.#depth++;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          if (this.#depth === 1) this.#endMember();
          this.#depth = Math.max(0, this.#depth - 1);
          break;
        case COLON:
          if (this.#depth === 1) {
            this.#key = this.#tokenValue() as string | undefined;
            this.#token = [];
          }
          break;
        case COMMA:
          if (this.#depth === 1) this.#endMember();
          break;
        default:
          // Whitespace between tokens is dropped; anything else belongs to a scalar.
          if (this.#depth === 1 && byte > 0x20) this.#keep(byte);
      }
    }
  }

  #keep(byte: number): void {
    if (this.#token === undefined) return;
    if (this.#token.length >= MAX_TOKEN_BYTES) this.#token = undefined;
    else this.#token.push(byte);
  }

  #tokenValue(): unknown {
    if (this.#token === undefined || this.#token.length === 0) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(new Uint8Array(this.#token)));
    } catch {
      // A malformed token is simply not an id.
      return undefined;
    }
  }

  #endMember(): void {
    if (this.#key === "id") {
      const id = readableId(this.#tokenValue());
      if (id !== undefined) this.#id = id;
    }
    this.#key = undefined;
    this.#token = [];
  }
}
