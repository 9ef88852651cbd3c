/**
 * The body of a console keystroke action: the keys typed, as text, bounded so that a page cannot
 * make the server hold much.
 *
 * @module
 */

/** The most bytes of keys one request carries (a paste is split by the page). */
export const MAX_TERMINAL_INPUT_BYTES = 4096;

/**
 * The request's body as text, or `undefined` when it is longer than
 * {@linkcode MAX_TERMINAL_INPUT_BYTES}.
 *
 * @example Usage
 * ```ts
 * import { readTerminalInput } from "./terminal_input.ts";
 * import assert from "node:assert/strict";
 * const request = new Request("http://127.0.0.1/", { method: "POST", body: "ls\r" });
 * assert.equal(await readTerminalInput(request), "ls\r");
 * ```
 */
export async function readTerminalInput(request: Request): Promise<string | undefined> {
  const reader = request.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_TERMINAL_INPUT_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), at += chunk.byteLength;
  return new TextDecoder().decode(bytes);
}
