/**
 * The ledger (MCP_BG_STATE_DIR): jobs and their output survive a restart of the server, a server
 * that died leaves its running jobs `lost` with their output, the files stay private and within
 * their bounds, and nothing is written anywhere when no setting asks for it.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { descendantsOf, killIfAlive, run, waitUntilGone } from "../helpers/processes.ts";
import { CONTAINED, noContainment, removeFilterDirectoryOf } from "../helpers/containment.ts";
import { listSegments, readStream, StreamWriter } from "../../lib/service/ledger_stream.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

interface Listed {
  job_id: string;
  status: string;
  kill_reason: string | null;
  command: string;
  stdout_bytes: number;
  stdout_dropped_bytes: number;
}

async function listed(server: TestServer): Promise<Listed[]> {
  return (await server.ok<{ jobs: Listed[] }>("list_jobs")).jobs;
}

/** Every file and folder under `dir` with its mode bits, and the bytes its files take. */
function walk(dir: string): { modes: Map<string, number>; bytes: number } {
  const modes = new Map<string, number>();
  let bytes = 0;
  const visit = (path: string) => {
    const info = Deno.lstatSync(path);
    modes.set(path, info.mode! & 0o777);
    if (info.isDirectory) {
      for (const entry of Deno.readDirSync(path)) visit(`${path}/${entry.name}`);
    } else bytes += info.size;
  };
  visit(dir);
  return { modes, bytes };
}

/** Waits for the job's line `text` through wait_for_job (an event, not a poll of ours). */
async function waitForLine(server: TestServer, jobId: string, text: string): Promise<void> {
  const found = await server.ok<{ reason: string }>("wait_for_job", {
    job_id: jobId,
    pattern: text,
    timeout: 60,
  });
  assert.equal(found.reason, "matched");
}

/** Waits for the job to end through wait_for_job, a minute at a time. */
async function waitForExit(server: TestServer, jobId: string): Promise<void> {
  while (true) {
    const waited = await server.ok<{ reason: string }>("wait_for_job", {
      job_id: jobId,
      timeout: 60,
    });
    if (waited.reason === "exited") return;
  }
}

