/**
 * What a contained job holds on each way it starts (a `dash -c`/`bash -c` line, any other
 * program; stdin piped or closed; with per-process limits to set and without): its stdin as fd 0
 * (the server's pipe, or /dev/null), stdout and stderr, and neither the fd 4 its stdin travels
 * on past bubblewrap nor the filter's fd 3. (Descriptors the server itself inherited without
 * close-on-exec, as from a test runner's shell, are not the sandbox's to close.)
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

// `ls` opens the directory it lists: that descriptor is its own, not one it inherited.
const LIST_FDS = "ls -l /proc/self/fd/";

const ROUTES = {
  "a dash -c line": `dash -c '${LIST_FDS}'`,
  "a bash -c line": `bash -c '${LIST_FDS}'`,
  "another program": LIST_FDS,
};

/** fds 0-4 → what each points to, without the descriptor `ls` opened for the listing. */
function descriptors(listing: string): Record<string, string> {
  const fds: Record<string, string> = {};
  for (const line of listing.split("\n")) {
    const match = / ([0-4]) -> (.*)$/.exec(line);
    if (match === null || match[2]!.startsWith("/proc/")) continue;
    fds[match[1]!] = match[2]!.replace(/:\[\d+\]$/, "");
  }
  return fds;
}

for (const limits of ["processes=1024", "processes=unlimited"]) {
  Deno.test({
    name: `a contained job holds only its stdin, stdout and stderr (MCP_BG_JOB_LIMITS=${limits})`,
    ignore: noContainment,
    fn: async () => {
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: limits },
      });
      for (const [route, command] of Object.entries(ROUTES)) {
        for (const stdin of ["pipe", "closed"] as const) {
          const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
            command,
            stdin,
          });
          const status = await server.waitForEnd(job_id, 60_000);
          const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
          const where = `${route}, stdin ${stdin}: ${JSON.stringify(output)}`;
          assert.equal(status.status, "completed", where);
          assert.deepEqual(descriptors(output.stdout), {
            "0": stdin === "pipe" ? "pipe" : "/dev/null",
            "1": "pipe",
            "2": "pipe",
          }, where);
        }
      }
    },
  });
}
