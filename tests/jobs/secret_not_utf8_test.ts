/**
 * A server secret whose value is not UTF-8 never reaches a job. `Deno.env.toObject()` drops such
 * a variable, so the server sees no secret to remove and lets jobs inherit its environment as
 * is (since e25057c a contained piped job too, through the runtime), value and all.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

/** Starts the server with MCP_BG_HTTP_TOKEN set to `token` + the byte 0xff, through `sh`. */
function serverWithBadToken(env: Record<string, string>): Promise<TestServer> {
  return TestServer.start({
    command: "/bin/sh",
    args: [
      "-c",
      'MCP_BG_HTTP_TOKEN="secret-token-$(printf "\\377")"; export MCP_BG_HTTP_TOKEN; exec "$@"',
      "sh",
      Deno.execPath(),
      ...DENO_RUN,
      "-A",
      MAIN,
    ],
    env,
  });
}

const SHOW = "sh -c 'env | grep -c secret-token; echo shown'";

for (const contained of [true, false]) {
  Deno.test({
    name: `A non-UTF-8 MCP_BG_HTTP_TOKEN never reaches a job (${
      contained ? "contained" : "uncontained"
    })`,
    ignore: contained && noContainment,
    fn: async () => {
      await using server = await serverWithBadToken(contained ? { ...CONTAINED } : {});
      const runs = contained
        ? [{ stdin: "pipe" }, { stdin: "closed" }, { tty: true }]
        : [{ stdin: "pipe" }, { stdin: "closed" }];
      for (const options of runs) {
        const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
          command: SHOW,
          ...options,
        });
        await server.waitForEnd(job_id, 60_000);
        const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
        const where = `${JSON.stringify(options)}: ${JSON.stringify(output)}`;
        assert.match(output.stdout, /shown/, where);
        assert.equal(output.stdout.replaceAll("\r", "").split("\n")[0], "0", where);
      }
    },
  });
}
