/**
 * The seccomp filter's cached file, attacked: rewritten in place (its time set back), replaced by
 * a rename, a symlink or a hard link, removed, its directory swapped, by a process of the server's
 * user outside every sandbox; read and written by a contained job; and left behind after exit.
 */
import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { createContainedExecutor } from "../../lib/jobs/contained_executor.ts";
import { containmentAvailability } from "../../lib/jobs/containment.ts";
import { createGroupSignaller } from "../../lib/jobs/process_group.ts";
import { SpawnError } from "../../lib/errors.ts";
import { OPEN_POLICY } from "../../lib/sandbox/containment_policy.ts";
import { jobFilter } from "../../lib/sandbox/seccomp/job_filter.ts";
import { filterFile } from "../../lib/sandbox/seccomp/filter_file.ts";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { killIfAlive, waitUntilGone } from "../helpers/processes.ts";

// clone3 with no arguments: the filter answers ENOSYS (38), the kernel alone EINVAL (22).
const PROBE = "import ctypes; libc = ctypes.CDLL(None, use_errno=True); " +
  "print('clone3', libc.syscall(435, None, 0), ctypes.get_errno())";
const FILTERED = "clone3 -1 38\n";
const UNFILTERED = "clone3 -1 22\n";
// One instruction: allow every call.
const ALLOW_ALL = new Uint8Array([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]);

function executor() {
  const { bwrap, sh } = containmentAvailability();
  return createContainedExecutor({
    bwrap: bwrap!,
    sh: sh!,
    policy: OPEN_POLICY,
    workingDir: Deno.cwd(),
    signaller: createGroupSignaller(),
  });
}

async function runContained(argv: [string, ...string[]]): Promise<string> {
  const spawned = executor().spawn({ argv, cwd: Deno.cwd(), stdin: "closed" });
  const [stdout, stderr, status] = await Promise.all([
    new Response(spawned.stdout).text(),
    new Response(spawned.stderr).text(),
    spawned.status,
  ]);
  assert.equal(status.code, 0, stderr);
  return stdout;
}

/** The probe run under `filter` by bwrap directly: what a job would see if that file were used. */
async function probeUnder(filter: string): Promise<string> {
  const { bwrap, sh } = containmentAvailability();
  const output = await new Deno.Command(sh!, {
    args: ["-c", 'exec 3<"$1"; shift; exec "$@"', "sh", filter, bwrap!, "--bind", "/", "/"]
      .concat(["--seccomp", "3", "--", "python3", "-c", PROBE]),
    stdin: "null",
  }).output();
  return new TextDecoder().decode(output.stdout);
}

const TAMPERINGS: Record<string, (path: string, allowAll: string) => void> = {
  "rewritten in place, its times set back": (path) => {
    const before = Deno.statSync(path);
    Deno.chmodSync(path, 0o600);
    const padded = new Uint8Array(Deno.statSync(path).size);
    padded.set(ALLOW_ALL);
    Deno.writeFileSync(path, padded);
    Deno.chmodSync(path, 0o400);
    Deno.utimeSync(path, before.atime!, before.mtime!);
  },
  "replaced by a rename": (path, allowAll) => {
    Deno.copyFileSync(allowAll, `${path}.new`);
    Deno.renameSync(`${path}.new`, path);
  },
  "replaced by a symlink": (path, allowAll) => {
    Deno.removeSync(path);
    Deno.symlinkSync(allowAll, path);
  },
  "replaced by a hard link": (path, allowAll) => {
    Deno.removeSync(path);
    Deno.linkSync(allowAll, path);
  },
  "removed": (path) => Deno.removeSync(path),
};

Deno.test({
  name: "the cached seccomp filter, tampered with by the server's user, still applies to each job",
  ignore: noContainment,
  fn: async () => {
    const scratch = Deno.makeTempDirSync({ prefix: "mcp-bg-attacker-" });
    try {
      const allowAll = join(scratch, "allow-all.bpf");
      Deno.writeFileSync(allowAll, ALLOW_ALL);
      // The attack is worth trying: under that file the probe would go through.
      assert.equal(await probeUnder(allowAll), UNFILTERED);
      assert.equal(await runContained(["python3", "-c", PROBE]), FILTERED);
      const path = filterFile(jobFilter({ network: OPEN_POLICY.network }))!;
      for (const [name, tamper] of Object.entries(TAMPERINGS)) {
        tamper(path, allowAll);
        assert.equal(await runContained(["python3", "-c", PROBE]), FILTERED, name);
        assert.deepEqual(Deno.readFileSync(path), jobFilter({ network: true }), name);
      }
    } finally {
      Deno.removeSync(scratch, { recursive: true });
    }
  },
});

