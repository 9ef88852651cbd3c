/**
 * The matching lines a filtered read shows, within its bounds: the first ones (reading forward
 * from a cursor) or the newest ones (reading the held output), in time proportional to the matches.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A match as shown: `<line number>: <text>`. */
interface Shown {
  readonly line: string;
  readonly bytes: number;
}

/**
 * Collects matching lines up to `lines` of them and `maxBytes` of shown text (always at least one).
 *
 * @example Usage
 * ```ts
 * import { MatchingLines } from "./matching_lines.ts";
 * import assert from "node:assert/strict";
 * const newest = new MatchingLines({ lines: 2 }, "newest");
 * for (const n of [1, 2, 3]) newest.add(n, `match ${n}`);
 * assert.equal(newest.text(), "[1 earlier matching lines not shown]\n2: match 2\n3: match 3\n");
 * ```
 */
export class MatchingLines {
  readonly #lines: number;
  readonly #maxBytes: number;
  readonly #keep: "first" | "newest";
  #shown: Shown[] = [];
  // With "newest", entries before #head were dropped; compacted now and then, never shifted.
  #head = 0;
  #shownBytes = 0;
  #omittedLines = 0;
  #omittedBytes = 0;

  /** Bounds for what is shown; `keep` says which matches win when there are more. */
  constructor(
    bounds: { readonly lines?: number; readonly maxBytes?: number },
    keep: "first" | "newest",
  ) {
    this.#lines = bounds.lines ?? Infinity;
    this.#maxBytes = bounds.maxBytes ?? Infinity;
    this.#keep = keep;
  }

  /** Matches shown so far. */
  get count(): number {
    return this.#shown.length - this.#head;
  }

  /** Bytes of shown matches left out to keep the newest within the bounds. */
  get omittedBytes(): number {
    return this.#omittedBytes;
  }

  /**
   * Adds the match on line `line`. With "first", returns `false` (and adds nothing) once the
   * bounds are reached: that line is left for the next read.
   */
  add(line: number, text: string): boolean {
    const shown = `${line}: ${text}\n`;
    const entry = { line: shown, bytes: encoder.encode(shown).length };
    if (this.#keep === "first") {
      const full = this.count >= this.#lines ||
        (this.count > 0 && this.#shownBytes + entry.bytes > this.#maxBytes);
      if (full) return false;
    }
    this.#shown.push(entry);
    this.#shownBytes += entry.bytes;
    if (this.#keep === "newest") this.#dropOldest();
    return true;
  }

  /** The shown matches, after a note counting the earlier ones left out. */
  text(): string {
    const text = this.#shown.slice(this.#head).map((entry) => entry.line).join("");
    const omitted = this.#omittedLines;
    return omitted > 0 ? `[${omitted} earlier matching lines not shown]\n${text}` : text;
  }

  #dropOldest(): void {
    while (
      this.count > this.#lines || (this.count > 1 && this.#shownBytes > this.#maxBytes)
    ) {
      const dropped = this.#shown[this.#head++]!;
      this.#shownBytes -= dropped.bytes;
      this.#omittedBytes += dropped.bytes;
      this.#omittedLines++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#shown.length) {
      this.#shown = this.#shown.slice(this.#head);
      this.#head = 0;
    }
  }
}