Deno.test("a restarted server lists earlier jobs as they ended and reads their output", async () => {
  const base = await Deno.makeTempDir();
  const env = { MCP_BG_STATE_DIR: `${base}/state` };
  try {
    let done: string, stopped: string;
    {
      await using first = await TestServer.start({ env });
      done = await first.start("printf 'one\\ntwo\\nthree\\n'");
      await first.waitForEnd(done);
      stopped = await first.start("sh -c 'echo waiting; exec sleep 300'");
      await waitForLine(first, stopped, "waiting");
    }
    await using second = await TestServer.start({ env });
    const jobs = await listed(second);
    assert.deepEqual(jobs.map((job) => [job.job_id, job.status, job.kill_reason]), [
      [stopped, "killed", "shutdown"],
      [done, "completed", null],
    ]);
    const output = await second.ok<{ stdout: string }>("get_job_output", { job_id: done });
    assert.equal(output.stdout, "one\ntwo\nthree\n");
    const tail = await second.ok<{ stdout: string }>("tail_job_output", {
      job_id: done,
      lines: 1,
    });
    assert.equal(tail.stdout, "three\n");
    const read = await second.ok<{ text: string }>("read_job_output", {
      job_id: done,
      filter: "tw",
    });
    assert.match(JSON.stringify(read), /two/);
    const waited = await second.ok<{ reason: string }>("wait_for_job", { job_id: stopped });
    assert.equal(waited.reason, "exited");
    assert.equal((await second.ok("kill_job", { job_id: stopped })).status, "already_terminated");
    const { modes } = walk(`${base}/state`);
    for (const [path, mode] of modes) {
      const isDir = Deno.lstatSync(path).isDirectory;
      assert.equal(mode, isDir ? 0o700 : 0o600, `${path} has mode ${mode.toString(8)}`);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

for (const contained of [false, true]) {
  Deno.test({
    name: `a SIGKILLed server's running jobs come back lost with their output (${
      contained ? "contained" : "uncontained"
    })`,
    ignore: contained && noContainment,
    fn: async () => {
      const base = await Deno.makeTempDir();
      const env = { MCP_BG_STATE_DIR: `${base}/state`, ...(contained ? CONTAINED : {}) };
      const first = await TestServer.start({ env });
      const firstPid = first.pid;
      let leftovers: number[] = [];
      try {
        const id = await first.start("sh -c 'echo before-the-kill; exec sleep 300'");
        await waitForLine(first, id, "before-the-kill");
        leftovers = descendantsOf(firstPid);
        Deno.kill(firstPid, "SIGKILL");
        await waitUntilGone(firstPid);
        removeFilterDirectoryOf(firstPid);
        // An uncontained job outlives a SIGKILLed plain server (service mode watches for that).
        if (!contained) leftovers.forEach(killIfAlive);
        for (const pid of leftovers) await waitUntilGone(pid, 10_000);
        await using second = await TestServer.start({ env });
        const [job] = await listed(second);
        assert.deepEqual([job!.job_id, job!.status], [id, "lost"]);
        const output = await second.ok<{ stdout: string }>("get_job_output", { job_id: id });
        assert.equal(output.stdout, "before-the-kill\n");
        // Marked on disk too: a third run still says lost.
        const record = JSON.parse(
          Deno.readTextFileSync(
            `${base}/state/jobs/${
              [...Deno.readDirSync(`${base}/state/jobs`)][0]!.name
            }/record.json`,
          ),
        );
        assert.equal(record.status, "lost");
      } finally {
        leftovers.forEach(killIfAlive);
        killIfAlive(firstPid);
        await first.client.close();
        await Deno.remove(base, { recursive: true });
      }
    },
  });
}

Deno.test("a job printing 1 GB keeps the ledger within its per-job bound", async () => {
  const base = await Deno.makeTempDir();
  const env = { MCP_BG_STATE_DIR: `${base}/state`, MCP_BG_MAX_OUTPUT_SIZE: "1MB" };
  try {
    let id: string;
    {
      await using server = await TestServer.start({ env });
      id = await server.start("head -c 1000000000 /dev/zero");
      await waitForExit(server, id);
      const status = await server.ok<Listed>("get_job_status", { job_id: id });
      assert.equal(status.stdout_bytes, 1_000_000_000);
    }
    // One stream keeps 1 MiB plus at most two 256 KiB segments; the record is small.
    const { bytes } = walk(`${base}/state`);
    assert.ok(bytes <= (1 << 20) + 2 * (256 << 10) + 4096, `ledger holds ${bytes} bytes`);
    await using again = await TestServer.start({ env });
    const status = await again.ok<Listed>("get_job_status", { job_id: id });
    assert.equal(status.stdout_bytes, 1_000_000_000);
    assert.equal(status.stdout_dropped_bytes, 1_000_000_000 - (1 << 20));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("past the ledger's total size the oldest jobs are dropped first, and counted", async () => {
  const base = await Deno.makeTempDir();
  const env = {
    MCP_BG_STATE_DIR: `${base}/state`,
    MCP_BG_MAX_OUTPUT_SIZE: "64KB",
    MCP_BG_STATE_MAX_SIZE: "200KB",
  };
  try {
    const ids: string[] = [];
    {
      await using server = await TestServer.start({ env });
      // Each job keeps 64 KiB to 192 KiB on disk: of 6 jobs, the oldest are dropped as the later
      // ones end.
      for (let i = 0; i < 6; i++) {
        const id = await server.start("head -c 200000 /dev/zero");
        await waitForExit(server, id);
        ids.push(id);
      }
    }
    const { bytes } = walk(`${base}/state`);
    assert.ok(bytes <= 200 << 10, `ledger holds ${bytes} bytes`);
    const counts = JSON.parse(Deno.readTextFileSync(`${base}/state/ledger.json`));
    await using again = await TestServer.start({ env });
    const kept = (await listed(again)).map((job) => job.job_id);
    assert.ok(counts.dropped_jobs > 0);
    assert.equal(kept.length + counts.dropped_jobs, 6);
    // The newest are the ones kept.
    assert.deepEqual(kept, ids.slice(ids.length - kept.length).reverse());
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a state directory open to others, or in use by another server, is refused", async () => {
  const base = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${base}/open`, { mode: 0o755 });
    await Deno.chmod(`${base}/open`, 0o755);
    // A server on each directory in turn, which must refuse it and exit.
    const serverOn = (dir: string) =>
      run(Deno.execPath(), [...DENO_RUN, "-A", MAIN], {
        env: { MCP_BG_STATE_DIR: dir, MCP_BG_CONTAINMENT: "off" },
      });
    const refused = await serverOn(`${base}/open`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /mode 755: others could reach it/);
    await using first = await TestServer.start({ env: { MCP_BG_STATE_DIR: `${base}/shared` } });
    const second = await serverOn(`${base}/shared`);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /in use by another server/);
    assert.equal((await listed(first)).length, 0);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("without MCP_BG_STATE_DIR or MCP_BG_SERVICE nothing is written to disk", async () => {
  const base = await Deno.makeTempDir();
  const home = `${base}/home`;
  const work = `${base}/work`;
  await Deno.mkdir(home);
  await Deno.mkdir(work);
  try {
    const env = {
      // Deno's own cache stays where it is: only this server's writes are looked for.
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      HOME: home,
      XDG_STATE_HOME: `${home}/state`,
      XDG_RUNTIME_DIR: `${home}/run`,
      TMPDIR: `${home}/tmp`,
      MCP_BG_WORKING_DIR: work,
    };
    {
      await using server = await TestServer.start({ env, cwd: work });
      const id = await server.start("echo nothing-saved");
      await server.waitForEnd(id);
    }
    assert.deepEqual([...Deno.readDirSync(home)], []);
    assert.deepEqual([...Deno.readDirSync(work)], []);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a stream's segments keep only the newest contiguous bytes after a gap", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = new StreamWriter(dir, "stdout", 65536);
    await writer.write(0, new Uint8Array(65536).fill(1));
    await writer.write(65536, new Uint8Array(65536).fill(2));
    // The buffer moved on before these bytes were written: 131072..134464 never reach the disk.
    await writer.write(134464, new Uint8Array(65536).fill(3));
    writer.close();
    assert.deepEqual(listSegments(dir, "stdout").map((segment) => segment.offset), [134464]);
    const stored = readStream(dir, "stdout", 65536);
    assert.deepEqual([stored.start, stored.bytes.length, stored.bytes[0]], [134464, 65536, 3]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a contained job cannot see the ledger's directory",
  ignore: noContainment,
  fn: async () => {
    const base = await Deno.makeTempDir();
    const state = `${base}/state`;
    try {
      await using server = await TestServer.start({
        env: { MCP_BG_STATE_DIR: state, ...CONTAINED },
      });
      const earlier = await server.start("echo earlier");
      await server.waitForEnd(earlier);
      for (const command of [`ls -A ${state}`, `ls -A ${state}/jobs`, `cat ${state}/ledger.json`]) {
        const id = await server.start(command);
        await server.waitForEnd(id);
        const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
        assert.equal(output.stdout, "", `${command} showed ${output.stdout}`);
      }
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});
