/**
 * The soak's contained part: jobs that each run into MCP_BG_JOB_LIMITS (file size, CPU time, a
 * full /tmp), to show that limit-ended jobs are reported as such and leave nothing behind.
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { containmentAvailability } from "../lib/jobs/containment.ts";
import { descendantsOf } from "../tests/helpers/processes.ts";

const COMMANDS = [
  "dd if=/dev/zero of=big bs=64K count=64",
  "sh -c 'while :; do :; done'",
  "sh -c 'cd /tmp && dd if=/dev/zero of=fill bs=64K count=32'",
];

/**
 * Runs `jobs` contained jobs past their limits, `concurrency` at a time; throws when one is not
 * reported as its limit says or when a process is left. Skipped (says so) without containment.
 */
export async function soakLimits(
  jobs: number,
  progress: (line: string) => void,
): Promise<void> {
  if (!containmentAvailability().available) {
    progress("soak: limits skipped, containment unavailable");
    return;
  }
  const work = await Deno.makeTempDir({ prefix: "mcp-bg-soak-limits-" });
  try {
    await using server = await TestServer.start({
      env: {
        MCP_BG_CONTAINMENT: "required",
        MCP_BG_WORKING_DIR: work,
        MCP_BG_ALLOW_WRITE: work,
        MCP_BG_JOB_LIMITS: "file-size=2M,cpu=1,tmp=1M",
      },
    });
    const counts = { limit: 0, full: 0 };
    for (let i = 0; i < jobs; i++) {
      const command = COMMANDS[i % COMMANDS.length]!;
      const status = await server.waitForEnd(await server.start(command), 60_000);
      if (status.kill_reason === "limit") counts.limit++;
      else if (status.status === "failed" && command.includes("/tmp")) counts.full++;
      else throw new Error(`${command}: ended ${JSON.stringify(status)}`);
    }
    const left = descendantsOf(server.pid).length;
    if (left !== 0) throw new Error(`${left} processes left after the limited jobs`);
    progress(
      `soak: ${jobs} contained jobs past their limits: ${counts.limit} kill_reason=limit, ` +
        `${counts.full} stopped by a full /tmp, 0 processes left`,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
