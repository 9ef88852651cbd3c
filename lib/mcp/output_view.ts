/**
 * Output as results show it to an agent: at most a byte budget per stream (the newest kept, with
 * a marker and a cursor for what was left out), cleaned of terminal control sequences unless the
 * client asks for the raw text.
 *
 * @module
 */
import { z } from "zod";
import type { OutputBuffer } from "../output/output_buffer.ts";
import { readStream } from "../output/reading.ts";

/**
 * Bytes of text per stream a result carries when the client does not ask for more. Both streams
 * together stay near 32 KiB, about 8,000–13,000 tokens: under the 25,000-token limit Claude Code
 * puts on a tool result by default, with room for the rest of the turn.
 */
export const DEFAULT_MAX_BYTES = 16 * 1024;

/** The `max_bytes` input of the tools that return output. */
export const maxBytesSchema = z.number().int().min(16).default(DEFAULT_MAX_BYTES);

/** The `raw` input of the tools that return output. */
export const rawSchema = z.boolean().optional().describe("keep ANSI codes, \\r");

/** How much of a stream to show. */
export interface StreamTextOptions {
  /** The budget; default {@linkcode DEFAULT_MAX_BYTES}. */
  readonly maxBytes?: number;
  readonly raw?: boolean;
  /** Only the last this many lines (what they leave out is not marked: it was not asked for). */
  readonly lines?: number;
  /** Only output from this absolute offset on. */
  readonly since?: number;
}

/** What a result shows of one stream. */
export interface StreamText {
  /** The text, starting with a marker when earlier output was left out. */
  readonly text: string;
  /** Bytes of the asked-for output the budget left out. */
  readonly omittedBytes: number;
}

/**
 * The newest output of `buffer` (the stream `stream`) within the budget, as an agent sees it.
 *
 * @example Usage
 * ```ts
 * import { streamText } from "./output_view.ts";
 * import { OutputBuffer } from "../output/output_buffer.ts";
 * import assert from "node:assert/strict";
 * const buffer = new OutputBuffer(1024);
 * buffer.append(new TextEncoder().encode("\x1b[31mold\x1b[0m\n" + "new\n".repeat(5)));
 * assert.equal(streamText(buffer, "stdout").text, "old\n" + "new\n".repeat(5));
 * assert.equal(
 *   streamText(buffer, "stdout", { maxBytes: 16 }).text,
 *   "[… 17 bytes not shown; read_job_output with stdout_cursor 0 gets them]\n" +
 *     "new\n".repeat(4),
 * );
 * ```
 */
export function streamText(
  buffer: OutputBuffer,
  stream: string,
  options: StreamTextOptions = {},
): StreamText {
  const since = Math.max(
    options.since ?? 0,
    options.lines === undefined ? 0 : buffer.lineStart(options.lines),
  );
  const read = readStream(buffer, stream, {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    since,
    raw: options.raw,
    final: buffer.ended,
  });
  return { text: read.text, omittedBytes: read.omittedBytes };
}
