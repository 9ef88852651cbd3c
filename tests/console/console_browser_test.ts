/**
 * The console in real browsers. The tests live in `browser/` with their own import map and lock
 * (playwright-core and puppeteer-core are pinned there, not in the server's, so running the server
 * never downloads them); these tests run them as part of the suite, each browser when installed.
 */
import assert from "node:assert/strict";
import { findChromium, findFirefox } from "../../browser/find_browser.ts";
import { run } from "../helpers/processes.ts";

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

/** Each top-level test's verdict in a `deno test` report (NO_COLOR), in order. */
function verdictsOf(report: string): { name: string; verdict: string }[] {
  return [...report.matchAll(/^(\S.*) \.\.\. (ok|FAILED|ignored)\b/gm)]
    .map(([, name, verdict]) => ({ name: name!, verdict: verdict! }));
}

/** Each failed test's error text from the report's ERRORS section, by test name. */
function errorsOf(report: string): Map<string, string> {
  const section = report.split(/^ ERRORS $/m)[1]?.split(/^ FAILURES $/m)[0] ?? "";
  const errors = new Map<string, string>();
  for (const block of section.split(/\n(?=\S.* => \S+:\d+:\d+$)/m)) {
    const name = /^(\S.*) => \S+:\d+:\d+$/m.exec(block.trim())?.[1];
    if (name !== undefined) errors.set(name, block.trim());
  }
  return errors;
}

/**
 * Runs `deno test` on `targets` with the browser tests' config once, then reports each browser
 * test as its own step of `t`, so a failure names the check that failed.
 */
async function runBrowserTests(
  t: Deno.TestContext,
  targets: string[],
  env: Record<string, string>,
): Promise<void> {
  const result = await run(
    Deno.execPath(),
    ["test", "-A", "--config", "browser/deno.json", ...targets],
    { cwd: ROOT, env },
  );
  const report = result.stdout + result.stderr;
  const verdicts = verdictsOf(report);
  assert.ok(verdicts.length > 0, `no browser test ran:\n${report}`);
  const errors = errorsOf(report);
  for (const { name, verdict } of verdicts) {
    await t.step({
      name,
      ignore: verdict === "ignored",
      fn: () => {
        if (verdict === "FAILED") throw new Error(errors.get(name) ?? report);
      },
    });
  }
  // Whatever failed outside a test (a type error, a leak) fails the whole run.
  assert.equal(result.code, 0, report);
}

Deno.test({
  name: "the console works in headless Chromium (browser/console_test.ts, browser/app_test.ts)",
  ignore: chromium === undefined,
  async fn(t) {
    await runBrowserTests(t, [`--ignore=${FIREFOX_TESTS}`, "browser/"], {
      CHROMIUM_PATH: chromium!,
    });
  },
});

Deno.test({
  name: "the console works in headless Firefox (browser/console_firefox_test.ts)",
  ignore: firefox === undefined,
  async fn(t) {
    await runBrowserTests(t, [FIREFOX_TESTS], { FIREFOX_PATH: firefox! });
  },
});
