/**
 * Test helper: how tests start the server of this checkout with `deno run`.
 *
 * @module
 */

/** The server's entry point in this checkout, as a file path. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/**
 * `deno run` that takes npm packages from `node_modules` and the cache only. Without
 * `--cached-only`, Deno fetches a package's registry metadata that its cache lacks on every run
 * (a frozen install does not always store it) and reports "Download …" on the child's stderr,
 * which tests that read the server's stderr would count.
 */
export const DENO_RUN: readonly string[] = Object.freeze(["run", "--cached-only"]);
