import assert from "node:assert/strict";
import { TestBrowser } from "./chromium.ts";
import { findChromium } from "./find_browser.ts";
import { HttpTestServer } from "../tests/helpers/http_server.ts";

const chromiumPath = findChromium();

Deno.test({
  name: "a command waiting for approval shows on the console, and Allow once starts it",
  ignore: chromiumPath === undefined,
  async fn() {
    await using server = await HttpTestServer.start({
      env: { MCP_BG_ALLOWED_COMMANDS: "^echo( |$)", MCP_BG_APPROVAL: "ask" },
    });
    // A client without elicitation: the console is where the person answers.
    const client = await server.connect();
    await using browser = await TestBrowser.launch(chromiumPath!);
    const page = await browser.openConsole(client);
    assert.equal(await page.locator("#approvals").isHidden(), true);
    const call = client.call("execute_command", { command: "printf from-browser" });
    const question = page.locator("#questions li", { hasText: "Command: printf from-browser" });
    await question.waitFor();
    assert.match(await question.innerText(), /Arguments: \["from-browser"\]/);
    await question.getByRole("button", { name: "Allow once" }).click();
    const outcome = await call;
    assert.equal(outcome.isError, false, outcome.text);
    const status = await client.waitForEnd((outcome.data as { job_id: string }).job_id);
    assert.equal(status.approved_by_person, "once");
    await page.locator("#approvals").waitFor({ state: "hidden" });
    await server.stop();
  },
});
