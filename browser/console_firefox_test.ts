/**
 * The console in Firefox (Debian's `firefox-esr`, or `FIREFOX_PATH`), driven by puppeteer-core
 * over WebDriver BiDi: the same page the Chromium tests check, in the other engine.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { findFirefox } from "./find_browser.ts";
import { TestFirefox } from "./firefox.ts";
import { consoleUrl, TICK_GREEN, withTicker } from "./ticker.ts";
import { attackFromPage, REFUSED, serveForeignPage } from "./foreign_origin.ts";
import { pingMcpFromPage } from "./mcp_from_page.ts";
import { HttpTestServer } from "../tests/helpers/http_server.ts";
import { delay, isAlive, waitUntilGone } from "../tests/helpers/processes.ts";

const firefoxPath = findFirefox();
const ignore = firefoxPath === undefined;
// Resolved to loopback by the browser, as a DNS-rebinding attacker's domain would be.
const REBOUND_HOST = "rebound.test";
if (ignore) {
  console.log(
    "console Firefox tests skipped: no Firefox found (install Debian's firefox-esr or set FIREFOX_PATH)",
  );
}

/** The text the element `selector` shows. */
async function textOf(page: Page, selector: string): Promise<string> {
  // A script evaluated by the driver: the console's Content-Security-Policy forbids the page's own
  // eval, which puppeteer's waitForFunction relies on in the page.
  return String(
    await page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ""`),
  );
}

/** Waits until the element `selector` shows text matching `pattern` (30 s at most). */
async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!pattern.test(await textOf(page, selector))) {
    if (Date.now() > deadline) {
      throw new Error(`${selector} never showed ${pattern}: ${await textOf(page, selector)}`);
    }
    await delay(50);
  }
}

/** The number of the last tick line the page shows, which grows while the job runs. */
async function lastTickShown(page: Page): Promise<number> {
  const ticks = [...(await textOf(page, "#output")).matchAll(/tick (\d+)/g)];
  return Number(ticks.at(-1)?.[1] ?? 0);
}

Deno.test({
  name: "Firefox: the console lists a running job, streams its output in colour, and Stop ends it",
  ignore,
  async fn() {
    await withTicker(async ({ client, job }) => {
      await using firefox = await TestFirefox.launch(firefoxPath!);
      const page = await firefox.browser.newPage();
      const requests: string[] = [];
      page.on("request", (request) => requests.push(new URL(request.url()).pathname));
      await page.goto(await consoleUrl(client));
      const row = `#jobs tbody tr[data-id="${job.id}"]`;
      await page.waitForSelector(row);
      assert.match(await textOf(page, row), /sleep 300/);
      assert.match(await textOf(page, `${row} .badge`), /running/);

      await page.click(row);
      await waitForText(page, "#output", /tick 2\b/);
      await waitForText(page, "#connection", /^live$/);
      // More lines arrive over the one events stream: the page sends no request meanwhile.
      const sent = requests.length;
      await waitForText(page, "#output", new RegExp(`tick ${(await lastTickShown(page)) + 3}\\b`));
      assert.deepEqual(requests.slice(sent), []);
      assert.equal(requests.at(-1), "/console/events");
      const colour = await page.evaluate(
        `getComputedStyle([...document.querySelectorAll("#output span")]
        .find((span) => span.textContent.includes("tick"))).color`,
      );
      assert.equal(colour, TICK_GREEN);

      await page.click("#stop");
      await waitForText(page, "#detail-status", /killed/);
      await waitUntilGone(job.pid);
      await waitUntilGone(job.grandchild);
      // The kill's answer may arrive after the events stream has shown the job killed.
      await waitForText(page, "#action-result", /Stop: killed/);
      assert.equal(await page.evaluate(`document.getElementById("stop").disabled`), true);
    });
  },
});

Deno.test({
  name: "Firefox: the console refuses a foreign Origin and a rebound Host",
  ignore,
  async fn() {
    await withTicker(async ({ client, job }) => {
      await using attacker = serveForeignPage();
      await using firefox = await TestFirefox.launch(firefoxPath!, [REBOUND_HOST]);
      const page = await firefox.browser.newPage();
      await page.goto(`http://127.0.0.1:${attacker.addr.port}/`);
      const target = new URL(await consoleUrl(client)).origin;
      assert.deepEqual(await page.evaluate(attackFromPage, { target, id: job.id }), REFUSED);
      const { status } = await client.ok<{ status: string }>("get_job_status", { job_id: job.id });
      assert.equal(status, "running");
      assert.equal(isAlive(job.grandchild), true);

      const rebound = await page.goto(`http://${REBOUND_HOST}:${new URL(target).port}/`);
      assert.equal(rebound?.status(), 403);
      assert.doesNotMatch(await page.content(), /jobs-pane/);
    });
  },
});

Deno.test({
  name: "Firefox: with a token, a one-time link signs the page in with an HttpOnly cookie",
  ignore,
  async fn() {
    await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: "s3cret" } });
    const client = await server.connect({ authorization: "Bearer s3cret" });
    const id = await client.start("sleep 300");
    await using firefox = await TestFirefox.launch(firefoxPath!);
    const page = await firefox.browser.newPage();
    const link = await consoleUrl(client);
    const origin = new URL(link).origin;
    assert.equal((await page.goto(origin + "/"))?.status(), 401);

    await page.goto(link);
    const row = `#jobs tbody tr[data-id="${id}"]`;
    await page.waitForSelector(row);
    assert.equal(page.url(), origin + "/");
    assert.equal(await page.evaluate("document.cookie"), "");
    const [cookie] = await firefox.browser.cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");

    // The link is spent; the cookie never stands in for the token on the MCP endpoint.
    const again = await firefox.browser.newPage();
    assert.equal((await again.goto(link))?.status(), 403);
    assert.equal(await page.evaluate(pingMcpFromPage, server.url), 401);

    await page.click(row);
    await page.click("#stop");
    await waitForText(page, "#detail-status", /killed/);
    await server.stop();
  },
});
