/**
 * The one place tool results and tool errors are shaped.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ToolError } from "../errors.ts";

/** A result carried both as `structuredContent` and as the same JSON in a text block. */
export function jsonResult<T extends Record<string, unknown>>(value: T): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * Runs a tool body; a {@linkcode ToolError} becomes an `isError` result with its message, and
 * anything unexpected is logged with its cause and reported without crashing the server.
 */
export async function runTool(
  name: string,
  body: () => CallToolResult | Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolError) {
      return { content: [{ type: "text", text: error.message }], isError: true };
    }
    console.error(`${name} failed unexpectedly:`, error);
    const message = error instanceof Error ? error.message : String(error);
    return {
      content: [{ type: "text", text: `Internal error in ${name}: ${message}` }],
      isError: true,
    };
  }
}