Deno.test({
  name: "a swapped filter directory refuses contained jobs instead of using what it holds",
  ignore: noContainment,
  fn: () => {
    const path = filterFile(jobFilter({ network: OPEN_POLICY.network }))!;
    const dir = dirname(path);
    Deno.renameSync(dir, `${dir}.moved`);
    try {
      Deno.mkdirSync(dir, { mode: 0o700 });
      Deno.writeFileSync(path, ALLOW_ALL);
      assert.throws(
        () => executor().spawn({ argv: ["true"], cwd: Deno.cwd(), stdin: "closed" }),
        (error) => error instanceof SpawnError && /was replaced/.test(error.message),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
      Deno.renameSync(`${dir}.moved`, dir);
    }
  },
});

Deno.test({
  name: "a contained job can neither list, read nor write the filter's directory",
  ignore: noContainment,
  fn: async () => {
    const path = filterFile(jobFilter({ network: OPEN_POLICY.network }))!;
    const script = 'ls -A "$1"; cat "$1/$2" 2>/dev/null || echo unread; ' +
      'echo x 2>/dev/null > "$1/$2" || echo unwritten; ' +
      'echo x 2>/dev/null > "$1/new" || echo uncreated';
    const output = await runContained(["sh", "-c", script, "sh", dirname(path), "filter"]);
    assert.equal(output, "unread\nunwritten\nuncreated\n");
    assert.deepEqual(Deno.readFileSync(path), jobFilter({ network: true }));
  },
});

Deno.test({
  name: "the filter's directory is gone once the server exits, after pipe and terminal jobs",
  ignore: noContainment,
  fn: async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "mcp-bg-tmpdir-" });
    // An unprivileged run's server may be another user than the test: let it write there.
    Deno.chmodSync(tmp, 0o777);
    try {
      {
        await using server = await TestServer.start({ env: { ...CONTAINED, TMPDIR: tmp } });
        // Made for the first contained job, not before.
        assert.deepEqual([...Deno.readDirSync(tmp)], []);
        for (const tty of [false, true]) {
          const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
            command: `python3 -c "${PROBE}"`,
            tty,
          });
          await server.waitForEnd(job_id);
          const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
          assert.equal(output.stdout.replaceAll("\r\n", "\n"), FILTERED, `tty: ${tty}`);
        }
        const entries = [...Deno.readDirSync(tmp)].map((entry) => entry.name);
        assert.equal(entries.length, 1);
        assert.match(entries[0], /^mcp-bg-seccomp-/);
      }
      assert.deepEqual([...Deno.readDirSync(tmp)], []);
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "a removed filter directory is made afresh, and the job is still filtered",
  ignore: noContainment,
  fn: async () => {
    const before = dirname(filterFile(jobFilter({ network: OPEN_POLICY.network }))!);
    Deno.removeSync(before, { recursive: true });
    assert.equal(await runContained(["python3", "-c", PROBE]), FILTERED);
    const after = dirname(filterFile(jobFilter({ network: OPEN_POLICY.network }))!);
    assert.notEqual(after, before);
    assert.equal(Deno.statSync(after).mode! & 0o777, 0o700);
  },
});

/** The directory in `tmp` that holds this user's servers' filter directories. */
function usersDirectory(tmp: string): string {
  return join(tmp, `mcp-bg-seccomp-u${Deno.uid()}`);
}

/** Names in `dir`, none when it does not exist. */
function namesIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((entry) => entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Starts a contained server in `tmp`, runs one job, and returns it with its filter directory. */
async function serverWithDirectory(tmp: string) {
  const before = new Set(namesIn(usersDirectory(tmp)));
  const server = await TestServer.start({ env: { ...CONTAINED, TMPDIR: tmp } });
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", { command: "true" });
  await server.waitForEnd(job_id);
  const made = namesIn(usersDirectory(tmp)).filter((name) => !before.has(name));
  assert.equal(made.length, 1);
  return { server, dir: made[0] };
}

Deno.test({
  name: "a killed server's filter directory is removed by the next server, a live one's is kept",
  ignore: noContainment,
  fn: async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "mcp-bg-tmpdir-" });
    Deno.chmodSync(tmp, 0o777);
    const started: number[] = [];
    try {
      const killed = await serverWithDirectory(tmp);
      started.push(killed.server.pid);
      Deno.kill(killed.server.pid, "SIGKILL");
      await waitUntilGone(killed.server.pid);
      await killed.server.close();
      const users = usersDirectory(tmp);
      assert.ok(Deno.statSync(join(users, killed.dir)).isDirectory, "SIGKILL leaves it");
      // A directory named after a process that runs (this test) is never taken for abandoned.
      const stat = Deno.readTextFileSync("/proc/self/stat");
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      const live = `mcp-bg-seccomp-${Deno.pid}-${start}-x`;
      Deno.mkdirSync(join(users, live));
      {
        const next = await serverWithDirectory(tmp);
        started.push(next.server.pid);
        await using _ = next.server;
        assert.deepEqual(namesIn(users).sort(), [next.dir, live].sort());
      }
      assert.deepEqual(namesIn(users), [live]);
    } finally {
      for (const pid of started) killIfAlive(pid);
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "without --allow-write no filter file is made, and a contained job is still filtered",
  ignore: noContainment,
  fn: async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "mcp-bg-tmpdir-" });
    Deno.chmodSync(tmp, 0o777);
    try {
      {
        await using server = await TestServer.start({
          env: { ...CONTAINED, TMPDIR: tmp },
          permissions: ["--allow-env", "--allow-read", "--allow-run", "--allow-sys"],
        });
        const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
          command: `python3 -c "${PROBE}"`,
        });
        await server.waitForEnd(job_id);
        const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
        assert.equal(output.stdout, FILTERED);
        assert.deepEqual([...Deno.readDirSync(tmp)], []);
      }
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

