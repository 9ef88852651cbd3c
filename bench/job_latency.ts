/**
 * Job latency measurements shared by the benchmark runner and the containment comparison:
 * small statistics, waiting for a job's end, output visibility and 50 jobs at once.
 *
 * @module
 */
import { startSettled } from "./settled.ts";
import type { TestServer } from "../tests/helpers/mcp_client.ts";
import { delay } from "../tests/helpers/processes.ts";

/** The middle sample. */
export function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** The sample at or below which `p` percent of the samples lie (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** What the benchmarks read of a job's status. */
export type Status = { status: string; stdout_bytes: number };

/** Polls `get_job_status` every `intervalMs` until the job has ended. */
export async function waitEnded(
  server: TestServer,
  jobId: string,
  intervalMs: number,
): Promise<Status> {
  for (;;) {
    const status = await server.ok<Status>("get_job_status", { job_id: jobId });
    if (status.status !== "running") return status;
    if (intervalMs > 0) await delay(intervalMs);
  }
}

/** `count` times: `execute_command` of an echo until `get_job_output` shows the text, in ms. */
export async function outputVisible(server: TestServer, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const marker = `visible-${i}`;
    const start = performance.now();
    const jobId = await server.start(`echo ${marker}`);
    for (;;) {
      const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: jobId });
      if (output.stdout.includes(marker)) break;
    }
    samples.push(performance.now() - start);
    await waitEnded(server, jobId, 5);
  }
  return samples;
}

/** `runs` times, on a fresh server with `env`: 50 jobs started at once until all ended, in ms. */
export async function fiftyJobs(env: Record<string, string>, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    await using server = await startSettled({ env: { ...env, MCP_BG_MAX_JOBS: "50" } });
    const start = performance.now();
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) => server.start(`sh -c "echo job-${i}"`)),
    );
    const wanted = new Set(ids);
    for (;;) {
      const { jobs } = await server.ok<{ jobs: { job_id: string; status: string }[] }>("list_jobs");
      if (jobs.filter((job) => wanted.has(job.job_id) && job.status !== "running").length === 50) {
        break;
      }
      await delay(5);
    }
    samples.push(performance.now() - start);
  }
  return samples;
}
