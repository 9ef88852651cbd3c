/**
 * An uncontained job tries to read the server's MCP stream and secrets through /proc: the
 * server's stdin and stdout descriptors, its memory and its environment. Marked non-dumpable
 * (FFI permitted), the server closes all four to jobs of an unprivileged user; where it cannot,
 * the start-up line and --doctor say so, and the attack indeed works.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { run } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";
import { AS_NOBODY, ignoreAsNobody, SETPRIV } from "../helpers/as_nobody.ts";

const skipped = ignoreAsNobody("server privacy tests as nobody");

/**
 * Opens (never reads) each of the server's /proc files and says which opened. The job's shell is
 * the server's child (uncontained), so the server is its parent.
 */
const ATTACK = `sh -c '${
  [["fd/0", "<"], ["fd/1", ">>"], ["mem", "<"], ["environ", "<"]].map(([file, mode]) =>
    `( exec 3${mode}/proc/$PPID/${file} ) 2>/dev/null && echo "${file} open" || echo "${file} denied"`
  ).join("; ")
}'`;

async function readyLine(server: TestServer): Promise<string> {
  return (await server.waitForStderrLine(/ready on/)).input;
}

/** Starts the server as nobody, uncontained, with `permissions`, and runs the attack. */
async function attackAsNobody(home: string, permissions: string[]) {
  // The MCP stream passes through cat on both sides, so its pipes are nobody's, as they are the
  // user's when a client of the same user starts the server.
  const deno = [Deno.execPath(), ...DENO_RUN, ...permissions, MAIN].map((word) => `'${word}'`).join(
    " ",
  );
  await using server = await TestServer.start({
    command: SETPRIV,
    args: [...AS_NOBODY, "sh", "-c", `cat | ${deno} | cat`],
    env: {
      MCP_BG_CONTAINMENT: "off",
      HOME: home,
      DENO_DIR: `${home}/deno`,
      MCP_BG_WORKING_DIR: home,
    },
    cwd: home,
  });
  const id = await server.start(ATTACK);
  await server.waitForEnd(id);
  const { stdout } = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
  return { line: await readyLine(server), opened: stdout.trim().split("\n") };
}

Deno.test({
  name: "uncontained, a job of an unprivileged user cannot open the server's /proc descriptors",
  ignore: skipped,
  fn: async () => {
    // Its own home and Deno cache: nobody may not read root's.
    const home = await Deno.makeTempDir({ prefix: "mcp-bg-privacy-" });
    try {
      await Deno.chmod(home, 0o777);
      const protectedRun = await attackAsNobody(home, ["-A"]);
      assert.match(protectedRun.line, /server_fds=private/);
      assert.deepEqual(protectedRun.opened, [
        "fd/0 denied",
        "fd/1 denied",
        "mem denied",
        "environ denied",
      ]);
      // The scoped set --print-permissions prints has no --allow-ffi: said, and true.
      const exposed = await attackAsNobody(home, ["--allow-env", "--allow-read", "--allow-run"]);
      assert.match(exposed.line, /server_fds=EXPOSED \(.*needs --allow-ffi/);
      assert.deepEqual(exposed.opened, ["fd/0 open", "fd/1 open", "mem open", "environ open"]);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("--doctor says whether the server's descriptors would be closed to its jobs", async () => {
  const scoped = await run(Deno.execPath(), [
    ...DENO_RUN,
    "--allow-env",
    "--allow-read",
    "--allow-run",
    MAIN,
    "--doctor",
  ]);
  assert.match(scoped.stdout, /^server descriptors: exposed: .*needs --allow-ffi/m);
  const all = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--doctor"]);
  const expected = Deno.uid() === 0
    ? /^server descriptors: exposed: .*runs as root/m
    : /^server descriptors: private: /m;
  assert.match(all.stdout, expected);
});
