/**
 * Service mode (MCP_BG_SERVICE=on): jobs belong to a per-user service that outlives the fronts
 * clients start; a service per configuration; nothing outlives a SIGKILLed service; idle exit and
 * --stop-service; contained jobs cannot reach the socket.
 */
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/mcp_client.ts";
import { isAlive, waitUntilGone } from "../helpers/processes.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { ServiceSandbox } from "../helpers/service.ts";
import { ignoreAsNobody } from "../helpers/as_nobody.ts";

interface Listed {
  job_id: string;
  status: string;
  session: string | null;
  pid: number;
}

async function listed(front: TestServer): Promise<Listed[]> {
  return (await front.ok<{ jobs: Listed[] }>("list_jobs")).jobs;
}

async function waitForLine(front: TestServer, jobId: string, pattern: string): Promise<void> {
  const found = await front.ok<{ reason: string }>("wait_for_job", {
    job_id: jobId,
    pattern,
    timeout: 60,
  });
  assert.equal(found.reason, "matched", `no line matching ${pattern}`);
}

for (const contained of [false, true]) {
  const how = contained ? "contained" : "uncontained";
  Deno.test({
    name:
      `a job outlives the front that started it; the next front reads, waits on, kills it (${how})`,
    ignore: contained && noContainment,
    fn: async () => {
      await using sandbox = await ServiceSandbox.create({
        env: contained ? CONTAINED : {},
      });
      let id: string;
      {
        await using first = await sandbox.front();
        // It prints, then waits for a line typed by the next front, then prints again.
        id = await first.start(`sh -c 'echo first; read line; echo "got $line"; sleep 300'`);
        await waitForLine(first, id, "first");
      }
      const service = sandbox.only();
      await using second = await sandbox.front();
      const [job] = await listed(second);
      assert.deepEqual([job!.job_id, job!.status], [id, "running"]);
      assert.match(job!.session ?? "", /^front-1 mcp-background-job-tests$/);
      await second.ok("interact_with_job", { job_id: id, input: "hello" });
      await waitForLine(second, id, "got hello");
      const output = await second.ok<{ stdout: string }>("get_job_output", { job_id: id });
      assert.equal(output.stdout, "first\ngot hello\n");
      assert.equal((await second.ok("kill_job", { job_id: id })).status, "killed");
      assert.equal(sandbox.only().pid, service.pid);
    },
  });

  Deno.test({
    name: `a SIGKILLed service leaves no job process; the next front shows them lost (${how})`,
    ignore: contained && noContainment,
    fn: async () => {
      await using sandbox = await ServiceSandbox.create({
        env: contained ? CONTAINED : {},
      });
      let id: string;
      let jobPid: number;
      {
        await using first = await sandbox.front();
        // Uncontained, a process that leaves the job's group (setsid) is out of reach, as in
        // plain mode (docs/troubleshooting.md); contained, the sandbox takes it too.
        const escape = contained ? "setsid sleep 301 & " : "sleep 301 & ";
        id = await first.start(`sh -c 'echo up-to-the-kill; ${escape}sleep 300; wait'`);
        await waitForLine(first, id, "up-to-the-kill");
        jobPid = (await listed(first))[0]!.pid;
      }
      const service = sandbox.only();
      const tree = descendants(service.pid);
      assert.ok(tree.length >= 2, `job processes ${tree}`);
      Deno.kill(service.pid, "SIGKILL");
      await waitUntilGone(service.pid);
      for (const pid of [jobPid, ...tree]) await waitUntilGone(pid, 20_000);
      await using next = await sandbox.front();
      const [job] = await listed(next);
      assert.deepEqual([job!.job_id, job!.status], [id, "lost"]);
      const output = await next.ok<{ stdout: string }>("get_job_output", { job_id: id });
      assert.equal(output.stdout, "up-to-the-kill\n");
    },
  });
}

