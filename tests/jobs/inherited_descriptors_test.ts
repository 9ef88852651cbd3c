/**
 * A descriptor the server inherited open (here fd 5, a file, and fd 12, a directory, left open by
 * the shell that starts it) reaches no job, contained or not: the server marks them close-on-exec
 * before any job. Before, a contained job held both, and through fd 12 listed a directory its
 * sandbox would not show.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const LEAVE_OPEN = 'exec 5</etc/hostname 12</etc; exec "$@"';

/** The descriptors `ls` found in the job beyond 0-2, without the one it opened to list them. */
function extraDescriptors(listing: string): string[] {
  return listing.split("\n").flatMap((line) => {
    const match = / (\d+) -> (.*)$/.exec(line);
    if (match === null || Number(match[1]) <= 2 || match[2]!.startsWith("/proc/")) return [];
    return [`${match[1]} -> ${match[2]}`];
  });
}

// -A, and the flags one by one (under which Deno keeps /proc/self/fd from the server).
const PERMISSIONS = [["-A"], ["--allow-env", "--allow-read", "--allow-run", "--allow-ffi"]];

for (const contained of [true, false]) {
  for (const permissions of PERMISSIONS) {
    Deno.test({
      name: `descriptors the server inherited reach no job (${
        contained ? "contained" : "uncontained"
      }, ${permissions.join(" ")})`,
      ignore: contained && noContainment,
      fn: async () => {
        await using server = await TestServer.start({
          command: "bash",
          args: ["-c", LEAVE_OPEN, "bash", Deno.execPath(), ...DENO_RUN, ...permissions, MAIN],
          env: contained ? { ...CONTAINED } : {},
        });
        // Not readable for a non-root run: the server is non-dumpable, so its fd/ is root's.
        const serverFds = await Array.fromAsync(Deno.readDir(`/proc/${server.pid}/fd`)).catch(
          () => undefined,
        );
        if (serverFds !== undefined) {
          assert.ok(serverFds.some((entry) => entry.name === "12"), "the server holds what it got");
        }
        const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
          command: "ls -l /proc/self/fd/",
        });
        const status = await server.waitForEnd(job_id, 60_000);
        const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
        assert.equal(status.status, "completed", JSON.stringify(output));
        assert.deepEqual(extraDescriptors(output.stdout), [], output.stdout);
      },
    });
  }
}
