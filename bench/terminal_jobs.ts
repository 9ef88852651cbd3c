/**
 * What terminal jobs cost: a 100 MB drain through a tty job against a pipe job, keys → settled
 * screen, the server's peak RSS with 20 tty jobs running `top`, and start-up with and without a
 * tty job ever started (the addon is loaded by the first tty job only).
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { settle, startSettled } from "./settled.ts";
import { memoryOf } from "../tests/helpers/processes.ts";
import { median, percentile, waitEnded } from "./job_latency.ts";

const MiB = 1024 * 1024;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const DRAIN = `sh -c "yes 0123456789012345678901234567890123456789 | head -c 100000000"`;

/** Milliseconds from execute_command to the job's end, for a 100 MB flood. */
async function drain(server: TestServer, tty: boolean): Promise<number> {
  const start = performance.now();
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
    command: DRAIN,
    tty,
  });
  await waitEnded(server, job_id, 20);
  return performance.now() - start;
}

/** Milliseconds from spawn to a completed `initialize`. */
async function startUp(): Promise<[number, TestServer]> {
  const start = performance.now();
  const server = await TestServer.start();
  return [performance.now() - start, server];
}

/** Table rows (measurement, result, compared with) for BENCHMARKS.md. */
export async function terminalRows(quick: boolean): Promise<[string, string, string][]> {
  const rows: [string, string, string][] = [];
  const runs = quick ? 1 : 3;

  // Start-up, then the first and second tty job, and what the addon adds to the server's RSS.
  const starts: number[] = [], firstTty: number[] = [], secondTty: number[] = [];
  const rssIdle: number[] = [], rssAfter: number[] = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const [started, server] = await startUp();
    try {
      starts.push(started);
      await settle(server);
      rssIdle.push(memoryOf(server.pid).rss);
      for (const samples of [firstTty, secondTty]) {
        const t = performance.now();
        const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
          command: "true",
          tty: true,
        });
        samples.push(performance.now() - t);
        await waitEnded(server, job_id, 5);
      }
      rssAfter.push(memoryOf(server.pid).rss);
    } finally {
      await server.close();
    }
  }
  rows.push([
    "Start-up (spawn → initialize), no tty job yet",
    ms(median(starts)),
    "the addon is not loaded: same code path as before terminal jobs",
  ]);
  rows.push([
    "First tty job's execute_command (loads node-pty + xterm)",
    ms(median(firstTty)),
    `second tty job: ${ms(median(secondTty))}`,
  ]);
  rows.push([
    "Server RSS: idle / after its first tty job",
    `${(median(rssIdle) / MiB).toFixed(1)} / ${(median(rssAfter) / MiB).toFixed(1)} MiB`,
    "loaded only when used",
  ]);

  {
    await using server = await startSettled();
    const pipe: number[] = [], tty: number[] = [];
    await drain(server, true); // load the addon first
    for (let i = 0; i < runs; i++) {
      pipe.push(await drain(server, false));
      tty.push(await drain(server, true));
    }
    rows.push([
      "100 MB drain: tty job / pipe job",
      `${ms(median(tty))} / ${ms(median(pipe))}`,
      `ratio ${(median(tty) / median(pipe)).toFixed(1)}×`,
    ]);

    const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
      command: "cat",
      tty: true,
    });
    const latencies: number[] = [];
    for (let i = 0; i < (quick ? 10 : 40); i++) {
      const t = performance.now();
      await server.ok("interact_with_job", { job_id, input: `line ${i}`, keys: ["Enter"] });
      latencies.push(performance.now() - t);
    }
    await server.ok("kill_job", { job_id });
    rows.push([
      "Keys → settled screen (interact_with_job on a tty cat)",
      `p50 ${ms(median(latencies))}, p99 ${ms(percentile(latencies, 99))}`,
      "includes the 200 ms of quiet that settles the answer",
    ]);
  }

  {
    await using server = await startSettled({ env: { MCP_BG_MAX_JOBS: "30" } });
    const before = memoryOf(server.pid).rss;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(
        (await server.ok<{ job_id: string }>("execute_command", {
          command: "top -d 0.5",
          tty: true,
        })).job_id,
      );
    }
    // Ten refreshes of every screen.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const peak = memoryOf(server.pid).hwm;
    await Promise.all(ids.map((job_id) => server.ok("kill_job", { job_id })));
    rows.push([
      "Server peak RSS, 20 tty jobs running top (0.5 s refresh, 5 s)",
      `${(peak / MiB).toFixed(1)} MiB`,
      `${(before / MiB).toFixed(1)} MiB before the first of them`,
    ]);
  }
  return rows;
}
