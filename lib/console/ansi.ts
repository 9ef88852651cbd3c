/**
 * Terminal output to styled runs: SGR colour and weight codes become run styles, every other
 * escape sequence and control character is dropped. The page renders runs with `textContent`, so
 * no byte of a job's output is ever parsed as HTML.
 *
 * @module
 */

/** A piece of text and the style it is shown in; a style absent is the terminal's default. */
export interface StyledRun {
  readonly text: string;
  /** Foreground as `#rrggbb`. */
  readonly fg?: string;
  /** Background as `#rrggbb`. */
  readonly bg?: string;
  readonly bold?: true;
  readonly dim?: true;
  readonly italic?: true;
  readonly underline?: true;
  /** Foreground and background swapped (SGR 7). */
  readonly inverse?: true;
}

type Style = Omit<StyledRun, "text">;

// The 16 basic colours, roughly xterm's, readable on a dark background.
const BASIC = [
  "#000000",
  "#cd3131",
  "#0dbc79",
  "#e5e510",
  "#2472c8",
  "#bc3fbc",
  "#11a8cd",
  "#e5e5e5",
  "#666666",
  "#f14c4c",
  "#23d18b",
  "#f5f543",
  "#3b8eea",
  "#d670d6",
  "#29b8db",
  "#ffffff",
];
// An escape sequence longer than this is junk, not a sequence cut by a chunk boundary.
const MAX_PENDING = 256;

const hex = (n: number) => Math.max(0, Math.min(255, n)).toString(16).padStart(2, "0");

/** The colour of entry `n` of the 256-colour palette. */
function paletteColour(n: number): string | undefined {
  if (!(n >= 0 && n <= 255)) return undefined;
  if (n < 16) return BASIC[n];
  if (n >= 232) {
    const grey = 8 + (n - 232) * 10;
    return `#${hex(grey)}${hex(grey)}${hex(grey)}`;
  }
  const cube = n - 16;
  const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
  return `#${hex(level(Math.floor(cube / 36)))}${hex(level(Math.floor(cube / 6) % 6))}${
    hex(level(cube % 6))
  }`;
}

/** Reads an extended colour (`5;n` or `2;r;g;b`) from `codes` at `i`; returns it and the codes used. */
function extendedColour(codes: number[], i: number): [string | undefined, number] {
  if (codes[i] === 5) return [paletteColour(codes[i + 1] ?? -1), 2];
  if (codes[i] === 2) {
    const [r, g, b] = [codes[i + 1], codes[i + 2], codes[i + 3]];
    if (r === undefined || g === undefined || b === undefined) return [undefined, 4];
    return [`#${hex(r)}${hex(g)}${hex(b)}`, 4];
  }
  return [undefined, 0];
}

/** `style` after the SGR parameters `codes` (an empty list resets, like `0`). */
function applySgr(style: Style, codes: number[]): Style {
  const next: { -readonly [K in keyof Style]: Style[K] } = { ...style };
  if (codes.length === 0) return {};
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) { for (const key of Object.keys(next)) delete next[key as keyof Style]; }
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 22) {
      delete next.bold;
      delete next.dim;
    } else if (code === 23) delete next.italic;
    else if (code === 24) delete next.underline;
    else if (code === 27) delete next.inverse;
    else if (code >= 30 && code <= 37) next.fg = BASIC[code - 30];
    else if (code >= 90 && code <= 97) next.fg = BASIC[code - 90 + 8];
    else if (code >= 40 && code <= 47) next.bg = BASIC[code - 40];
    else if (code >= 100 && code <= 107) next.bg = BASIC[code - 100 + 8];
    else if (code === 39) delete next.fg;
    else if (code === 49) delete next.bg;
    else if (code === 38 || code === 48) {
      const [colour, used] = extendedColour(codes, i + 1);
      if (colour !== undefined) next[code === 38 ? "fg" : "bg"] = colour;
      i += used;
    }
  }
  return next;
}

// CSI (ESC [ params final), OSC (ESC ] ... BEL or ESC \), other escapes (ESC 7, ESC ( B), and
// the control characters a log view cannot show. Tab and newline are kept; a lone CR is a newline.
const TOKEN =
  // deno-lint-ignore no-control-regex
  /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-Z\\^-~]|\r\n?|[\x00-\x08\x0b-\x1f\x7f]/g;
// An escape sequence that may still be completed by the next chunk.
// deno-lint-ignore no-control-regex
const UNFINISHED = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[ -/]*)$|\r$/;

/**
 * Turns a stream of terminal text into styled runs, keeping the style and any escape sequence cut
 * by a chunk boundary from one call to the next.
 *
 * @example Usage
 * ```ts
 * import { AnsiStyler } from "./ansi.ts";
 * import assert from "node:assert/strict";
 * const styler = new AnsiStyler();
 * assert.deepEqual(styler.push("ok \x1b[1;31mred\x1b[0m\n"), [
 *   { text: "ok " },
 *   { text: "red", bold: true, fg: "#cd3131" },
 *   { text: "\n" },
 * ]);
 * ```
 */
export class AnsiStyler {
  #style: Style = {};
  #pending = "";

  /** The runs `text` adds; an incomplete escape sequence at its end waits for the next call. */
  push(text: string): StyledRun[] {
    let input = this.#pending + text;
    this.#pending = "";
    const unfinished = UNFINISHED.exec(input);
    if (unfinished !== null && input.length - unfinished.index <= MAX_PENDING) {
      this.#pending = input.slice(unfinished.index);
      input = input.slice(0, unfinished.index);
    }
    return this.#runs(input);
  }

  /** The runs of whatever was held back, at the end of the stream. */
  flush(): StyledRun[] {
    const rest = this.#pending;
    this.#pending = "";
    return this.#runs(rest.startsWith("\r") ? "\n" : "");
  }

  #runs(input: string): StyledRun[] {
    const runs: StyledRun[] = [];
    let text = "";
    const emit = () => {
      if (text !== "") runs.push({ text, ...this.#style });
      text = "";
    };
    let last = 0;
    for (const match of input.matchAll(TOKEN)) {
      text += input.slice(last, match.index);
      last = match.index + match[0].length;
      if (match[0].startsWith("\r")) text += "\n";
      else if (match[2] === "m" && !/[<=>?]/.test(match[1] ?? "")) {
        emit();
        const codes = match[1] === "" ? [] : match[1]!.split(/[;:]/).map((c) => Number(c) || 0);
        this.#style = applySgr(this.#style, codes);
      }
    }
    text += input.slice(last);
    emit();
    return runs;
  }
}
