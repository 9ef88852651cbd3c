/**
 * Output floods and shell baselines shared by the benchmark runner and the A/B comparison.
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { memoryOf } from "../tests/helpers/processes.ts";
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

/** One flood's figures. */
export interface Flood {
  /** ms from `execute_command` until status is `completed`. */
  readonly drainMs: number;
  /** Peak RSS of the server process (VmHWM), bytes. */
  readonly peakRss: number;
  /** RSS right after `initialize`, bytes. */
  readonly idleRss: number;
}

/** Floods a fresh server with `bytes` of `yes` output; a fresh process so VmHWM is this flood's. */
export async function flood(bytes: number, entry = MAIN): Promise<Flood> {
  await using server = await TestServer.start({ entry });
  const idleRss = memoryOf(server.pid).rss;
  const start = performance.now();
  const jobId = await server.start(`sh -c "yes | head -c ${bytes}"`);
  const status = await waitEnded(server, jobId, 10);
  const drainMs = performance.now() - start;
  if (status.status !== "completed" || status.stdout_bytes !== bytes) {
    throw new Error(`Flood ended ${status.status} with ${status.stdout_bytes} of ${bytes} bytes`);
  }
  return { drainMs, peakRss: memoryOf(server.pid).hwm, idleRss };
}
