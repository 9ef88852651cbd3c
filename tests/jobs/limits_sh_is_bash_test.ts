/**
 * Red-team finding on 9b97fb0: on a server whose `sh` is bash (no dash on its PATH, as where
 * /bin/sh is bash), a piped contained job's first program inside the sandbox is that `sh`, which
 * takes the stdin back before it becomes `prlimit`: bash, even as `sh`, takes `SHELLOPTS` and
 * (for a user other than root) `PS4` from the environment, which is the server's, passed whole.
 * With `SHELLOPTS=xtrace` and a `PS4` holding a command substitution, code runs inside the
 * sandbox with none of MCP_BG_JOB_LIMITS (here processes=40 shows the host's value), though the
 * docs say such a server gets "prlimit as the sandbox's first program".
 */
import assert from "node:assert/strict";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { ignoreAsNobody, startServerAsNobody } from "../helpers/as_nobody.ts";

const PROGRAMS = ["bash", "bwrap", "setsid", "cat", "grep", "prlimit", "tr"];
// Each traced command is preceded by the tracing shell's pid and its process limit.
const PS4 = '[$$ $(grep -h "^Max processes" /proc/self/limits | tr -s " ")] ';

Deno.test({
  name: "a server whose sh is bash runs no code from PS4 inside the sandbox before the limits",
  ignore: noContainment || ignoreAsNobody("a server whose sh is bash, as nobody"),
  fn: async () => {
    // In the working directory: the sandbox must see the server's sh at the same path.
    const work = await Deno.makeTempDir({ prefix: "mcp-bg-sh-is-bash-" });
    try {
      await Deno.chmod(work, 0o777);
      const bin = `${work}/bin`;
      await Deno.mkdir(bin);
      await Deno.chmod(bin, 0o755);
      for (const program of PROGRAMS) {
        await Deno.symlink(await Deno.realPath(`/usr/bin/${program}`), `${bin}/${program}`);
      }
      await Deno.symlink(await Deno.realPath("/usr/bin/bash"), `${bin}/sh`);
      await using server = await startServerAsNobody({
        home: work,
        env: {
          ...CONTAINED,
          MCP_BG_JOB_LIMITS: "processes=40",
          PATH: bin,
          SHELLOPTS: "xtrace",
          PS4,
        },
      });
      const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
        command: "cat /proc/self/stat",
      });
      await server.waitForEnd(job_id, 60_000);
      const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", {
        job_id,
      });
      // The job's pid in its sandbox: the shell that traced before it was this same process.
      const pid = output.stdout.split(" ")[0];
      assert.match(pid ?? "", /^\d+$/, JSON.stringify(output));
      const inside = output.stderr.split("\n").filter((line) => line.startsWith(`[${pid} `));
      for (const line of inside) assert.match(line, /Max processes 40 40 /, output.stderr);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
