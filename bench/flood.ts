/**
 * Output floods and shell baselines shared by the benchmark runner and the A/B comparison.
 *
 * @module
 */
import { memoryOf } from "../tests/helpers/processes.ts";
import { startSettled } from "./settled.ts";
import { waitEnded } from "./job_latency.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Wall time of `sh -c script` run to completion, in ms. */
export async function timeShell(script: string): Promise<number> {
  const start = performance.now();
  const { success } = await new Deno.Command("sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error(`Baseline failed: ${script}`);
  return performance.now() - start;
}

/**
 * CPU time `pid` has used so far (user + system, every thread), in ms: on a loaded machine it
 * moves far less than wall time, so it compares two servers' work more steadily.
 */
export function cpuMsOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One flood's figures. */
export interface Flood {
  /** ms from `execute_command` until status is `completed`. */
  readonly drainMs: number;
  /** Peak RSS of the server process (VmHWM), bytes. */
  readonly peakRss: number;
  /** RSS once initialized (after one `list_jobs` call), bytes. */
  readonly idleRss: number;
  /** CPU time the server used from `execute_command` to `completed`, ms. */
  readonly cpuMs: number;
}

/** Floods a fresh server with `bytes` of `yes` output; a fresh process so VmHWM is this flood's. */
export async function flood(bytes: number, entry = MAIN): Promise<Flood> {
  // The idle figure and the flood are taken from a server past its start-up (settled.ts).
  await using server = await startSettled({ entry });
  const idleRss = memoryOf(server.pid).rss;
  const cpuBefore = cpuMsOf(server.pid);
  const start = performance.now();
  const jobId = await server.start(`sh -c "yes | head -c ${bytes}"`);
  const status = await waitEnded(server, jobId, 10);
  const drainMs = performance.now() - start;
  if (status.status !== "completed" || status.stdout_bytes !== bytes) {
    throw new Error(`Flood ended ${status.status} with ${status.stdout_bytes} of ${bytes} bytes`);
  }
  const cpuMs = cpuMsOf(server.pid) - cpuBefore;
  return { drainMs, peakRss: memoryOf(server.pid).hwm, idleRss, cpuMs };
}

/** What the bare Deno reader (`bench/pipe_reader.ts`) measured for one flood. */
export interface BareRead {
  /** ms from spawning the pipeline until it was read to its end and reaped. */
  readonly ms: number;
  /** The reader's own CPU time (user + system), ms. */
  readonly cpuMs: number;
  /** Reads that returned bytes. */
  readonly reads: number;
}

/**
 * Reads a `bytes` flood in a bare Deno process with the job's read loop (`bench/pipe_reader.ts`):
 * the floor for any Deno reader of that pipe. Timed inside that process, so Deno's start-up is
 * not counted.
 */
export async function bareRead(bytes: number): Promise<BareRead> {
  const script = new URL("./pipe_reader.ts", import.meta.url).pathname;
  const { success, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "-A", script, String(bytes)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error("The bare reader failed");
  return JSON.parse(new TextDecoder().decode(stdout));
}
