/**
 * Red-team finding on 9b97fb0: a server whose PATH has dash but no `prlimit` starts a contained
 * `bash -c` line and every terminal job with none of MCP_BG_JOB_LIMITS, though its own dash sets
 * them for any other program (the `sh` that starts it) and `--doctor` says "the others by the
 * job's dash or bash (ulimit)". bash is handed straight to bwrap behind an empty `prlimit` part:
 * the server's dash, which could set them before it becomes bash, is skipped.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";
import { ignoreAsNobody, startServerAsNobody } from "../helpers/as_nobody.ts";
import { limitRows } from "../helpers/limit_rows.ts";

const ASKED = "memory=200M,cpu=30,file-size=16M";
const ROWS = {
  "address space": "209715200 209715200",
  "cpu time": "30 35",
  "file size": "16777216 16777216",
};
// Absolute paths: the server's PATH below lies in the host's /tmp, which jobs do not see.
const SHOW = "/usr/bin/cat /proc/self/limits";

/** A directory with the server's programs (found where this host has them), but no prlimit. */
async function pathWithoutPrlimit(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "no-prlimit-" });
  for (const program of ["sh", "dash", "bash", "bwrap", "setsid", "cat"]) {
    for (const place of ["/usr/bin", "/bin"]) {
      try {
        await Deno.symlink(await Deno.realPath(join(place, program)), join(dir, program));
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  }
  return dir;
}

/** Runs each job and checks its limits: the control first, then bash and a terminal job. */
async function assertLimitsHold(server: TestServer, rows: Record<string, string>): Promise<void> {
  const cases: Record<string, unknown>[] = [
    { command: SHOW }, // control: the server's dash sets them
    { command: `/usr/bin/bash -c '${SHOW}'` },
    { command: `/usr/bin/bash -c '${SHOW}'`, stdin: "closed" },
    // A terminal program that exits at once can lose its last output on a loaded machine (the
    // terminal addon waits 200 ms for it): this one waits for a line once it has printed.
    { command: `/usr/bin/sh -c '${SHOW}; read line'`, tty: true },
  ];
  for (const args of cases) {
    const { job_id } = await server.ok<{ job_id: string }>("execute_command", args);
    if (args.tty) {
      await server.waitForOutput(
        job_id,
        ({ stdout }) => stdout.includes("Max realtime timeout"),
        60_000,
      );
      await server.ok("interact_with_job", { job_id, input: "" });
    }
    const status = await server.waitForEnd(job_id, 60_000);
    const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
    const where = `${JSON.stringify(args)}: ${JSON.stringify(output)}`;
    assert.equal(status.status, "completed", where);
    assert.deepEqual(limitRows(output.stdout, rows), rows, where);
  }
}

Deno.test({
  name: "without prlimit on PATH, the server's dash still sets the limits of bash and tty jobs",
  ignore: noContainment,
  fn: async () => {
    const dir = await pathWithoutPrlimit();
    try {
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: ASKED, PATH: dir },
      });
      await assertLimitsHold(server, ROWS);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "without prlimit on PATH, bash and tty jobs of a server run as nobody get processes too",
  ignore: noContainment || ignoreAsNobody("limits without prlimit as nobody"),
  fn: async () => {
    const dir = await pathWithoutPrlimit();
    const home = await Deno.makeTempDir({ prefix: "mcp-bg-no-prlimit-nobody-" });
    try {
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(home, 0o777);
      await using server = await startServerAsNobody({
        home: home,
        env: { ...CONTAINED, MCP_BG_JOB_LIMITS: `${ASKED},processes=40`, PATH: dir },
      });
      await assertLimitsHold(server, { ...ROWS, processes: "40 40" });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "--doctor does not say bash sets the job limits with ulimit (it never does since 9b97fb0)",
  ignore: noContainment,
  fn: async () => {
    const dir = await pathWithoutPrlimit();
    try {
      for (const path of [dir, Deno.env.get("PATH") ?? ""]) {
        const output = await new Deno.Command(Deno.execPath(), {
          args: [...DENO_RUN, "-A", MAIN, "--doctor"],
          env: { ...CONTAINED, MCP_BG_JOB_LIMITS: ASKED, PATH: path },
          stdin: "null",
          stdout: "piped",
          stderr: "null",
        }).output();
        const line = new TextDecoder().decode(output.stdout).split("\n")
          .find((text) => text.includes("job limits")) ?? "";
        assert.match(line, /memory=200M/, line);
        assert.doesNotMatch(line, /dash or bash \(ulimit\)/, `PATH=${path}: ${line}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
