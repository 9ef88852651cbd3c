/**
 * Where the system's Chromium is, without loading the browser driver (the main suite asks too).
 *
 * @module
 */

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable to drive: `CHROMIUM_PATH`, or the first of the usual paths present. */
export function findChromium(): string | undefined {
  const given = Deno.env.get("CHROMIUM_PATH");
  for (const path of given ? [given] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch (error) {
      // Not installed at this path.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}
