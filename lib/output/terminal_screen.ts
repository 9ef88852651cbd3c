/**
 * The rendered screen of a terminal job: a headless terminal emulator fed the job's output, so a
 * full-screen program (an editor, `top`, a pager) reads as the lines a person would see.
 *
 * @module
 */
import type { Terminal } from "@xterm/headless";

/** The visible screen: its lines (trailing blanks trimmed), the cursor and the size. */
export interface ScreenSnapshot {
  readonly screen: string;
  /** Zero-based, on the visible screen. */
  readonly cursor: { readonly row: number; readonly col: number };
  readonly cols: number;
  readonly rows: number;
}

/** Lines kept above the visible screen: enough to scroll back, bounded per job. */
export const SCREEN_SCROLLBACK_LINES = 1000;

/** A headless terminal of a given size that renders what it is fed. */
export class TerminalScreen {
  readonly #terminal: Terminal;
  // Resolves once everything written so far has been parsed.
  #parsed: Promise<void> = Promise.resolve();

  /** Creates a `cols`×`rows` screen from the emulator class `TerminalClass`. */
  constructor(TerminalClass: typeof Terminal, cols: number, rows: number) {
    this.#terminal = new TerminalClass({
      cols,
      rows,
      scrollback: SCREEN_SCROLLBACK_LINES,
      allowProposedApi: true,
    });
  }

  /** Feeds the job's output bytes (copied: the caller may reuse its buffer). */
  write(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.#parsed = new Promise((resolve) => this.#terminal.write(copy, resolve));
  }

  /** Changes the size; the program learns it from the pseudo-terminal, not from here. */
  resize(cols: number, rows: number): void {
    this.#terminal.resize(cols, rows);
  }

  /** The terminal's size now. */
  get size(): { cols: number; rows: number } {
    return { cols: this.#terminal.cols, rows: this.#terminal.rows };
  }

  /** Resolves once every byte written so far is on the screen. */
  settled(): Promise<void> {
    return this.#parsed;
  }

  /** The visible lines as of the last parsed byte (await {@linkcode settled} first). */
  snapshot(): ScreenSnapshot {
    const buffer = this.#terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < this.#terminal.rows; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? "");
    }
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return {
      screen: lines.join("\n"),
      cursor: { row: buffer.cursorY, col: buffer.cursorX },
      cols: this.#terminal.cols,
      rows: this.#terminal.rows,
    };
  }

  /** Frees the emulator. */
  dispose(): void {
    this.#terminal.dispose();
  }
}
