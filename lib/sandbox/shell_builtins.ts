/**
 * What the shell walker knows of bash besides its grammar: which builtins run code or evaluate
 * their arguments, and how a word reads once quotes are removed. An auditor adding a builtin to
 * refuse edits this file; the walk itself is `shell_walker.ts`.
 *
 * @module
 */
import type { Word } from "unbash";

/** Builtins that (re)interpret strings as code, change parsing, or run their arguments as a command. */
export const UNSAFE_BUILTINS = new Set([
  "eval",
  "source",
  ".",
  "alias",
  "unalias",
  "trap",
  "fc",
  "enable",
  "shopt",
  "set",
  "exec",
  "command",
  "builtin",
  "let",
  "mapfile",
  "readarray",
  "complete",
  "compgen",
  "bind",
  "hash",
  "coproc",
  "declare",
  "typeset",
  "local",
]);
/**
 * Builtins taking variable names as arguments: bash evaluates `a[...]` subscripts in them
 * (`unset 'a[$(id)]'` runs id), which no parser can see because the word is quoted.
 */
export const NAME_ARG_BUILTINS = new Set([
  "read",
  "printf",
  "unset",
  "export",
  "readonly",
  "getopts",
  "wait",
  "test",
  "[",
]);
/** Builtins that change the shell's directory, and with it what a relative program path runs. */
export const DIRECTORY_BUILTINS = new Set(["cd", "pushd", "popd"]);
/** `test`/`[[ ]]` operators that compare numbers: bash evaluates their operands as arithmetic. */
export const ARITHMETIC_TEST_OPERATORS = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);
/** A number bash reads as is (decimal, hex, `base#digits`): nothing in it is evaluated. */
export const NUMERIC = /^(0[xX][0-9a-fA-F]+|[0-9]+(#[0-9a-zA-Z@_]+)?)$/;

/**
 * Resolves a word to its final unquoted string, or `null` when it depends on an expansion.
 *
 * @example Usage
 * ```ts
 * import { literalWord } from "./shell_builtins.ts";
 * import assert from "node:assert/strict";
 * assert.equal(literalWord({ type: "Word", text: "ls", value: "ls", pos: 0, end: 2 } as never), "ls");
 * assert.equal(literalWord(undefined), null);
 * ```
 */
export function literalWord(word: Word | undefined): string | null {
  if (word === undefined || word.type !== "Word") return null;
  // A word without parts is plain text with its backslash escapes already removed.
  if (word.parts === undefined) return word.value;
  let text = "";
  for (const part of word.parts) {
    if (part.type === "Literal" || part.type === "SingleQuoted" || part.type === "AnsiCQuoted") {
      text += part.value;
    } else if (part.type === "DoubleQuoted" || part.type === "LocaleString") {
      for (const child of part.parts) {
        if (child.type !== "Literal") return null;
        text += child.value;
      }
    } else {
      return null; // globs, brace expansion, every expansion and substitution
    }
  }
  return text;
}
