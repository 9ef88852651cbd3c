/**
 * The one place tool results and tool errors are shaped.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ResultTooLargeError, ToolError } from "../errors.ts";
import { cut } from "../quote.ts";
import { MAX_MESSAGE_BYTES } from "../message_limits.ts";
import type { Logger } from "../logger.ts";

/**
 * The most characters of JSON one result may carry: a character takes at least one byte, so
 * longer JSON can never fit in one message, and it is refused before the message is built.
 */
export const MAX_RESULT_CHARS = MAX_MESSAGE_BYTES;

/**
 * `JSON.stringify(value)`, or a {@linkcode ResultTooLargeError} when that is (or its strings
 * alone are) longer than {@linkcode MAX_RESULT_CHARS}.
 *
 * @example Usage
 * ```ts
 * import { boundedJson } from "./tool_result.ts";
 * import assert from "node:assert/strict";
 * assert.equal(boundedJson({ stdout: "hi" }), '{"stdout":"hi"}');
 * ```
 */
export function boundedJson(value: unknown): string {
  let chars = 0;
  const fields = typeof value === "object" && value !== null ? Object.values(value) : [value];
  for (const field of fields) if (typeof field === "string") chars += field.length;
  let text: string | undefined;
  if (chars <= MAX_RESULT_CHARS) {
    try {
      text = JSON.stringify(value);
    } catch (error) {
      // RangeError: the JSON is longer than the longest string V8 can make.
      if (!(error instanceof RangeError)) throw error;
    }
  }
  if (text === undefined || text.length > MAX_RESULT_CHARS) {
    throw new ResultTooLargeError(MAX_RESULT_CHARS);
  }
  return text;
}

/** A result carried both as `structuredContent` and as the same JSON in a text block. */
export function jsonResult<T extends Record<string, unknown>>(value: T): CallToolResult {
  return { content: [{ type: "text", text: boundedJson(value) }], structuredContent: value };
}

/**
 * Runs a tool body; a {@linkcode ToolError} becomes an `isError` result with its message, and
 * anything unexpected is reported to `logger` with its cause and to the client without crashing
 * the server.
 */
export async function runTool(
  name: string,
  logger: Logger,
  body: () => CallToolResult | Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolError) {
      return { content: [{ type: "text", text: error.message }], isError: true };
    }
    const message = error instanceof Error ? error.message : String(error);
    // A path past the system's limit is the input's fault: say so, without echoing the path.
    if (/File name too long|os error 36\b/.test(message)) {
      const text =
        "Invalid input: a path in it is longer than the system allows (File name too long)";
      return { content: [{ type: "text", text }], isError: true };
    }
    logger.error(`${name} failed unexpectedly`, error);
    // Whatever the error quotes of the input, only a short part of it goes back.
    return {
      content: [{ type: "text", text: `Internal error in ${name}: ${cut(message, 300)}` }],
      isError: true,
    };
  }
}
