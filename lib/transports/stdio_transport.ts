/**
 * The MCP stdio framing (one JSON-RPC message per line), read by the server itself. The SDK's
 * transport closes the whole connection when one message is larger than its buffer, and drops
 * unreadable lines without an answer; this one refuses such a line alone, answers it when it can
 * find the request's id, and goes on reading.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/shared/transport"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { checkMessage, errorResponse, readableId } from "./message_check.ts";
import { IdScanner } from "./json_id_scanner.ts";
import { ByteBuffer } from "./byte_buffer.ts";
import { formatBytes, MAX_REQUEST_BYTES } from "../message_limits.ts";

const NEWLINE = 0x0a;
// One read's buffer, used again for every read: reading a byte stream by default allocates a
// fresh 64 KiB chunk per read, which a small request turns into garbage at once.
const READ_BUFFER_BYTES = 64 * 1024;
// Lines of one read handled between two checks that the client is taking the answers.
const LINES_PER_OUTPUT_CHECK = 8;

/** Where the transport reads and writes; the process's stdin and stdout unless a test says. */
export interface StdioTransportOptions {
  readonly input?: ReadableStream<Uint8Array>;
  readonly output?: WritableStream<Uint8Array>;
  /** The most bytes one incoming line may take. */
  readonly maxLineBytes?: number;
}

