/**
 * Makes the README's picture of the console (`deno task screenshot`): a server with a few jobs in
 * every state, the dev server's output open, saved to the path given (default docs/console.png).
 *
 * @module
 */
import { TestBrowser } from "./chromium.ts";
import { findChromium } from "./find_browser.ts";
import { HttpTestServer } from "../tests/helpers/http_server.ts";

const path = Deno.args[0] ?? "docs/console.png";
const chromium = findChromium();
if (chromium === undefined) throw new Error("No Chromium found: install it or set CHROMIUM_PATH");

await using server = await HttpTestServer.start();
const client = await server.connect();
const start = async (name: string, command: string) =>
  (await client.ok<{ job_id: string }>("execute_command", { command, name })).job_id;

const watcher = await start("watch", "sleep 600");
await client.ok("kill_job", { job_id: watcher });
await start("build", `sh -c 'echo "bundling 48 modules"; sleep 0.2; echo "done in 0.2 s"'`);
await start(
  "unit tests",
  `sh -c 'echo "41 passed, 1 failed (router: expected 200, got 404)"; exit 1'`,
);
// Relative to the server's working directory (the checkout), so no path of this machine shows.
const dev = await start("dev server", "deno run --allow-net browser/demo_server.ts 0");
const { stdout } = await client.waitForOutput(dev, (o) => /127\.0\.0\.1:\d+/.test(o.stdout));
const port = /127\.0\.0\.1:(\d+)/.exec(stdout)![1]!;
for (const page of ["/", "/about", "/"]) {
  await fetch(`http://127.0.0.1:${port}${page}`).then((response) => response.body?.cancel());
}

await using browser = await TestBrowser.launch(chromium);
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1100, height: 720 });
await page.goto((await client.ok<{ url: string }>("console_url")).url);
await page.locator(`#jobs tbody tr[data-id="${dev}"] .ports`, { hasText: port }).waitFor();
await page.locator(`#jobs tbody tr[data-id="${dev}"]`).click();
await page.locator("#output", { hasText: "GET /about 404" }).waitFor();
await page.screenshot({ path });
console.log(`saved ${path}`);
await client.ok("kill_job", { job_id: dev });
