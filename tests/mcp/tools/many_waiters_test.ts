import assert from "node:assert/strict";
import { TestServer, type ToolClient } from "../../helpers/mcp_client.ts";
import { HttpTestServer } from "../../helpers/http_server.ts";

/** Fifty waiters scan a million held lines; three other calls are answered before any of them. */
async function answeredWhileWaitersScan(client: ToolClient): Promise<void> {
  const id = await client.start("seq 1 1000000");
  await client.waitForEnd(id);
  // Each waiter wants the last line, so every line is tested for each of them.
  let answered = 0;
  const waits = Array.from(
    { length: 50 },
    () =>
      client.ok<{ reason: string; match: { line: number } }>("wait_for_job", {
        job_id: id,
        pattern: "^1000000$",
        timeout: 60,
      }).then((outcome) => {
        answered++;
        return outcome;
      }),
  );
  let answeredMeanwhile = 0;
  for (let call = 0; call < 3; call++) {
    await client.ok("get_job_status", { job_id: id });
    if (answered === 0) answeredMeanwhile++;
  }
  for (const outcome of await Promise.all(waits)) {
    assert.equal(outcome.reason, "matched");
    assert.equal(outcome.match.line, 1_000_000);
  }
  assert.equal(answeredMeanwhile, 3, "get_job_status waited for the waiters to finish");
}

Deno.test("other calls are answered while many waiters scan a big output, over stdio", async () => {
  await using server = await TestServer.start();
  await answeredWhileWaitersScan(server);
});

Deno.test("other calls are answered while many waiters scan a big output, over HTTP", async () => {
  await using server = await HttpTestServer.start();
  await answeredWhileWaitersScan(await server.connect());
});
