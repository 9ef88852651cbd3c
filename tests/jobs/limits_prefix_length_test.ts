/**
 * A contained `bash -c` or `sh -c` line as long as one argument may be still starts with
 * MCP_BG_JOB_LIMITS in force. The kernel takes at most 131,072 bytes per argument (its NUL
 * included); a line the server would prefix (the stdin taken back, the server's own dash's
 * `ulimit` commands) past that is passed as it is, behind a shell that does both.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

/** The longest argument the kernel takes. */
const LONGEST = 131_072 - 1;

Deno.test({
  name: "A contained bash -c or sh -c line of the longest length an argument may have starts",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: { ...CONTAINED } });
    const line = `echo started; #${"a".repeat(LONGEST - "echo started; #".length)}`;
    for (const [shell, stdin] of [["bash", "pipe"], ["bash", "closed"], ["sh", "pipe"]]) {
      const started = await server.call<{ job_id: string }>("execute_command", {
        command: `${shell} -c '${line}'`,
        stdin,
      });
      assert.equal(started.isError, false, `${shell}, stdin ${stdin}: ${started.text}`);
      const { job_id } = started.data;
      const status = await server.waitForEnd(job_id, 60_000);
      const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
      assert.equal(status.status, "completed", `stdin ${stdin}: ${JSON.stringify(output)}`);
      assert.equal(output.stdout, "started\n");
    }
  },
});
