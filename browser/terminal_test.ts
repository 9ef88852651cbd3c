import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { TestBrowser } from "./chromium.ts";
import { findChromium } from "./find_browser.ts";
import { type HttpClient, HttpTestServer } from "../tests/helpers/http_server.ts";

const chromiumPath = findChromium();
const ignore = chromiumPath === undefined;

/** Starts an interactive shell on a 60×12 terminal and waits for its prompt. */
async function startShell(client: HttpClient): Promise<string> {
  const { job_id } = await client.ok<{ job_id: string }>("execute_command", {
    command: "sh -i",
    env: { PS1: "ready> " },
    tty: true,
    cols: 60,
    rows: 12,
  });
  await client.waitForOutput(job_id, (o) => o.stdout.includes("ready> "));
  return job_id;
}

/** Opens the console on `jobId` and waits until its prompt is drawn by the terminal renderer. */
async function openTerminal(
  browser: TestBrowser,
  client: HttpClient,
  jobId: string,
): Promise<Page> {
  const page = await browser.openConsole(client);
  await page.locator(`#jobs tbody tr[data-id="${jobId}"]`).click();
  await page.locator("#terminal .xterm-rows", { hasText: "ready>" }).waitFor();
  assert.equal(await page.locator("#output").isVisible(), false);
  return page;
}

Deno.test({
  name: "the console renders a tty job in xterm, and with MCP_BG_CONSOLE_INPUT=on the person types",
  ignore,
  async fn() {
    await using server = await HttpTestServer.start({ env: { MCP_BG_CONSOLE_INPUT: "on" } });
    const client = await server.connect();
    const id = await startShell(client);
    try {
      await using browser = await TestBrowser.launch(chromiumPath!);
      const page = await openTerminal(browser, client, id);
      // The renderer has the job's size: 12 rows.
      assert.equal(await page.locator("#terminal .xterm-rows > div").count(), 12);
      await page.locator("#terminal .xterm").click();
      await page.keyboard.type("echo typed-$((6 * 7))");
      await page.keyboard.press("Enter");
      await page.locator("#terminal .xterm-rows > div", { hasText: /^typed-42\s*$/ }).waitFor();
      // The agent sees what the person typed.
      await client.waitForOutput(id, (o) => o.stdout.includes("typed-42"));
    } finally {
      await client.ok("kill_job", { job_id: id });
      await server.stop();
    }
  },
});

Deno.test({
  name: "with MCP_BG_CONSOLE_INPUT off, the console's terminal is read-only and typing is refused",
  ignore,
  async fn() {
    await using server = await HttpTestServer.start();
    const client = await server.connect();
    const id = await startShell(client);
    try {
      await using browser = await TestBrowser.launch(chromiumPath!);
      const page = await openTerminal(browser, client, id);
      await page.locator("#terminal .xterm").click();
      await page.keyboard.type("echo typed-off");
      await page.keyboard.press("Enter");
      // The page itself, with its key and header, is refused too.
      const refused = await page.evaluate(async (jobId) => {
        const key = localStorage.getItem("mcp-bg-console-key") ?? "";
        const response = await fetch(`/console/jobs/${jobId}/input`, {
          method: "POST",
          headers: { "x-mcp-bg-console": "1", "x-mcp-bg-console-key": key },
          body: "echo typed-off\r",
        });
        return response.status;
      }, id);
      assert.equal(refused, 403);
      // The agent's line arrives after anything the page could have sent, and nothing did.
      await client.ok("interact_with_job", { job_id: id, input: "echo agent-$((1 + 1))" });
      await page.locator("#terminal .xterm-rows > div", { hasText: /^agent-2\s*$/ }).waitFor();
      const { stdout } = await client.waitForOutput(id, (o) => o.stdout.includes("agent-2"));
      assert.ok(!stdout.includes("typed-off"), stdout);
    } finally {
      await client.ok("kill_job", { job_id: id });
      await server.stop();
    }
  },
});
