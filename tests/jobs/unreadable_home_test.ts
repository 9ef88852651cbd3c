/**
 * Red-team finding: a contained server run as a user who cannot enter its `HOME` (as `setpriv`
 * leaves root's `/root` to nobody) refuses every job with "Internal error in execute_command:
 * Permission denied (os error 13): realpath '<HOME>/.local/state/mcp-background-job'": the
 * deny rule's path is resolved on the host, and only NotFound/NotADirectory count as "nothing to
 * hide" (rule_paths.ts `existing`), though its comment says "or not reachable by the server". A
 * job of that user could not reach the directory either.
 */
import assert from "node:assert/strict";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { ignoreAsNobody, startServerAsNobody } from "../helpers/as_nobody.ts";

Deno.test({
  name: "a contained server run as nobody whose HOME it cannot enter still starts jobs",
  ignore: noContainment || ignoreAsNobody("a server whose HOME is closed to it"),
  fn: async () => {
    const closedHome = await Deno.makeTempDir({ prefix: "mcp-bg-closed-home-" });
    const work = await Deno.makeTempDir({ prefix: "mcp-bg-closed-home-work-" });
    try {
      await Deno.chmod(closedHome, 0o700);
      await Deno.chmod(work, 0o777);
      await using server = await startServerAsNobody({
        home: closedHome,
        work,
        env: { ...CONTAINED },
      });
      const started = await server.call<{ job_id: string }>("execute_command", {
        command: "echo started",
      });
      assert.equal(started.isError, false, started.text);
      await server.waitForEnd(started.data.job_id, 60_000);
      const output = await server.ok<{ stdout: string }>("get_job_output", {
        job_id: started.data.job_id,
      });
      assert.equal(output.stdout, "started\n");
    } finally {
      await Deno.remove(closedHome, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});
