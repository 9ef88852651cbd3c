/**
 * The `ulimit` commands that replace `prlimit` in the server's own dash: run in the real dash,
 * they leave the same soft and hard limits as `prlimit` with the same limits, and a login shell
 * (which reads profiles first) or a value dash cannot say exactly gets none, so that `prlimit`
 * sets them. bash is never trusted with them (see shell_limits.ts).
 */
import assert from "node:assert/strict";
import { parseJobLimits, prlimitOptions } from "../../lib/sandbox/job_limits.ts";
import { shellDialect, ulimitCommands } from "../../lib/sandbox/shell_limits.ts";
import { run } from "../helpers/processes.ts";

const LIMITS = {
  memory: 200 * 1024 ** 2,
  processes: 40,
  cpu: 30,
  fileSize: 16 * 1024 ** 2,
  tmp: 8 * 1024 ** 2,
};
const LIMIT_ROWS = /^Max (cpu time|file size|processes|address space) .*$/gm;
const DASH = { dialect: "dash", argv0: "sh" } as const;

async function limitRows(program: string, args: string[]): Promise<string[]> {
  const result = await run(program, args, { env: {} });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.match(LIMIT_ROWS) ?? [];
}

Deno.test("ulimitCommands: dash's spelling of each limit, cpu soft below hard", () => {
  assert.equal(
    ulimitCommands(LIMITS, DASH),
    "ulimit -v 204800&&ulimit -p 40&&ulimit -f 32768&&ulimit -t 35&&ulimit -St 30||exit 126;",
  );
  // tmp is bubblewrap's: no per-process limit, nothing to say.
  assert.equal(ulimitCommands({ tmp: 1024 }, DASH), "");
});

Deno.test("ulimitCommands: a value dash cannot say exactly is left to prlimit", () => {
  assert.equal(ulimitCommands({ memory: 1000 }, DASH), undefined);
  assert.equal(ulimitCommands({ fileSize: 1000 }, DASH), undefined);
});

Deno.test("ulimitCommands: a login shell, which reads profiles before the line, gets none", () => {
  assert.equal(ulimitCommands({ processes: 40 }, { dialect: "dash", argv0: "-dash" }), undefined);
});

Deno.test("parseJobLimits: a size past 2^53 bytes is refused, not rounded", () => {
  assert.throws(() => parseJobLimits("memory=16777217T"), RangeError);
  assert.throws(() => parseJobLimits("file-size=9000000000000000000"), RangeError);
  assert.equal(parseJobLimits("memory=8191T").memory, 8191 * 1024 ** 4);
});

Deno.test("shellDialect: only dash, by the real file's name (the caller says which file)", () => {
  assert.equal(shellDialect("/usr/bin/dash"), "dash");
  for (const other of ["/usr/bin/bash", "/usr/bin/sh", "/bin/busybox", "/usr/bin/zsh"]) {
    assert.equal(shellDialect(other), undefined, other);
  }
});

Deno.test("ulimitCommands in the real dash leave the limits prlimit leaves", async () => {
  const prlimit = (await run("sh", ["-c", "command -v prlimit"])).stdout.trim();
  const path = (await run("sh", ["-c", "command -v dash"])).stdout.trim();
  if (prlimit === "" || path === "") {
    console.log("dash or prlimit is not installed: nothing to compare");
    return;
  }
  const commands = ulimitCommands(LIMITS, DASH);
  assert.ok(commands !== undefined);
  const byShell = await limitRows(path, ["-c", `${commands}exec cat /proc/self/limits`]);
  const byPrlimit = await limitRows(prlimit, [
    ...prlimitOptions(LIMITS),
    "--",
    "cat",
    "/proc/self/limits",
  ]);
  assert.equal(byShell.length, 4);
  assert.deepEqual(byShell, byPrlimit);
});
