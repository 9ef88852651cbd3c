/**
 * Many `wait_for_job` calls on one job that floods its output: how long another call waits for
 * its answer meanwhile, against the same flood with no waiter, measured in the same run.
 *
 *   deno run -A bench/waiters.ts              # this checkout, 0, 20 and 100 waiters
 *   deno run -A bench/waiters.ts other/main.ts  # another checkout's server, for before/after
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";

/** Lines the job prints: `seq 1 FLOOD_LINES`. */
export const FLOOD_LINES = 300_000;
// The job sleeps first, so every waiter is registered before the flood starts.
const SLEEP_BEFORE_MS = 1000;

/** What one run measured. */
export interface WaiterRun {
  readonly waiters: number;
  /** The longest a `get_job_status` call took, asked one after another during the flood, ms. */
  readonly longestCallMs: number;
  /** How many calls were answered during the flood. */
  readonly calls: number;
  /** From the flood's start until every waiter had its match (the last line), ms. */
  readonly allMatchedMs: number;
}

/** Bytes `seq 1 n` prints. */
function seqBytes(n: number): number {
  let bytes = 0;
  for (let digits = 1, low = 1; low <= n; digits++, low *= 10) {
    bytes += (Math.min(n, low * 10 - 1) - low + 1) * (digits + 1);
  }
  return bytes;
}

/** `waiters` calls wait for the flood's last line while one client keeps calling another tool. */
export async function waitersDuringFlood(entry: string, waiters: number): Promise<WaiterRun> {
  await using server = await TestServer.start({ entry });
  const jobId = await server.start(
    `sh -c "sleep ${SLEEP_BEFORE_MS / 1000}; seq 1 ${FLOOD_LINES}; sleep 60"`,
  );
  const started = performance.now();
  let answered = 0;
  const waits = Array.from(
    { length: waiters },
    () =>
      server.ok<{ reason: string }>("wait_for_job", {
        job_id: jobId,
        pattern: `^${FLOOD_LINES}$`,
        timeout: 60,
      }).then((outcome) => {
        if (outcome.reason !== "matched") throw new Error(`A waiter ended ${outcome.reason}`);
        answered++;
      }),
  );
  const bytes = seqBytes(FLOOD_LINES);
  let longestCallMs = 0;
  let calls = 0;
  let flooded = false;
  while (!flooded || answered < waiters) {
    const before = performance.now();
    const status = await server.ok<{ stdout_bytes: number }>("get_job_status", { job_id: jobId });
    const took = performance.now() - before;
    // Calls before the flood starts measure nothing: count from its first byte.
    if (status.stdout_bytes > 0) {
      longestCallMs = Math.max(longestCallMs, took);
      calls++;
    }
    flooded = status.stdout_bytes === bytes;
  }
  const allMatchedMs = performance.now() - started - SLEEP_BEFORE_MS;
  await Promise.all(waits);
  await server.ok("kill_job", { job_id: jobId });
  return { waiters, longestCallMs, calls, allMatchedMs };
}

/** Runs with no waiter (the baseline), 20 and 100 waiters, each on a fresh server. */
export async function waiterRuns(entry: string, counts = [0, 20, 100]): Promise<WaiterRun[]> {
  const runs: WaiterRun[] = [];
  for (const waiters of counts) runs.push(await waitersDuringFlood(entry, waiters));
  return runs;
}

if (import.meta.main) {
  const entry = Deno.args[0] ?? new URL("../main.ts", import.meta.url).pathname;
  for (const run of await waiterRuns(entry)) {
    console.log(
      `${run.waiters} waiters: longest other call ${run.longestCallMs.toFixed(0)} ms ` +
        `(${run.calls} calls during the flood); all matched ${run.allMatchedMs.toFixed(0)} ms ` +
        "after the flood began",
    );
  }
}
