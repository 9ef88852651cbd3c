import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { TestBrowser } from "./chromium.ts";
import { findChromium } from "./find_browser.ts";
import { HttpTestServer } from "../tests/helpers/http_server.ts";
import { ToolClient } from "../tests/helpers/mcp_client.ts";
import { delay, killIfAlive, waitUntilGone } from "../tests/helpers/processes.ts";

const chromiumPath = findChromium();
const ignore = chromiumPath === undefined;
if (ignore) console.log("MCP App browser test skipped: no Chromium found (set CHROMIUM_PATH)");

const APP_URI = "ui://mcp-background-job/console";
const APP_MIME_TYPE = "text/html;profile=mcp-app";
const TICKER = `sh -c 'sleep 300 & echo "grandchild $!"; i=0; while :; do i=$((i+1)); ` +
  `echo "tick $i"; sleep 0.2; done'`;

/** A host page: the view in a sandboxed frame, its `tools/call` requests sent to `hostCallTool`. */
function hostPage(appHtml: string): string {
  // The view's own </script> must not end the host's script.
  const html = JSON.stringify(appHtml).replaceAll("</", "<\\/");
  return `<!doctype html><body>
<iframe id="app" sandbox="allow-scripts" style="width: 1000px; height: 600px"></iframe>
<script>
const frame = document.getElementById("app");
window.addEventListener("message", async (event) => {
  if (event.source !== frame.contentWindow) return;
  const message = event.data;
  const reply = (body) => frame.contentWindow.postMessage({ jsonrpc: "2.0", id: message.id, ...body }, "*");
  if (message.method === "ui/initialize") {
    reply({ result: {
      protocolVersion: "2026-01-26",
      hostCapabilities: { serverTools: {} },
      hostInfo: { name: "test host", version: "1.0.0" },
      hostContext: { theme: "dark" },
    } });
  } else if (message.method === "tools/call") {
    try {
      reply({ result: await window.hostCallTool(message.params) });
    } catch (error) {
      reply({ error: { code: -32000, message: String(error) } });
    }
  }
});
frame.srcdoc = ${html};
</script></body>`;
}

Deno.test({
  name:
    "a host that renders MCP Apps gets show_jobs and a ui:// view that lists, follows and stops",
  ignore,
  async fn() {
    await using server = await HttpTestServer.start();
    const plain = await server.connect();
    const client = new Client({ name: "app-host", version: "1.0.0" }, {
      capabilities: {
        extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [APP_MIME_TYPE] } },
      },
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: server.authHeaders },
      }),
    );
    try {
      // The tool is added once the server has the client's `initialized` notification.
      let tool;
      for (const deadline = Date.now() + 20_000; tool === undefined && Date.now() < deadline;) {
        tool = (await client.listTools()).tools.find((t) => t.name === "show_jobs");
        if (tool === undefined) await delay(20);
      }
      assert.deepEqual(tool?._meta, { ui: { resourceUri: APP_URI } });
      const plainTools = (await plain.client.listTools()).tools.map((t) => t.name);
      assert.equal(plainTools.includes("show_jobs"), false);

      const { contents } = await client.readResource({ uri: APP_URI });
      const view = contents[0] as { mimeType: string; text: string };
      assert.equal(view.mimeType, APP_MIME_TYPE);

      const started = await client.callTool({
        name: "execute_command",
        arguments: { command: TICKER },
      });
      const id = (started.structuredContent as { job_id: string }).job_id;
      const status = await client.callTool({ name: "get_job_status", arguments: { job_id: id } });
      const pid = (status.structuredContent as { pid: number }).pid;
      const { stdout } = await new ToolClient(client).waitForOutput(
        id,
        (output) => /grandchild \d+/.test(output.stdout),
        20_000,
      );
      const grandchild = Number(/grandchild (\d+)/.exec(stdout)![1]);
      try {
        await using browser = await TestBrowser.launch(chromiumPath!);
        const page = await browser.context.newPage();
        await page.exposeFunction(
          "hostCallTool",
          (params: { name: string; arguments?: Record<string, unknown> }) =>
            client.callTool(params),
        );
        await page.setContent(hostPage(view.text));
        const app = page.frameLocator("#app");
        const row = app.locator(`#jobs tbody tr[data-id="${id}"]`);
        await row.waitFor();
        await row.click();
        await app.locator("#output", { hasText: "tick 3" }).waitFor();
        await app.locator("#stop").click();
        await app.locator("#detail-status", { hasText: "killed" }).waitFor();
        await waitUntilGone(pid);
        await waitUntilGone(grandchild);
      } finally {
        killIfAlive(grandchild);
      }
    } finally {
      await client.close();
      await server.stop();
    }
  },
});
