/**
 * The soak: one server over HTTP takes thousands of jobs, sessions and waiters, and is measured
 * before and after — resident memory, open file descriptors, child processes and zombies — to
 * show that nothing it handled stays behind. Run by `deno task bench --soak` (alone) and at the
 * end of the full `deno task bench`.
 *
 * @module
 */
import { HttpTestServer, INITIALIZE, MCP_HEADERS } from "../tests/helpers/http_server.ts";
import type { HttpClient } from "../tests/helpers/http_server.ts";
import { delay, memoryOf } from "../tests/helpers/processes.ts";

/** How much the soak does. */
export interface SoakSize {
  /** Jobs started and run to their end, `concurrency` at a time. */
  readonly jobs: number;
  /** Sessions opened with a raw `initialize` and ended with `DELETE`, `concurrency` at a time. */
  readonly sessions: number;
  /** `wait_for_job` calls waiting at once on one job's output. */
  readonly waiters: number;
  readonly concurrency: number;
}

/** What the server process looked like at one moment. */
export interface Snapshot {
  readonly rss: number;
  readonly fds: number;
  /** Of `fds`, the sockets (listening, and one per client connection) and the pipes. */
  readonly sockets: number;
  readonly pipes: number;
  /** Sockets the bench process itself holds: its clients' open (keep-alive) connections. */
  readonly clientSockets: number;
  /** Live child processes (jobs and anything they left), zombies included. */
  readonly children: number;
  readonly zombies: number;
}

/** The soak's outcome: snapshots, and how long each part took. */
export interface SoakResult {
  readonly size: SoakSize;
  readonly before: Snapshot;
  /** Right after the load, with finished jobs still held. */
  readonly loaded: Snapshot;
  /** Once the cleanup has dropped every finished job and every session has ended. */
  readonly after: Snapshot;
  /** The same after a second round of the same load: growth here would be a leak. */
  readonly again: Snapshot;
  readonly jobsMs: number;
  readonly sessionsMs: number;
  readonly waitersMs: number;
  readonly peakRss: number;
}

// The shortest cleanup the server accepts, so that the soak can see every job dropped.
const CLEANUP_SECONDS = 10;

/** What each open descriptor of process `of` points to (`socket:[…]`, `pipe:[…]`, a path). */
function fdTargets(of: number | "self"): string[] {
  return [...Deno.readDirSync(`/proc/${of}/fd`)].map((fd) => {
    try {
      return Deno.readLinkSync(`/proc/${of}/fd/${fd.name}`);
    } catch {
      return ""; // closed since the listing
    }
  });
}

/** Reads `pid`'s memory, descriptors and children from /proc. */
export function snapshot(pid: number): Snapshot {
  const server = fdTargets(pid);
  const count = (targets: string[], kind: string) =>
    targets.filter((target) => target.startsWith(kind)).length;
  let children = 0;
  let zombies = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // gone since the listing: not a child any more
    }
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses, so read after the last `)`.
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(ppid) !== pid) continue;
    children++;
    if (state === "Z") zombies++;
  }
  return {
    rss: memoryOf(pid).rss,
    fds: server.length,
    sockets: count(server, "socket:"),
    pipes: count(server, "pipe:"),
    clientSockets: count(fdTargets("self"), "socket:"),
    children,
    zombies,
  };
}

/** Runs `task` for 0..count-1, at most `concurrency` at a time. */
async function inBatches(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function runJobs(client: HttpClient, size: SoakSize): Promise<void> {
  await inBatches(size.jobs, size.concurrency, async (i) => {
    // Every fourth job prints 64 KiB and one in ten fails, so buffers and statuses vary.
    const command = i % 4 === 0
      ? "head -c 65536 /dev/zero"
      : i % 10 === 0
      ? `sh -c 'echo soak ${i} >&2; exit 3'`
      : `echo soak ${i}`;
    const id = await client.start(command);
    await client.ok("wait_for_job", { job_id: id, timeout: 60 });
  });
}

async function runSessions(
  url: string,
  auth: Record<string, string>,
  size: SoakSize,
): Promise<void> {
  // No idle keep-alive connections: each one would hold a socket in the server after the soak.
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  await inBatches(size.sessions, size.concurrency, async () => {
    const opened = await fetch(url, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...auth },
      body: INITIALIZE,
      client,
    });
    await opened.body?.cancel();
    const id = opened.headers.get("mcp-session-id");
    if (opened.status !== 200 || id === null) throw new Error(`initialize: ${opened.status}`);
    const ended = await fetch(url, {
      method: "DELETE",
      headers: { ...auth, "mcp-session-id": id },
      client,
    });
    await ended.body?.cancel();
  });
}

