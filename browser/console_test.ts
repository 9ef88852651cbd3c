import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { TestBrowser } from "./chromium.ts";
import { findChromium } from "./find_browser.ts";
import { HttpTestServer } from "../tests/helpers/http_server.ts";
import { consoleUrl, TICK_GREEN, withTicker } from "./ticker.ts";
import { attackFromPage, REFUSED, serveForeignPage } from "./foreign_origin.ts";
import { pingMcpFromPage } from "./mcp_from_page.ts";
import { isAlive, waitUntilGone } from "../tests/helpers/processes.ts";

const chromiumPath = findChromium();
const ignore = chromiumPath === undefined;
if (ignore) {
  console.log(
    "console browser tests skipped: no Chromium found (install Debian's chromium or set CHROMIUM_PATH)",
  );
}
// Maps a made-up name to loopback, as a DNS-rebinding attacker's domain would be.
const REBOUND_HOST = "rebound.test";

interface StyledElement {
  readonly ownerDocument: {
    readonly defaultView: { getComputedStyle(element: unknown): { readonly color: string } };
  };
}

/** The colour an element is shown in, read through its own window (no DOM types needed here). */
function colourOf(element: unknown): string {
  return (element as StyledElement).ownerDocument.defaultView.getComputedStyle(element).color;
}

/** The number of the last tick line the page shows, which grows while the job runs. */
async function lastTickShown(page: Page): Promise<number> {
  const ticks = [...(await page.locator("#output").innerText()).matchAll(/tick (\d+)/g)];
  return Number(ticks.at(-1)?.[1] ?? 0);
}

/** Waits until the page shows tick line `n`. */
async function waitForTick(page: Page, n: number): Promise<void> {
  await page.locator("#output", { hasText: new RegExp(`tick ${n}\\b`) }).waitFor();
}

Deno.test({
  name: "the console shows Stop and the signal menu only once a job is selected",
  ignore,
  async fn() {
    await withTicker(async ({ client, job }) => {
      await using browser = await TestBrowser.launch(chromiumPath!);
      const page = await browser.openConsole(client);
      const row = page.locator(`#jobs tbody tr[data-id="${job.id}"]`);
      await row.waitFor();
      // Jobs are listed, none is selected: no action is offered at all.
      for (const id of ["#detail", "#stop", "#signal", "#send-signal"]) {
        assert.equal(await page.locator(id).isVisible(), false, `${id} shown with no job selected`);
      }
      await row.click();
      await page.locator("#stop").waitFor({ state: "visible" });
      assert.equal(await page.locator("#signal").isVisible(), true);
      assert.equal(await page.locator("#stop").isEnabled(), true);
    });
  },
});

