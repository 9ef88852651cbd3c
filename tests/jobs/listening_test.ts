import assert from "node:assert/strict";
import { ListeningCache, listeningIn, listeningSockets } from "../../lib/jobs/listening.ts";
import { JobManager } from "../../lib/jobs/job_table.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import { waitForJob } from "../../lib/jobs/waiting.ts";
import { delay, waitUntilGone } from "../helpers/processes.ts";

const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " +
  "timeout inode\n";
const row = (local: string, state: string, inode: string) =>
  `   0: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000 0 ${inode}\n`;

Deno.test("listeningIn reads IPv4 and IPv6 LISTEN rows of the given sockets only", () => {
  const tcp = HEADER + row("0100007F:1F90", "0A", "11") + row("00000000:0050", "0A", "12") +
    row("0100007F:1F91", "01", "11") + row("0100007F:1F92", "0A", "99");
  assert.deepEqual(listeningIn(tcp, new Set(["11", "12"])), [
    { port: 8080, address: "127.0.0.1" },
    { port: 80, address: "0.0.0.0" },
  ]);
  const tcp6 = HEADER +
    row("00000000000000000000000000000000:0BB8", "0A", "21") +
    row("00000000000000000000000001000000:0BB9", "0A", "22") +
    row("0000000000000000FFFF00000100007F:0BBA", "0A", "23") +
    row("000080FE00000000FF005002AB8967E5:0BBB", "0A", "24");
  assert.deepEqual(listeningIn(tcp6, new Set(["21", "22", "23", "24"])), [
    { port: 3000, address: "::" },
    { port: 3001, address: "::1" },
    { port: 3002, address: "::ffff:127.0.0.1" },
    { port: 3003, address: "fe80::250:ff:e567:89ab" },
  ]);
  assert.deepEqual(listeningIn(undefined, new Set(["1"])), []);
});

Deno.test("listeningSockets finds a port a grandchild opens after a delay, and forgets it when closed", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    // sh → sh → deno: the listener is two generations below the job's process.
    const code = "await new Promise((r) => setTimeout(r, 300));" +
      "const l = Deno.listen({ port: 0 });" +
      "console.log(l.addr.port); await new Promise((r) => setTimeout(r, 60000));";
    const job = manager.start(
      `sh -c "sh -c '${Deno.execPath()} eval \\"${code}\\"; true' & wait"`,
    );
    assert.deepEqual(listeningSockets(job.pid), []);
    const outcome = await waitForJob(job, { port: true, timeoutMs: 20_000, portPollMs: 50 });
    assert.equal(outcome.reason, "listening");
    // The program prints its port once it listens: soon, but not by a deadline a stall can pass.
    let printed = "";
    for (const deadline = Date.now() + 20_000; printed === "" && Date.now() < deadline;) {
      printed = job.stdout.text().trim();
      if (printed === "") await delay(20);
    }
    assert.deepEqual(listeningSockets(job.pid), [{ port: Number(printed), address: "0.0.0.0" }]);
    await job.kill("user");
    assert.deepEqual(listeningSockets(job.pid), []);
    await waitUntilGone(job.pid);
  } finally {
    await manager.shutdown();
  }
});

Deno.test("waitForJob with a port number waits for that port, and ends if the job exits first", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    const job = manager.start(`sh -c "sleep 0.3; exit 4"`);
    const outcome = await waitForJob(job, { port: 1, timeoutMs: 20_000, portPollMs: 50 });
    assert.equal(outcome.reason, "exited");
    const listener = manager.start(
      `${Deno.execPath()} eval "Deno.listen({ hostname: '127.0.0.1', port: 0 }); setTimeout(() => {}, 60000)"`,
    );
    const other = await waitForJob(listener, { port: 1, timeoutMs: 1000, portPollMs: 50 });
    assert.equal(other.reason, "timeout");
    await listener.kill("user");
  } finally {
    await manager.shutdown();
  }
});

/** Whether bubblewrap can make a network namespace here (it needs unprivileged user namespaces). */
async function bwrapWorks(): Promise<boolean> {
  try {
    const probe = new Deno.Command("bwrap", {
      args: ["--unshare-net", "--dev-bind", "/", "/", "true"],
      stdout: "null",
      stderr: "null",
    });
    return (await probe.output()).success;
  } catch {
    // bwrap is not installed.
    return false;
  }
}

Deno.test("listeningSockets sees a port in a sandbox with its own network namespace", async (t) => {
  if (!(await bwrapWorks())) {
    await t.step({ name: "bubblewrap cannot run here", ignore: true, fn: () => {} });
    return;
  }
  const code = "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); " +
    "print(s.getsockname()[1], flush=True); time.sleep(60)";
  const child = new Deno.Command("bwrap", {
    args: ["--unshare-net", "--unshare-pid", "--die-with-parent", "--dev-bind", "/", "/"]
      .concat(["--proc", "/proc", "python3", "-c", code]),
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const port = Number((await reader.read()).value?.trim());
    assert.deepEqual(listeningSockets(child.pid), [{ port, address: "127.0.0.1" }]);
    // The host's own table does not show it: it belongs to the sandbox's namespace.
    const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
    assert.ok(!Deno.readTextFileSync("/proc/net/tcp").includes(`0100007F${hex}`));
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
  }
});

Deno.test("ListeningCache answers from its last look until it is old or asked to look afresh", () => {
  const cache = new ListeningCache(60_000);
  const before = cache.of(Deno.pid);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = listener.addr.port;
    assert.equal(cache.of(Deno.pid), before);
    assert.ok(cache.of(Deno.pid, true).some((socket) => socket.port === port));
    assert.ok(cache.of(Deno.pid).some((socket) => socket.port === port));
    assert.ok(new ListeningCache(0).of(Deno.pid).some((socket) => socket.port === port));
  } finally {
    listener.close();
  }
});
