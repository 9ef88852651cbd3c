/**
 * Client-supplied regular expressions, run on a linear-time engine (RE2, through `re2js`): no
 * pattern can make matching slower than proportional to the text, so none can freeze the server.
 * The syntax is RE2's, which JavaScript's common subset shares; what needs backtracking is refused
 * with an error naming the construct.
 *
 * @module
 */
import { RE2JS } from "re2js";
import { ToolError } from "../errors.ts";

/** The maximum length of a regular expression a client may send. */
export const MAX_PATTERN_LENGTH = 1000;

/** Anything that tests one line of text: a {@linkcode LinePattern}, or a trusted `RegExp`. */
export interface LineTest {
  /** Whether `line` (one line, without its line ending) matches. */
  test(line: string): boolean;
  /** Whether some of `lines` (joined by `\n`) may match; `false` rules them all out at once. */
  anyLineMatches?(lines: string): boolean;
}

// Constructs only a backtracking engine can run, found outside character classes.
const REFUSED: readonly { readonly pattern: RegExp; readonly name: string }[] = [
  { pattern: /^\\[1-9]/, name: "backreference \\N" },
  { pattern: /^\\k</, name: "backreference \\k<name>" },
  { pattern: /^\(\?=/, name: "lookahead (?=…)" },
  { pattern: /^\(\?!/, name: "negative lookahead (?!…)" },
  { pattern: /^\(\?>/, name: "atomic group (?>…)" },
  { pattern: /^[*+?]\+/, name: "possessive quantifier" },
];
// Waiters often share a pattern: compiled once while in use, with the engine's warmed-up state.
// Weakly held, so a pattern's matching state (up to a few MiB) goes when its last user does.
const compiled = new Map<string, WeakRef<LinePattern>>();
const MAX_COMPILED = 256;
// With these a line's match might not survive joining lines with "\n": such patterns test lines
// one by one instead of a block at a time.
const LINE_BOUND = /\\[Az]|\(\?<[=!]|\(\?[a-zA-Z]*-/;

/**
 * A compiled client pattern that tests single lines, and blocks of lines joined by `\n`.
 *
 * @example Usage
 * ```ts
 * import { compilePattern } from "./line_pattern.ts";
 * import assert from "node:assert/strict";
 * const pattern = compilePattern("pattern", "(a+)+$");
 * assert.equal(pattern.test("a".repeat(100_000) + "b"), false); // at once, not in 2^100000 steps
 * assert.equal(pattern.anyLineMatches(["b", "aa"].join("\n")), true);
 * ```
 */
export class LinePattern implements LineTest {
  /** The pattern as the client sent it. */
  readonly source: string;
  readonly #line: RE2JS;
  readonly #block: RE2JS | undefined;

  /** Use {@linkcode compilePattern}, which explains a pattern it refuses. */
  constructor(source: string, translated: string) {
    this.source = source;
    this.#line = RE2JS.compile(translated, RE2JS.LOOKBEHINDS);
    this.#block = LINE_BOUND.test(source)
      ? undefined
      : RE2JS.compile(translated, RE2JS.LOOKBEHINDS | RE2JS.MULTILINE);
  }

  /** Whether `line` (one line, without its line ending) matches. */
  test(line: string): boolean {
    return this.#line.test(line);
  }

  /**
   * Whether some line of `lines` (lines joined by `\n`) may match: `false` means none does, in one
   * pass over the text instead of one per line; `true` means test them one by one.
   */
  anyLineMatches(lines: string): boolean {
    return this.#block === undefined || this.#block.test(lines);
  }
}

/**
 * Compiles a client's regular expression for the linear-time engine.
 *
 * @throws {ToolError} naming the parameter, the pattern and what is wrong with it: too long,
 * invalid, or a construct the engine cannot run (backreferences, lookahead, …).
 * @example Usage
 * ```ts
 * import { compilePattern } from "./line_pattern.ts";
 * import assert from "node:assert/strict";
 * assert.ok(compilePattern("filter", "^ERROR \\d+").test("ERROR 42"));
 * assert.throws(() => compilePattern("filter", "(a)\\1"), /backreference/);
 * ```
 */
export function compilePattern(parameter: string, pattern: string): LinePattern {
  const invalid = (reason: string, cause?: unknown) =>
    new ToolError(`Invalid ${parameter} ${JSON.stringify(pattern)}: ${reason}`, { cause });
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ToolError(
      `Invalid ${parameter}: the pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`,
    );
  }
  const refused = refusedConstruct(pattern);
  if (refused !== undefined) {
    throw invalid(
      `${refused} is not supported: patterns run on a linear-time engine (RE2 syntax), which has no backtracking`,
    );
  }
  const known = compiled.get(pattern)?.deref();
  if (known !== undefined) return known;
  try {
    const fresh = new LinePattern(pattern, RE2JS.translateRegExp(pattern));
    remember(pattern, fresh);
    return fresh;
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, "");
    throw invalid(explain(message), error);
  }
}

function remember(source: string, pattern: LinePattern): void {
  if (compiled.size >= MAX_COMPILED) {
    for (const [key, ref] of compiled) if (ref.deref() === undefined) compiled.delete(key);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(source, new WeakRef(pattern));
}

/** The first construct outside a character class that needs backtracking, named for a person. */
function refusedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i, i + 3);
    if (!inClass) {
      const found = REFUSED.find((entry) => entry.pattern.test(rest));
      if (found !== undefined) return `${found.name} (at character ${i + 1})`;
    }
    if (pattern[i] === "\\") i++; // an escaped character is never a bracket
    else if (pattern[i] === "[") inClass = true;
    else if (pattern[i] === "]") inClass = false;
  }
  return undefined;
}

/** RE2's message, with the common causes said plainly. */
function explain(message: string): string {
  if (message.startsWith("invalid repeat count")) {
    return `${message} (a count above 1000, or nested counts that multiply past it)`;
  }
  if (message.startsWith("invalid nested repetition operator")) {
    return `${message} (possessive quantifiers are not supported)`;
  }
  if (message.startsWith("invalid escape sequence: `\\")) {
    return `${message} (RE2 syntax: octal escapes and backreferences are not supported)`;
  }
  return message;
}
