/**
 * Named keys, as a terminal sends them to the program (xterm's sequences, normal cursor mode).
 *
 * @module
 */
import { ToolError } from "../errors.ts";

const ESC = "\x1b";

const NAMED: Readonly<Record<string, string>> = {
  Enter: "\r",
  Tab: "\t",
  Escape: ESC,
  Backspace: "\x7f",
  Space: " ",
  Delete: `${ESC}[3~`,
  Insert: `${ESC}[2~`,
  Up: `${ESC}[A`,
  Down: `${ESC}[B`,
  Right: `${ESC}[C`,
  Left: `${ESC}[D`,
  Home: `${ESC}[H`,
  End: `${ESC}[F`,
  PageUp: `${ESC}[5~`,
  PageDown: `${ESC}[6~`,
  F1: `${ESC}OP`,
  F2: `${ESC}OQ`,
  F3: `${ESC}OR`,
  F4: `${ESC}OS`,
  F5: `${ESC}[15~`,
  F6: `${ESC}[17~`,
  F7: `${ESC}[18~`,
  F8: `${ESC}[19~`,
  F9: `${ESC}[20~`,
  F10: `${ESC}[21~`,
  F11: `${ESC}[23~`,
  F12: `${ESC}[24~`,
};

/**
 * The bytes a terminal sends for the key `name`: a named key (`Enter`, `Up`, `F5`…), `C-x`
 * (control with a letter, or one of `@[\]^_`), or `M-x` (meta: Escape then the key).
 *
 * @example Usage
 * ```ts
 * import { keyBytes } from "./keys.ts";
 * import assert from "node:assert/strict";
 * assert.equal(keyBytes("C-c"), "\x03");
 * assert.equal(keyBytes("M-x"), "\x1bx");
 * assert.equal(keyBytes("Up"), "\x1b[A");
 * assert.throws(() => keyBytes("Hyper"), /Unknown key "Hyper"/);
 * ```
 *
 * @throws {ToolError} for a name that is no key.
 */
export function keyBytes(name: string): string {
  const named = NAMED[name];
  if (named !== undefined) return named;
  const control = /^C-([a-zA-Z@[\\\]^_])$/.exec(name);
  if (control !== null) return String.fromCharCode(control[1]!.toUpperCase().charCodeAt(0) & 0x1f);
  const meta = /^M-(.+)$/.exec(name);
  if (meta !== null) return ESC + ([...meta[1]!].length === 1 ? meta[1]! : keyBytes(meta[1]!));
  throw new ToolError(
    `Unknown key ${JSON.stringify(name)}: use Enter, Tab, Escape, Backspace, Up, Down, Left, ` +
      "Right, Home, End, PageUp, PageDown, Delete, F1-F12, C-a…C-z or M-x",
  );
}
