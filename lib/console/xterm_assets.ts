/**
 * The terminal renderer the console shows tty jobs with: `@xterm/xterm`'s browser script and style,
 * read once from the installed npm package (no CDN). Where they cannot be read (a bundle carries no
 * package files), the console shows tty jobs as plain text and says why.
 *
 * @module
 */

/** The script (`lib/xterm.js`, sets `window.Terminal`) and style of `@xterm/xterm`. */
export interface XtermAssets {
  readonly script: string;
  readonly style: string;
}

let loading: Promise<XtermAssets | undefined> | undefined;

async function load(): Promise<XtermAssets | undefined> {
  try {
    // Named through a variable, so that a bundle builds and degrades instead of failing.
    const name = "@xterm/xterm";
    const main = new URL(import.meta.resolve(name));
    if (main.protocol !== "file:") return undefined;
    const [script, style] = await Promise.all([
      Deno.readTextFile(main),
      Deno.readTextFile(new URL("../css/xterm.css", main)),
    ]);
    return { script, style };
  } catch {
    return undefined;
  }
}

/**
 * The renderer's files, read on first use and kept; `undefined` when they cannot be read here.
 *
 * @example Usage
 * ```ts
 * import { loadXtermAssets } from "./xterm_assets.ts";
 * const assets = await loadXtermAssets();
 * console.log(assets === undefined ? "plain text view" : `${assets.script.length} chars`);
 * ```
 */
export function loadXtermAssets(): Promise<XtermAssets | undefined> {
  loading ??= load();
  return loading;
}