/** The filter directory server `pid` made in `tmp`, wherever in it (at most two levels down). */
function filterDirectoryOf(tmp: string, pid: number): string {
  for (const top of namesIn(tmp)) {
    if (top.startsWith(`mcp-bg-seccomp-${pid}-`)) return join(tmp, top);
    for (const inner of namesIn(join(tmp, top))) {
      if (inner.startsWith(`mcp-bg-seccomp-${pid}-`)) return join(tmp, top, inner);
    }
  }
  throw new Error(`server ${pid} made no filter directory in ${tmp}`);
}

Deno.test({
  name:
    "a contained job of one server cannot reach another server's filter files, made after it started",
  ignore: noContainment,
  fn: async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "mcp-bg-tmpdir-" });
    Deno.chmodSync(tmp, 0o777);
    const started: number[] = [];
    try {
      const env = { ...CONTAINED, TMPDIR: tmp };
      await using first = await TestServer.start({ env });
      started.push(first.pid);
      // The job's sandbox is made first; then server B writes its filter; then the job looks.
      const probe = 'echo ready; read users theirs; ls -a "$users" "$theirs"; ' +
        'for f in "$theirs"/*; do cat "$f" >/dev/null && echo "READ $f"; ' +
        'printf EVIL > "$theirs/x" && mv -f "$theirs/x" "$f" && echo "SWAPPED $f"; done; ' +
        "echo probe-done";
      const early = await first.start(`sh -c '${probe}'`);
      await first.ok("wait_for_job", { job_id: early, pattern: "^ready$", timeout: 60 });
      await using second = await TestServer.start({ env });
      started.push(second.pid);
      await second.waitForEnd(await second.start("true"));
      const theirs = filterDirectoryOf(tmp, second.pid);
      const files = namesIn(theirs);
      assert.ok(files.length >= 1, "server B wrote its filter file");
      const before = files.map((name) => Deno.readFileSync(join(theirs, name)));
      await first.ok("interact_with_job", { job_id: early, input: `${dirname(theirs)} ${theirs}` });
      await first.waitForEnd(early);
      const output = await first.ok<{ stdout: string }>("get_job_output", { job_id: early });
      assert.match(output.stdout, /probe-done/);
      assert.doesNotMatch(output.stdout, /READ|SWAPPED|filter-/, output.stdout);
      // On the host, B's files are as B wrote them, and nothing was added beside them.
      assert.deepEqual(namesIn(theirs), files);
      files.forEach((name, i) =>
        assert.deepEqual(Deno.readFileSync(join(theirs, name)), before[i])
      );
    } finally {
      for (const pid of started) killIfAlive(pid);
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "a per-user filter directory squatted by another user is not used; pipe jobs stay filtered",
  ignore: noContainment || Deno.uid() !== 0,
  fn: async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "mcp-bg-tmpdir-" });
    Deno.chmodSync(tmp, 0o1777);
    try {
      // Another user (nobody) made the name first, as anyone may in a shared temporary directory.
      const squatted = usersDirectory(tmp);
      Deno.mkdirSync(squatted, { mode: 0o777 });
      Deno.chownSync(squatted, 65534, 65534);
      await using server = await TestServer.start({ env: { ...CONTAINED, TMPDIR: tmp } });
      const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
        command: `python3 -c "${PROBE}"`,
      });
      await server.waitForEnd(job_id);
      const output = await server.ok<{ stdout: string }>("get_job_output", { job_id });
      assert.equal(output.stdout, FILTERED);
      assert.deepEqual(namesIn(squatted), [], "nothing of the server's went into it");
      assert.deepEqual(namesIn(tmp), [basename(squatted)], "and nothing beside it");
      const tty = await server.call("execute_command", { command: "true", tty: true });
      assert.equal(tty.isError, true);
      assert.match(tty.text, /not this user's own 0700 directory/);
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});
