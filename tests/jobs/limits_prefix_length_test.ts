/**
 * A contained `bash -c` line as long as one argument may be still starts with MCP_BG_JOB_LIMITS
 * in force. The kernel takes at most 131,072 bytes per argument (its NUL included); the line
 * already carries the 16 bytes that take the stdin back, and since the shell sets the limits
 * (cc0b243) the `ulimit` commands too, so a line that started before fails with E2BIG.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

/** The longest line that still fitted when only `exec 0<&4 4<&-; ` went before it. */
const LONGEST = 131_072 - 1 - "exec 0<&4 4<&-; ".length;

Deno.test({
  name: "A contained bash -c line of the longest length that started before still starts",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: { ...CONTAINED } });
    const line = `echo started; #${"a".repeat(LONGEST - "echo started; #".length)}`;
    for (const stdin of ["pipe", "closed"]) {
      const started = await server.call<{ job_id: string }>("execute_command", {
        command: `bash -c '${line}'`,
        stdin,
      });
      assert.equal(started.isError, false, `stdin ${stdin}: ${started.text}`);
      const { job_id } = started.data;
      const status = await server.waitForEnd(job_id, 60_000);
      const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
      assert.equal(status.status, "completed", `stdin ${stdin}: ${JSON.stringify(output)}`);
      assert.equal(output.stdout, "started\n");
    }
  },
});
