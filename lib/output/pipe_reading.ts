/**
 * Reading a job's output pipe into its buffer: the loop every byte of a flood goes through, shared
 * with the benchmark's bare-reader baseline so that both measure the same code.
 *
 * @module
 */
import type { OutputBuffer } from "./output_buffer.ts";

// A pipe holds 64 KiB by default, so one read never returns more.
const READ_SIZE = 64 * 1024;

/**
 * Reads `stream` to its end, appending every chunk to `buffer` and then passing it to `onChunk`.
 * A BYOB reader refills one buffer: no fresh chunk (and no garbage) per read. Returns the number
 * of reads that returned bytes.
 *
 * @throws whatever the stream's read throws; what was read before stays in `buffer`.
 *
 * @example Usage
 * ```ts
 * import { readPipeInto } from "./pipe_reading.ts";
 * import { OutputBuffer } from "./output_buffer.ts";
 * import assert from "node:assert/strict";
 * const buffer = new OutputBuffer(1024);
 * // A byte stream, as a child's pipe is.
 * const stream = new ReadableStream({
 *   type: "bytes",
 *   start(controller) {
 *     controller.enqueue(new TextEncoder().encode("a\nb\n"));
 *     controller.close();
 *   },
 * });
 * assert.equal(await readPipeInto(stream, buffer), 1);
 * assert.equal(buffer.text(), "a\nb\n");
 * ```
 */
export async function readPipeInto(
  stream: ReadableStream<Uint8Array>,
  buffer: OutputBuffer,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<number> {
  const reader = stream.getReader({ mode: "byob" });
  let chunk = new Uint8Array(READ_SIZE);
  let reads = 0;
  for (;;) {
    const { value, done } = await reader.read(chunk);
    if (done || value === undefined) return reads;
    reads++;
    buffer.append(value);
    onChunk?.(value);
    chunk = new Uint8Array(value.buffer);
  }
}