/** Every descendant of `pid` (children first), from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...children.get(parent) ?? [], Number(entry.name)]);
    } catch {
      // The process exited while /proc was read.
    }
  }
  const found: number[] = [];
  const visit = (of: number) => {
    for (const child of children.get(of) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

Deno.test("fronts started at the same instant share one service, and find jobs by name", async () => {
  await using sandbox = await ServiceSandbox.create();
  const fronts = await Promise.all([sandbox.front(), sandbox.front(), sandbox.front()]);
  try {
    const id = await fronts[0]!.start("sleep 300");
    for (const front of fronts) {
      assert.deepEqual((await listed(front)).map((job) => job.job_id), [id]);
    }
    assert.equal(sandbox.services().length, 1);
    // if_running: "reuse" finds a job by name whichever front started it.
    const named = await fronts[1]!.ok<{ job_id: string }>("execute_command", {
      command: "sleep 300",
      name: "dev-server",
    });
    const reused = await fronts[2]!.ok<{ job_id: string; reused?: boolean }>("execute_command", {
      command: "sleep 300",
      name: "dev-server",
      if_running: "reuse",
    });
    assert.deepEqual(reused, { job_id: named.job_id, reused: true });
    await fronts[0]!.ok("kill_job", { job_id: named.job_id });
    await fronts[1]!.ok("kill_job", { job_id: id });
  } finally {
    for (const front of fronts) await front.close();
  }
});

Deno.test("a front with another allowlist gets another service and sees none of the first's jobs", async () => {
  await using sandbox = await ServiceSandbox.create();
  await using open = await sandbox.front();
  const id = await open.start("sleep 300");
  await using narrow = await sandbox.front({ MCP_BG_ALLOWED_COMMANDS: "^echo( |$)" });
  assert.deepEqual(await listed(narrow), []);
  const refused = await narrow.call("execute_command", { command: "sleep 300" });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /not in allowed patterns/);
  assert.equal(sandbox.services().length, 2);
  // The narrow service cannot reach the open one's job by its id either.
  const other = await narrow.call("kill_job", { job_id: id });
  assert.equal((other.data as { status: string }).status, "not_found");
  await open.ok("kill_job", { job_id: id });
});

Deno.test("the service exits once idle: no front and no running job", async () => {
  await using sandbox = await ServiceSandbox.create({ env: { MCP_BG_SERVICE_IDLE: "1" } });
  let pid: number;
  {
    await using front = await sandbox.front();
    const id = await front.start("echo short");
    await front.ok("wait_for_job", { job_id: id, timeout: 30 });
    pid = sandbox.only().pid;
  }
  await waitUntilGone(pid, 30_000);
  // Its jobs stay in the ledger: a new service lists them.
  await using next = await sandbox.front();
  assert.equal((await listed(next))[0]!.status, "completed");
});

Deno.test("--stop-service stops the service and its jobs, and says what it stopped", async () => {
  await using sandbox = await ServiceSandbox.create();
  let jobPid: number;
  {
    await using front = await sandbox.front();
    const id = await front.start("sleep 300");
    jobPid = (await listed(front))[0]!.pid;
    void id;
  }
  const service = sandbox.only();
  const said = await sandbox.stopService();
  assert.match(said, new RegExp(`^stopped the job service for .* \\(pid ${service.pid}, `));
  assert.match(said, /1 running job\(s\) stopped/);
  assert.ok(!isAlive(service.pid));
  await waitUntilGone(jobPid, 10_000);
  assert.match(await sandbox.stopService(), /^no job service is running/);
});

Deno.test({
  name: "a contained job can neither see nor connect to the service's socket",
  ignore: noContainment,
  fn: async () => {
    await using sandbox = await ServiceSandbox.create({ env: CONTAINED });
    await using front = await sandbox.front();
    const { socket, pid } = sandbox.only();
    const attempts = [
      // Connect by its path.
      `python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect('${socket}'); print('connected')"`,
      // List its folder, and the folder of every service.
      `ls -A ${socket.slice(0, socket.lastIndexOf("/"))}`,
      `ls -A ${sandbox.servicesDir}`,
      // Reach it through the service's /proc entry (another PID namespace: not there).
      `ls -A /proc/${pid}/root${socket}`,
    ];
    for (const command of attempts) {
      const id = await front.start(command);
      const status = await front.waitForEnd(id);
      const output = await front.ok<{ stdout: string }>("get_job_output", { job_id: id });
      assert.equal(output.stdout, "", `${command} printed ${output.stdout}`);
      assert.equal(status.contained, true);
    }
  },
});

Deno.test({
  name:
    "as a non-root user with XDG_RUNTIME_DIR unset: private fallback, jobs outlive fronts, stop",
  ignore: ignoreAsNobody("the service test as nobody"),
  fn: async () => {
    const nobody = 65534;
    await using sandbox = await ServiceSandbox.create({ runtime: false, uid: nobody });
    let id: string;
    {
      await using first = await sandbox.front();
      id = await first.start("sh -c 'id -u; sleep 300'");
      await waitForLine(first, id, "^65534$");
    }
    const info = Deno.statSync(sandbox.servicesDir);
    assert.deepEqual([info.uid, info.mode! & 0o777], [nobody, 0o700]);
    const service = sandbox.only();
    assert.ok(service.socket.startsWith(`${sandbox.base}/tmp/mcp-background-job-${nobody}/`));
    await using second = await sandbox.front();
    assert.deepEqual((await listed(second)).map((job) => [job.job_id, job.status]), [
      [id, "running"],
    ]);
    await second.close();
    assert.match(await sandbox.stopService(), /1 running job\(s\) stopped/);
    await waitUntilGone(service.pid);
  },
});

Deno.test("with --console the service serves the console; a later front hands out its link", async () => {
  await using sandbox = await ServiceSandbox.create();
  let id: string;
  {
    await using first = await sandbox.front({}, ["--console"]);
    id = await first.start("sleep 300");
  }
  await using second = await sandbox.front({}, ["--console"]);
  const link = (await second.ok<{ url: string }>("console_url")).url;
  const page = await fetch(link);
  assert.equal(page.status, 200);
  await page.body?.cancel();
  const status = JSON.parse(
    Deno.readTextFileSync(`${sandbox.servicesDir}/${sandbox.only().key}/status.json`),
  );
  assert.equal(new URL(status.console).origin, new URL(link).origin);
  // A front without --console reaches another service (the flag is part of the key).
  await using plain = await sandbox.front();
  assert.deepEqual(await listed(plain), []);
  assert.equal((await second.ok("kill_job", { job_id: id })).status, "killed");
});