Deno.test({
  name: "the console lists a running job, streams its output in colour, and Stop ends it",
  ignore,
  async fn() {
    await withTicker(async ({ client, job }) => {
      await using browser = await TestBrowser.launch(chromiumPath!);
      const page = await browser.openConsole(client);
      const row = page.locator(`#jobs tbody tr[data-id="${job.id}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /sleep 300/);
      assert.match(await row.locator(".badge").innerText(), /running/);

      await row.click();
      await waitForTick(page, 2);
      // More lines arrive with no reload and no polling request from the page.
      await waitForTick(page, (await lastTickShown(page)) + 3);
      const colour = await page.locator("#output span", { hasText: "tick" }).first().evaluate(
        colourOf,
      );
      assert.equal(colour, TICK_GREEN);

      await page.click("#stop");
      await page.locator("#detail-status", { hasText: "killed" }).waitFor();
      await waitUntilGone(job.pid);
      await waitUntilGone(job.grandchild);
      // The kill's answer may arrive after the events stream has shown the job killed.
      await page.locator("#action-result", { hasText: "Stop: killed" }).waitFor();
      assert.equal(await page.locator("#stop").isDisabled(), true);
      const screenshot = Deno.env.get("CONSOLE_SCREENSHOT");
      if (screenshot) await page.screenshot({ path: screenshot });
    });
  },
});

Deno.test({
  name: "the console refuses a foreign Origin and a rebound Host in the browser",
  ignore,
  async fn() {
    await withTicker(async ({ client, job }) => {
      await using attacker = serveForeignPage();
      await using browser = await TestBrowser.launch(
        chromiumPath!,
        `MAP ${REBOUND_HOST} 127.0.0.1`,
      );
      const page = await browser.context.newPage();
      await page.goto(`http://127.0.0.1:${attacker.addr.port}/`);
      const target = new URL(await consoleUrl(client)).origin;
      const outcomes = await page.evaluate(attackFromPage, { target, id: job.id });
      assert.deepEqual(outcomes, REFUSED);
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
  name: "with a token, the console opens only through a one-time link that sets an HttpOnly cookie",
  ignore,
  async fn() {
    await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: "s3cret" } });
    const client = await server.connect({ authorization: "Bearer s3cret" });
    const id = await client.start("sleep 300");
    await using browser = await TestBrowser.launch(chromiumPath!);
    const page = await browser.context.newPage();
    const link = await consoleUrl(client);
    const origin = new URL(link).origin;
    assert.equal((await page.goto(origin + "/"))?.status(), 401);

    await page.goto(link);
    await page.waitForURL(origin + "/");
    await page.locator(`#jobs tbody tr[data-id="${id}"]`).waitFor();
    assert.equal(await page.evaluate("document.cookie"), "");
    const [cookie] = await browser.context.cookies(origin);
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");

    // The link is spent; the cookie never stands in for the token on the MCP endpoint.
    const again = await browser.context.newPage();
    assert.equal((await again.goto(link))?.status(), 403);
    assert.equal(await page.evaluate(pingMcpFromPage, server.url), 401);

    // A process on another port of this host gets the cookie when the browser visits it (cookies
    // are not scoped to a port), but the cookie alone opens no job data and no action.
    const received: string[] = [];
    const elsewhere = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (r) => {
      received.push(r.headers.get("cookie") ?? "");
      return new Response("<!doctype html><title>elsewhere</title>", {
        headers: { "content-type": "text/html" },
      });
    });
    try {
      const visit = await browser.context.newPage();
      await visit.goto(origin + "/");
      await visit.goto(`http://127.0.0.1:${elsewhere.addr.port}/`);
      const stolen = received.find((header) => header.includes(cookie!.name)) ?? "";
      assert.match(stolen, new RegExp(`${cookie!.name}=${cookie!.value}`), "cookie sent");
      const get = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(origin + path, {
          ...init,
          headers: { cookie: stolen, "x-mcp-bg-console": "1" },
        });
        await response.body?.cancel();
        return response.status;
      };
      assert.equal(await get("/"), 200);
      assert.equal(await get("/console/events"), 401);
      assert.equal(await get(`/console/events?job=${id}`), 401);
      assert.equal(await get(`/console/jobs/${id}/kill`, { method: "POST" }), 401);
      await visit.close();
    } finally {
      await elsewhere.shutdown();
    }

    // Signed in by the cookie and the page key the login page stored, the page's actions work.
    assert.match(
      String(await page.evaluate("localStorage.getItem('mcp-bg-console-key')")),
      /^[\w-]{43}$/,
    );
    await page.locator(`#jobs tbody tr[data-id="${id}"]`).click();
    await page.click("#stop");
    await page.locator("#detail-status", { hasText: "killed" }).waitFor();
    await server.stop();
  },
});

Deno.test({
  name: "the console shows the port a job listens on and its coloured log",
  ignore,
  async fn() {
    await using server = await HttpTestServer.start();
    const client = await server.connect();
    const demo = new URL("./demo_server.ts", import.meta.url).pathname;
    const id = await client.start(`${Deno.execPath()} run --allow-net ${demo} 0`);
    const { stdout } = await client.waitForOutput(id, (o) => /127\.0\.0\.1:\d+/.test(o.stdout));
    const port = /127\.0\.0\.1:(\d+)/.exec(stdout)![1]!;
    try {
      await using browser = await TestBrowser.launch(chromiumPath!);
      const page = await browser.openConsole(client);
      const row = page.locator(`#jobs tbody tr[data-id="${id}"]`);
      await row.locator(".ports", { hasText: port }).waitFor();
      await row.click();
      await page.locator("#output", { hasText: `http://127.0.0.1:${port}/` }).waitFor();
      await fetch(`http://127.0.0.1:${port}/missing`).then((response) => response.body?.cancel());
      await page.locator("#output", { hasText: "GET /missing 404" }).waitFor();
      const status = page.locator("#output span", { hasText: "404" }).last();
      assert.equal(await status.evaluate(colourOf), "rgb(229, 229, 16)");
    } finally {
      await client.ok("kill_job", { job_id: id });
      await server.stop();
    }
  },
});
