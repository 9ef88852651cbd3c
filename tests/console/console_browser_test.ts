/**
 * The console in real browsers. The tests live in `browser/` with their own import map and lock
 * (playwright-core and puppeteer-core are pinned there, not in the server's, so running the server
 * never downloads them); these tests run them as part of the suite, each browser when installed.
 */
import assert from "node:assert/strict";
import { findChromium, findFirefox } from "../../browser/find_browser.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIREFOX_TESTS = "browser/console_firefox_test.ts";
const chromium = findChromium();
const firefox = findFirefox();
if (chromium === undefined) {
  console.log(
    "console browser tests skipped: no Chromium found (install Debian's chromium or set CHROMIUM_PATH)",
  );
}
if (firefox === undefined) {
  console.log(
    "console Firefox tests skipped: no Firefox found (install Debian's firefox-esr or set FIREFOX_PATH)",
  );
}

/** Runs `deno test` on `targets` with the browser tests' config; they must all pass. */
async function runBrowserTests(targets: string[], env: Record<string, string>): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--config", "browser/deno.json", ...targets],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const output = new TextDecoder().decode(result.stdout) +
    new TextDecoder().decode(result.stderr);
  assert.equal(result.code, 0, output);
  assert.match(output, /ok \| [1-9]\d* passed \| 0 failed/);
}

Deno.test({
  name: "the console works in headless Chromium (browser/console_test.ts, browser/app_test.ts)",
  ignore: chromium === undefined,
  async fn() {
    await runBrowserTests([`--ignore=${FIREFOX_TESTS}`, "browser/"], { CHROMIUM_PATH: chromium! });
  },
});

Deno.test({
  name: "the console works in headless Firefox (browser/console_firefox_test.ts)",
  ignore: firefox === undefined,
  async fn() {
    await runBrowserTests([FIREFOX_TESTS], { FIREFOX_PATH: firefox! });
  },
});
