/**
 * The fenced blocks of the project's Markdown pages, with the info string that says how each is
 * checked (see CONTRIBUTING.md's table: `json client`, `sh run`, `console check`, …).
 *
 * @module
 */

/** The repository's root, without a trailing slash. */
export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/** What the docs write for the checkout's path. */
export const CHECKOUT_PLACEHOLDER = "/path/to/mcp-background-job";

/** One fenced block. */
export interface Block {
  /** The page, from the repository root. */
  readonly page: string;
  /** The block's first line number in the page (1-based). */
  readonly line: number;
  /** The language, e.g. `json`, `sh`, `console`. */
  readonly language: string;
  /** The words after the language, e.g. `["client"]`. */
  readonly marks: readonly string[];
  /** The text between the fences. */
  readonly text: string;
}

/** Every page a reader is sent to: the README, SECURITY, CONTRIBUTING and `docs/*.md`. */
export function pages(): string[] {
  const docs = [...Deno.readDirSync(`${ROOT}/docs`)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".md"))
    .map((entry) => `docs/${entry.name}`)
    .sort();
  return ["README.md", "SECURITY.md", "CONTRIBUTING.md", ...docs];
}

/** The fenced blocks of `page`, in order. */
export function blocksOf(page: string): Block[] {
  const text = Deno.readTextFileSync(`${ROOT}/${page}`);
  const blocks: Block[] = [];
  for (const match of text.matchAll(/^```([^\n`]*)\n([\s\S]*?)^```$/gm)) {
    const [language = "", ...marks] = match[1]!.trim().split(/\s+/);
    const line = text.slice(0, match.index).split("\n").length;
    blocks.push({ page, line, language, marks, text: match[2]! });
  }
  return blocks;
}

/** Every block of every page, or those whose language and first mark are given. */
export function allBlocks(language?: string, mark?: string): Block[] {
  return pages().flatMap(blocksOf).filter((block) =>
    (language === undefined || block.language === language) &&
    (mark === undefined || block.marks[0] === mark)
  );
}

/** A block's command lines: continuations (`\` at the end) joined, comments and blanks dropped. */
export function commandsOf(text: string): string[] {
  return text.replace(/\\\n\s*/g, "").split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
