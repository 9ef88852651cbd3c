/**
 * The console in a real browser. The tests live in `browser/` with their own import map and lock
 * (playwright-core is pinned there, not in the server's, so running the server never downloads
 * it); this test runs them as part of the suite.
 */
import assert from "node:assert/strict";
import { findChromium } from "../../browser/find_chromium.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const chromium = findChromium();
if (chromium === undefined) {
  console.log(
    "console browser tests skipped: no Chromium found (install Debian's chromium or set CHROMIUM_PATH)",
  );
}

Deno.test({
  name: "the console works in headless Chromium (browser/console_test.ts)",
  ignore: chromium === undefined,
  async fn() {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--config", "browser/deno.json", "browser/"],
      cwd: ROOT,
      env: { NO_COLOR: "1", CHROMIUM_PATH: chromium! },
      stdin: "null",
    }).output();
    const output = new TextDecoder().decode(result.stdout) +
      new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, output);
    assert.match(output, /ok \| [1-9]\d* passed \| 0 failed/);
  },
});