async function runWaiters(clients: HttpClient[], size: SoakSize): Promise<void> {
  const [first] = clients;
  // One job, many waiters on its last line: every waiter scans the same output.
  const id = await first!.start(`sh -c 'read go; seq 1 20000; echo soak-done'`);
  const waits = Array.from(
    { length: size.waiters },
    (_, i) =>
      clients[i % clients.length]!.ok<{ reason: string }>("wait_for_job", {
        job_id: id,
        pattern: "^soak-done$",
        timeout: 60,
      }),
  );
  await delay(500);
  await first!.ok("interact_with_job", { job_id: id, input: "go" });
  const reasons = await Promise.all(waits);
  const matched = reasons.filter((r) => r.reason === "matched").length;
  if (matched !== size.waiters) {
    throw new Error(`only ${matched} of ${size.waiters} waiters matched`);
  }
}

/** Runs the soak against a fresh `main.ts --http` and returns its snapshots. */
export async function soak(
  size: SoakSize,
  progress: (line: string) => void,
): Promise<SoakResult> {
  await using server = await HttpTestServer.start({
    env: {
      MCP_BG_MAX_JOBS: String(Math.max(size.concurrency + 2, 10)),
      MCP_BG_CLEANUP_INTERVAL: String(CLEANUP_SECONDS),
      MCP_BG_HTTP_MAX_SESSIONS: String(size.concurrency + 16),
    },
  });
  const clients = await Promise.all([0, 1, 2, 3].map(() => server.connect()));
  // Warm up: the first jobs and calls load code the rest only reuse.
  await runJobs(clients[0]!, { ...size, jobs: 20 });
  await delay((CLEANUP_SECONDS + 1) * 1000);
  const before = snapshot(server.pid);

  const first = await load(server, clients, size, progress);
  const after = await cleanedUp(server.pid, clients[0]!, progress);
  progress("soak: the same load again");
  await load(server, clients, size, progress);
  const again = await cleanedUp(server.pid, clients[0]!, progress);
  return { size, before, ...first, after, again, peakRss: memoryOf(server.pid).hwm };
}

/** One round of jobs, then sessions, then waiters; the snapshot right after it, and timings. */
async function load(
  server: HttpTestServer,
  clients: HttpClient[],
  size: SoakSize,
  progress: (line: string) => void,
): Promise<{ loaded: Snapshot; jobsMs: number; sessionsMs: number; waitersMs: number }> {
  progress(`soak: ${size.jobs} jobs, ${size.concurrency} at a time`);
  let start = performance.now();
  await runJobs(clients[0]!, size);
  const jobsMs = performance.now() - start;
  progress(`soak: ${size.sessions} sessions opened and ended`);
  start = performance.now();
  await runSessions(server.url, server.authHeaders, size);
  const sessionsMs = performance.now() - start;
  progress(`soak: ${size.waiters} waiters on one job`);
  start = performance.now();
  await runWaiters(clients, size);
  const waitersMs = performance.now() - start;
  return { loaded: snapshot(server.pid), jobsMs, sessionsMs, waitersMs };
}

/** Waits until the cleanup has dropped every job, then takes a snapshot. */
async function cleanedUp(
  pid: number,
  client: HttpClient,
  progress: (line: string) => void,
): Promise<Snapshot> {
  progress(`soak: waiting ${CLEANUP_SECONDS + 2} s for the cleanup to drop every job`);
  await delay((CLEANUP_SECONDS + 2) * 1000);
  const { jobs } = await client.ok<{ jobs: unknown[] }>("list_jobs");
  if (jobs.length !== 0) throw new Error(`${jobs.length} jobs still listed after the cleanup`);
  return snapshot(pid);
}

const MiB = 1024 * 1024;

/** The soak's outcome as markdown, for the console and BENCHMARKS.md. */
export function soakReport(result: SoakResult): string {
  const { size, before, loaded, after, again } = result;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  const row = (name: string, pick: (s: Snapshot) => string) =>
    `| ${name} | ${pick(before)} | ${pick(loaded)} | ${pick(after)} | ${pick(again)} |`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `${size.jobs} jobs (${size.concurrency} at a time, each awaited with \`wait_for_job\`), ` +
    `${size.sessions} HTTP sessions opened and ended, ${size.waiters} \`wait_for_job\` calls on ` +
    `one job printing 20,000 lines; one server over HTTP, \`MCP_BG_CLEANUP_INTERVAL=${CLEANUP_SECONDS}\`.`,
    "",
    "| server process | before | right after the load | after cleanup | after a second round |",
    "| --- | --- | --- | --- | --- |",
    row("RSS", (s) => mib(s.rss)),
    row("open file descriptors", (s) => String(s.fds)),
    row("of which sockets / pipes", (s) => `${s.sockets} / ${s.pipes}`),
    row("the bench client's own sockets", (s) => String(s.clientSockets)),
    row("child processes", (s) => String(s.children)),
    row("zombies", (s) => String(s.zombies)),
    "",
    `In the first round jobs took ${seconds(result.jobsMs)}, sessions ${
      seconds(result.sessionsMs)
    }, waiters ` +
    `${seconds(result.waitersMs)}; peak RSS ${mib(result.peakRss)}. Sockets the server still ` +
    "holds after the load are the client's idle keep-alive connections (the bench process holds " +
    "as many); the second round shows whether memory or descriptors keep growing.",
  ].join("\n");
}
