/**
 * Service mode measured (`deno task bench --service`): a status round trip through a front
 * against direct stdio, a front's start to its first answer with the service running and cold,
 * the ledger's cost on a 200 MB drain, and an idle service's RSS.
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { memoryOf } from "../tests/helpers/processes.ts";
import { ServiceSandbox } from "../tests/helpers/service.ts";
import { median, percentile, waitEnded } from "./job_latency.ts";

const MiB = 1024 * 1024;

/** What the service section reports. */
export interface ServiceFigures {
  readonly tripDirect: { p50: number; p99: number };
  readonly tripFront: { p50: number; p99: number };
  readonly startWarm: number;
  readonly startCold: number;
  readonly drainPlain: number;
  readonly drainLedger: number;
  readonly drainBytes: number;
  readonly idleRss: number;
}

async function trip(server: TestServer, count: number): Promise<{ p50: number; p99: number }> {
  const id = await server.start("true");
  await waitEnded(server, id, 5);
  for (let i = 0; i < 50; i++) await server.ok("get_job_status", { job_id: id });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await server.ok("get_job_status", { job_id: id });
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Spawn of a front to its answer to `list_jobs` (after `initialize`), in ms. */
async function firstAnswer(sandbox: ServiceSandbox): Promise<number> {
  const start = performance.now();
  await using front = await sandbox.front();
  await front.ok("list_jobs");
  return performance.now() - start;
}

async function drain(bytes: number, env: Record<string, string>): Promise<number> {
  await using server = await TestServer.start({ env });
  const start = performance.now();
  const id = await server.start(`sh -c "yes | head -c ${bytes}"`);
  const status = await waitEnded(server, id, 10);
  if (status.stdout_bytes !== bytes) throw new Error(`drained ${status.stdout_bytes} bytes`);
  return performance.now() - start;
}

/** Runs every figure, `runs` samples each (interleaved where two are compared). */
export async function serviceFigures(
  options: { runs: number; trips: number; progress: (line: string) => void },
): Promise<ServiceFigures> {
  const { runs, trips, progress } = options;
  progress("service: round trips, direct and through a front");
  let tripDirect, tripFront;
  {
    await using direct = await TestServer.start();
    tripDirect = await trip(direct, trips);
  }
  await using sandbox = await ServiceSandbox.create();
  {
    await using front = await sandbox.front();
    tripFront = await trip(front, trips);
  }
  progress("service: front start to first answer, warm and cold");
  const warm: number[] = [], cold: number[] = [];
  for (let run = 0; run < runs; run++) {
    warm.push(await firstAnswer(sandbox));
    await using fresh = await ServiceSandbox.create();
    cold.push(await firstAnswer(fresh));
  }
  progress("service: idle RSS");
  await using idle = await ServiceSandbox.create();
  {
    await using front = await idle.front();
    await front.ok("list_jobs");
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const idleRss = memoryOf(idle.only().pid).rss;
  progress("service: 200 MB drain with and without the ledger");
  const bytes = 200 * MiB;
  const plain: number[] = [], ledger: number[] = [];
  for (let run = 0; run < runs; run++) {
    plain.push(await drain(bytes, {}));
    const dir = await Deno.makeTempDir();
    try {
      ledger.push(await drain(bytes, { MCP_BG_STATE_DIR: `${dir}/state` }));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return {
    tripDirect,
    tripFront,
    startWarm: median(warm),
    startCold: median(cold),
    drainPlain: median(plain),
    drainLedger: median(ledger),
    drainBytes: bytes,
    idleRss,
  };
}

/** The figures as a markdown table. */
export function serviceReport(figures: ServiceFigures, runs: number): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  return [
    `Service mode (MCP_BG_SERVICE=on), medians of ${runs} runs; uncontained jobs.`,
    "",
    "| figure | value | against | ratio |",
    "| --- | --- | --- | --- |",
    `| get_job_status round trip through a front, p50 / p99 | ${ms(figures.tripFront.p50)} / ${
      ms(figures.tripFront.p99)
    } | direct stdio ${ms(figures.tripDirect.p50)} / ${ms(figures.tripDirect.p99)} | ${
      ratio(figures.tripFront.p50, figures.tripDirect.p50)
    } |`,
    `| front start to first answer, service running | ${ms(figures.startWarm)} | | |`,
    `| front start to first answer, cold (starts the service) | ${ms(figures.startCold)} | warm ${
      ms(figures.startWarm)
    } | ${ratio(figures.startCold, figures.startWarm)} |`,
    `| ${figures.drainBytes / MiB} MB drain with the ledger (MCP_BG_STATE_DIR) | ${
      ms(figures.drainLedger)
    } | without ${ms(figures.drainPlain)} | ${ratio(figures.drainLedger, figures.drainPlain)} |`,
    `| RSS of an idle service | ${(figures.idleRss / MiB).toFixed(1)} MiB | | |`,
  ].join("\n");
}
