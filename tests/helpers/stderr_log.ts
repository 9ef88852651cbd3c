/**
 * Test helper: the text a child process writes to stderr, and a wait for the line a test needs.
 *
 * @module
 */

/** Everything a process wrote to stderr so far; `waitForLine` wakes on each new chunk. */
export class StderrLog {
  #text = "";
  #ended = false;
  #wake = Promise.withResolvers<void>();
  readonly #name: string;

  /** `name` says whose stderr this is, for the error when a line never comes. */
  constructor(name: string) {
    this.#name = name;
  }

  /** Everything written so far. */
  get text(): string {
    return this.#text;
  }

  /** Records `chunk`, as written. */
  append(chunk: string): void {
    this.#text += chunk;
    this.#wakeWaiters();
  }

  /** Records that the stream ended: waits for lines that never came fail at once. */
  end(): void {
    this.#ended = true;
    this.#wakeWaiters();
  }

  /**
   * Waits until a whole line matches `pattern` and returns the match (its `input` is the line);
   * fails, quoting everything
   * written, when the stream ends or `timeoutMs` passes first.
   */
  async waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => timer = setTimeout(resolve, timeoutMs, "late"));
    try {
      while (true) {
        // A line still being written is not matched until its newline (or the end) arrives.
        const end = this.#ended ? this.#text.length : this.#text.lastIndexOf("\n") + 1;
        for (const line of this.#text.slice(0, end).split("\n")) {
          pattern.lastIndex = 0;
          const match = pattern.exec(line);
          if (match) return match;
        }
        const why = this.#ended ? "before its stderr ended" : undefined;
        if (why || await Promise.race([this.#wake.promise, late]) === "late") {
          throw new Error(
            `${this.#name} wrote no line matching ${pattern} ${why ?? `within ${timeoutMs} ms`}` +
              `; its stderr:\n${this.#text}`,
          );
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #wakeWaiters(): void {
    this.#wake.resolve();
    this.#wake = Promise.withResolvers<void>();
  }
}
