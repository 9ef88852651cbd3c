/**
 * Red-team finding on 9b97fb0: a contained `sh -c` whose line looks like an option (`-x`, `--`,
 * `+x`) is run by dash as a command instead of failing as dash does ("-c requires an argument",
 * status 2), since the folded line starts with the `ulimit` commands and is no longer an option.
 * Uncontained (and contained before the folding) the same job fails as dash says. A piped
 * `bash -c -x` has the same fault (its line starts with `exec 0<&4 4<&-;`, older than cc0b243),
 * while with its stdin closed it fails as bash says: the same job, two outcomes.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

const LINES = ["-x", "--", "+x"];

async function outcomes(contained: boolean): Promise<string[]> {
  await using server = await TestServer.start({ env: contained ? { ...CONTAINED } : {} });
  const seen: string[] = [];
  for (const shell of ["sh", "bash"]) {
    for (const line of LINES) {
      for (const stdin of ["pipe", "closed"]) {
        const command = `${shell} -c ${line}`;
        const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
          command,
          stdin,
        });
        const status = await server.waitForEnd(job_id, 60_000);
        const output = await server.ok<{ stderr: string }>("get_job_output", { job_id });
        seen.push(`${command}, stdin ${stdin}: ${status.exit_code} ${output.stderr.trim()}`);
      }
    }
  }
  return seen;
}

Deno.test({
  name:
    "a contained sh or bash -c line that looks like an option fails as the shell says, as uncontained",
  ignore: noContainment,
  fn: async () => {
    const uncontained = await outcomes(false);
    for (const seen of uncontained.filter((line) => line.startsWith("sh "))) {
      assert.match(seen, /: 2 sh: 0: -c requires an argument$/);
    }
    assert.deepEqual(await outcomes(true), uncontained);
  },
});
