/**
 * A command line as argv and back. {@linkcode splitCommandLine} reads it with POSIX shell quoting
 * rules, as Python's `shlex.split` does: whitespace separates words, single quotes are literal,
 * double quotes honour `\"` and `\\`, a backslash outside quotes escapes the next character. No
 * expansion of any kind happens, so `|`, `;`, `$(…)` and friends are plain characters.
 * {@linkcode quoteWord} writes one word back so that the split reads it unchanged.
 *
 * @module
 */
import { InvalidCommandError } from "../errors.ts";

/** A program and its arguments: never empty. */
export type Argv = readonly [program: string, ...args: string[]];

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * Splits `line` into words.
 *
 * @example Usage
 * ```ts
 * import { splitCommandLine } from "./command_line.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitCommandLine(`echo "a b" 'c'd`), ["echo", "a b", "cd"]);
 * ```
 *
 * @throws {InvalidCommandError} on an unbalanced quote or a trailing backslash.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && i + 1 >= line.length) {
        throw new InvalidCommandError("No escaped character");
      } else if (char === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\") {
      if (i + 1 >= line.length) throw new InvalidCommandError("No escaped character");
      word += line[++i];
      inWord = true;
    } else if (WHITESPACE.has(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new InvalidCommandError("No closing quotation");
  if (inWord) words.push(word);
  return words;
}

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes `word` for display the way a POSIX shell (and {@linkcode splitCommandLine}) reads it back.
 *
 * @example Usage
 * ```ts
 * import { quoteWord, splitCommandLine } from "./command_line.ts";
 * import assert from "node:assert/strict";
 * assert.equal(quoteWord("ls"), "ls");
 * assert.equal(quoteWord("it's"), `'it'\\''s'`);
 * assert.deepEqual(splitCommandLine(quoteWord("a b")), ["a b"]);
 * ```
 */
export function quoteWord(word: string): string {
  return PLAIN_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
