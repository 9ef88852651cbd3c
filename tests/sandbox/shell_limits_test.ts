/**
 * The `ulimit` commands that replace `prlimit` in a job's shell: run in the real dash and bash,
 * they leave the same soft and hard limits as `prlimit` with the same limits, and a shell that
 * could run code of the job's first (a login shell, bash with BASH_ENV, functions or options
 * from its environment) or cannot say a value exactly gets none, so that `prlimit` sets them.
 */
import assert from "node:assert/strict";
import { prlimitOptions } from "../../lib/sandbox/job_limits.ts";
import { type ShellDialect, shellDialect, ulimitCommands } from "../../lib/sandbox/shell_limits.ts";
import { run } from "../helpers/processes.ts";

const LIMITS = {
  memory: 200 * 1024 ** 2,
  processes: 40,
  cpu: 30,
  fileSize: 16 * 1024 ** 2,
  tmp: 8 * 1024 ** 2,
};
const LIMIT_ROWS = /^Max (cpu time|file size|processes|address space) .*$/gm;

function shell(dialect: ShellDialect, env: Record<string, string> = {}) {
  return { dialect, argv0: dialect, env: () => env };
}

async function limitRows(program: string, args: string[]): Promise<string[]> {
  const result = await run(program, args, { env: {} });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.match(LIMIT_ROWS) ?? [];
}

Deno.test("ulimitCommands: dash and bash spell each limit their own way, cpu soft below hard", () => {
  assert.equal(
    ulimitCommands(LIMITS, shell("dash")),
    "ulimit -v 204800&&ulimit -p 40&&ulimit -f 32768&&ulimit -t 35&&ulimit -St 30||exit 126;",
  );
  const { fileSize: _, ...noFileSize } = LIMITS;
  assert.equal(
    ulimitCommands(noFileSize, shell("bash")),
    "ulimit -v 204800&&ulimit -u 40&&ulimit -t 35&&ulimit -St 30||exit 126;",
  );
  // tmp is bubblewrap's: no per-process limit, nothing to say.
  assert.equal(ulimitCommands({ tmp: 1024 }, shell("dash")), "");
  assert.equal(ulimitCommands({}, shell("bash", { BASH_ENV: "/x" })), "");
});

Deno.test("ulimitCommands: a value the shell cannot say exactly is left to prlimit", () => {
  assert.equal(ulimitCommands({ memory: 1000 }, shell("dash")), undefined);
  assert.equal(ulimitCommands({ fileSize: 1000 }, shell("dash")), undefined);
  // bash counts -f in 1024 or 512 bytes depending on its POSIX mode.
  assert.equal(ulimitCommands({ fileSize: 1024 ** 2 }, shell("bash")), undefined);
});

Deno.test("ulimitCommands: a shell that could run the job's code before the limits gets none", () => {
  const limits = { processes: 40 };
  assert.equal(
    ulimitCommands(limits, { dialect: "dash", argv0: "-dash", env: () => ({}) }),
    undefined,
  );
  assert.equal(
    ulimitCommands(limits, { dialect: "bash", argv0: "-bash", env: () => ({}) }),
    undefined,
  );
  for (const name of ["BASH_ENV", "SHELLOPTS", "BASHOPTS", "BASH_FUNC_ulimit%%"]) {
    assert.equal(ulimitCommands(limits, shell("bash", { [name]: "x" })), undefined, name);
    // dash reads none of them (only an interactive dash reads ENV).
    assert.notEqual(ulimitCommands(limits, shell("dash", { [name]: "x" })), undefined, name);
  }
  assert.notEqual(ulimitCommands(limits, shell("bash", { BASH_VERSION: "x" })), undefined);
});

Deno.test("shellDialect: only dash and bash, by the real file's name", () => {
  assert.equal(shellDialect("/usr/bin/dash"), "dash");
  assert.equal(shellDialect("/usr/bin/bash"), "bash");
  for (const other of ["/usr/bin/sh", "/bin/busybox", "/usr/bin/zsh", "/usr/bin/mksh"]) {
    assert.equal(shellDialect(other), undefined, other);
  }
});

for (const dialect of ["dash", "bash"] as const) {
  Deno.test(`ulimitCommands in the real ${dialect} leave the limits prlimit leaves`, async () => {
    const prlimit = (await run("sh", ["-c", "command -v prlimit"])).stdout.trim();
    const path = (await run("sh", ["-c", `command -v ${dialect}`])).stdout.trim();
    if (prlimit === "" || path === "") {
      console.log(`${dialect} or prlimit is not installed: nothing to compare`);
      return;
    }
    const limits = dialect === "bash" ? { ...LIMITS, fileSize: undefined } : LIMITS;
    const commands = ulimitCommands(limits, shell(dialect));
    assert.ok(commands !== undefined);
    const byShell = await limitRows(path, ["-c", `${commands}exec cat /proc/self/limits`]);
    const byPrlimit = await limitRows(prlimit, [
      ...prlimitOptions(limits),
      "--",
      "cat",
      "/proc/self/limits",
    ]);
    assert.equal(byShell.length, 4);
    assert.deepEqual(byShell, byPrlimit);
  });
}
