import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";

Deno.test("other calls are answered while many waiters scan a big output", async () => {
  await using server = await TestServer.start();
  const id = await server.start("seq 1 1000000");
  await server.waitForEnd(id);
  // Fifty waiters for the last of a million held lines: each must test every line.
  let answered = 0;
  const waits = Array.from(
    { length: 50 },
    () =>
      server.ok<{ reason: string; match: { line: number } }>("wait_for_job", {
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
    await server.ok("get_job_status", { job_id: id });
    if (answered === 0) answeredMeanwhile++;
  }
  for (const outcome of await Promise.all(waits)) {
    assert.equal(outcome.reason, "matched");
    assert.equal(outcome.match.line, 1_000_000);
  }
  assert.equal(answeredMeanwhile, 3, "get_job_status waited for the waiters to finish");
});
