/**
 * Where the system's browsers are, without loading a browser driver (the main suite asks too).
 *
 * @module
 */

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const FIREFOX = ["/usr/bin/firefox-esr", "/usr/bin/firefox"];

/** The file named by the environment variable `variable`, or else the first candidate present. */
function findExecutable(variable: string, candidates: readonly string[]): string | undefined {
  const given = Deno.env.get(variable);
  for (const path of given ? [given] : candidates) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch (error) {
      // Not installed at this path.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

/**
 * The Chromium executable to drive: `CHROMIUM_PATH`, or the first of the usual paths present.
 *
 * @example
 * ```ts
 * const chromium = findChromium();
 * console.log(chromium ?? "no Chromium installed");
 * ```
 */
export function findChromium(): string | undefined {
  return findExecutable("CHROMIUM_PATH", CHROMIUM);
}

/**
 * The Firefox executable to drive: `FIREFOX_PATH`, or Debian's `firefox-esr` (or a `firefox`).
 *
 * @example
 * ```ts
 * const firefox = findFirefox();
 * console.log(firefox ?? "no Firefox installed");
 * ```
 */
export function findFirefox(): string | undefined {
  return findExecutable("FIREFOX_PATH", FIREFOX);
}
