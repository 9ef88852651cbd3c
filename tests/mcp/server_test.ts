import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { isAlive, waitUntilGone } from "../helpers/processes.ts";

Deno.test("server lists the seed tools and the agent tools with output schemas and annotations", async () => {
  await using server = await TestServer.start();
  const { tools } = await server.client.listTools();
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  for (
    const name of [
      "execute_command",
      "list_jobs",
      "get_job_status",
      "get_job_output",
      "tail_job_output",
      "interact_with_job",
      "kill_job",
      "wait_for_job",
      "read_job_output",
      "send_signal",
      "close_stdin",
      "run_command",
    ]
  ) {
    const tool = byName.get(name);
    assert.ok(tool, `missing tool ${name}`);
    assert.ok(tool.outputSchema, `${name} has no outputSchema`);
    // Inputs are strict, though the listing leaves that out: errors_test.ts sends extra fields.
  }
  assert.equal(byName.get("list_jobs")!.annotations?.readOnlyHint, true);
  assert.equal(byName.get("kill_job")!.annotations?.destructiveHint, true);
});

Deno.test("execute_command runs a program and its output is read back", async () => {
  await using server = await TestServer.start();
  const id = await server.start("echo a | wc -l");
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "completed");
  assert.equal(status.exit_code, 0);
  const output = await server.ok("get_job_output", { job_id: id });
  assert.equal(output.stdout, "a | wc -l\n");
});

Deno.test("kill_job ends the whole process group, grandchildren included", async () => {
  await using server = await TestServer.start();
  const id = await server.start(`sh -c "sleep 300 & echo $!; wait"`);
  const grandchild = await server.pidPrintedBy(id);
  assert.ok(isAlive(grandchild));
  assert.deepEqual(await server.ok("kill_job", { job_id: id }), { status: "killed" });
  await waitUntilGone(grandchild, 5000);
  const status = await server.ok("get_job_status", { job_id: id });
  assert.equal(status.status, "killed");
  assert.equal(status.kill_reason, "user");
});