/**
 * A server transport for newline-delimited JSON-RPC on a byte stream pair.
 *
 * @example Usage
 * ```ts
 * import { StdioTransport } from "./stdio_transport.ts";
 * const input = ReadableStream.from([new TextEncoder().encode('{"jsonrpc":"2.0","id":1}\n')]);
 * const replies: Uint8Array[] = [];
 * const output = new WritableStream<Uint8Array>({ write: (chunk) => void replies.push(chunk) });
 * const transport = new StdioTransport({ input, output });
 * const closed = new Promise<void>((resolve) => transport.onclose = resolve);
 * await transport.start();
 * await closed;
 * // replies[0] is an "Invalid request: method must be a string" error for id 1.
 * ```
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #input: ReadableStream<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #maxLineBytes: number;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();
  #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader | undefined;
  // The current line's bytes while it is within the limit.
  #line = new ByteBuffer();
  #lineBytes = 0;
  // Set while an oversized line is being skipped: it only looks for the line's id.
  #skipping: IdScanner | undefined;
  #closed = false;
  #linesSinceOutputCheck = 0;

  constructor(options: StdioTransportOptions = {}) {
    this.#input = options.input ?? Deno.stdin.readable;
    this.#writer = (options.output ?? Deno.stdout.writable).getWriter();
    this.#maxLineBytes = options.maxLineBytes ?? MAX_REQUEST_BYTES;
  }

  /** Starts reading; messages arrive on `onmessage`, and `onclose` runs when the input ends. */
  start(): Promise<void> {
    const read = this.#readerFor(this.#input);
    void this.#pump(read);
    return Promise.resolve();
  }

  /** Reads into one buffer handed back each time when `input` is a byte stream (stdin is). */
  #readerFor(
    input: ReadableStream<Uint8Array>,
  ): () => Promise<ReadableStreamReadResult<Uint8Array>> {
    let byob: ReadableStreamBYOBReader;
    try {
      byob = input.getReader({ mode: "byob" });
    } catch {
      // Not a byte stream (a test's stream): chunks as they come.
      const reader = input.getReader();
      this.#reader = reader;
      return () => reader.read();
    }
    this.#reader = byob;
    let buffer = new ArrayBuffer(READ_BUFFER_BYTES);
    return async () => {
      const result = await byob.read(new Uint8Array(buffer));
      // The read moved the buffer into the view it returns; the next read takes it back.
      if (result.value !== undefined) buffer = result.value.buffer as ArrayBuffer;
      return result as ReadableStreamReadResult<Uint8Array>;
    };
  }

  /** Writes `message` as one line; the writer keeps lines whole and in the order sent. */
  send(message: JSONRPCMessage): Promise<void> {
    return this.sendSerialized(JSON.stringify(message));
  }

  /** Writes a message already serialized as JSON (one line: JSON has no raw newline). */
  sendSerialized(json: string): Promise<void> {
    return this.#writer.write(this.#encoder.encode(json + "\n"));
  }

  /** Stops reading and reports the end once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#reader?.cancel();
    } catch {
      // The input may already be gone; there is nothing left to stop.
    }
    this.#line.take();
    this.onclose?.();
  }

  async #pump(read: () => Promise<ReadableStreamReadResult<Uint8Array>>): Promise<void> {
    try {
      while (!this.#closed) {
        await this.#writer.ready;
        const { done, value } = await read();
        if (done) break;
        // Awaiting the read let the answers to earlier lines be queued, and the writer's
        // readiness was awaited above: only lines that arrived together need the check below.
        this.#linesSinceOutputCheck = 0;
        await this.#take(value);
      }
    } catch (error) {
      if (!this.#closed) this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
    await this.close();
  }

  async #take(chunk: Uint8Array): Promise<void> {
    let start = 0;
    while (start < chunk.length && !this.#closed) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (newline !== -1 && this.#lineBytes === 0 && end - start <= this.#maxLineBytes) {
        // The usual case, a whole line in one read: handled in place, with no copy.
        this.#handleLine(chunk.subarray(start, end));
      } else {
        this.#append(chunk.subarray(start, end));
        if (newline === -1) return;
        this.#endLine();
      }
      start = newline + 1;
      await this.#keepPaceWithOutput();
    }
  }

  /**
   * A client that sends requests without reading the answers must not make the server queue
   * answers without end. Answers are made asynchronously, so every few lines of one read the
   * server lets the last ones be written, and reads on only once the output has been taken. A
   * client that sends one request at a time never waits here: the timer costs a sequential call
   * about 1–2 ms every eighth time.
   */
  async #keepPaceWithOutput(): Promise<void> {
    if (++this.#linesSinceOutputCheck < LINES_PER_OUTPUT_CHECK) return;
    this.#linesSinceOutputCheck = 0;
    await new Promise((resolve) => setTimeout(resolve, 0));
    await this.#writer.ready;
  }

  #append(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#lineBytes += piece.length;
    if (this.#skipping !== undefined) {
      this.#skipping.push(piece);
      return;
    }
    if (this.#lineBytes <= this.#maxLineBytes) {
      this.#line.append(piece);
      return;
    }
    this.#skipping = new IdScanner();
    this.#skipping.push(this.#line.take());
    this.#skipping.push(piece);
  }

  #endLine(): void {
    const skipped = this.#skipping;
    const bytes = this.#lineBytes;
    const line = this.#line.take();
    this.#skipping = undefined;
    this.#lineBytes = 0;
    if (skipped !== undefined) {
      const problem = `Request too large: ${formatBytes(bytes)} is over the ${
        formatBytes(this.#maxLineBytes)
      } one message may take; send large input in pieces`;
      this.#reply(errorResponse(skipped.id ?? null, ErrorCode.InvalidRequest, problem), problem);
      return;
    }
    this.#handleLine(line);
  }

  #handleLine(line: Uint8Array): void {
    const text = this.#decoder.decode(line).trim();
    if (text === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const scanner = new IdScanner();
      scanner.push(line);
      const problem = `Parse error: ${error instanceof Error ? error.message : error}`;
      this.#reply(errorResponse(scanner.id ?? null, ErrorCode.ParseError, problem), problem);
      return;
    }
    if (Array.isArray(value)) {
      this.#refuseBatch(value);
      return;
    }
    const checked = checkMessage(value);
    if (checked.kind === "accepted") this.onmessage?.(checked.message);
    else if (checked.reply !== undefined) this.#reply(checked.reply, checked.problem);
    else this.onerror?.(new Error(checked.problem));
  }

  // Batches left JSON-RPC in MCP 2025-06-18; each request in one still gets its answer.
  #refuseBatch(batch: readonly unknown[]): void {
    const problem = "Invalid request: batches (JSON arrays) are not supported; " +
      "send one message per line";
    const ids = batch.filter(isRequestLike).map((item) =>
      readableId((item as { id?: unknown }).id) ?? null
    );
    if (ids.length === 0) ids.push(null);
    for (const id of ids) {
      this.#reply(errorResponse(id, ErrorCode.InvalidRequest, problem), problem);
    }
  }

  #reply(response: JSONRPCMessage, problem: string): void {
    this.onerror?.(new Error(problem));
    this.send(response).catch((error) => this.onerror?.(error));
  }
}

function isRequestLike(item: unknown): boolean {
  return typeof item === "object" && item !== null && "id" in item && "method" in item;
}
