/**
 * `deno task bench`: the server measured as a real MCP client sees it (stdio, SDK client), side by
 * side with baselines run in this same process. Prints a markdown table; with `--write` it also
 * rewrites the results section of BENCHMARKS.md and the chart in docs/drain.svg.
 *
 *   deno task bench              # print the table
 *   deno task bench --write      # and regenerate BENCHMARKS.md's results and docs/drain.svg
 *   deno task bench --quick      # fewer runs, for a fast look
 *   deno task bench --cold-only  # only the cold starts (e.g. --runs 15)
 *   deno task bench --containment  # only contained vs MCP_BG_CONTAINMENT=off
 *   deno task bench --service    # only service mode: front vs direct, starts, ledger, idle RSS
 *   deno task bench --drain-only # only the 200 MB drain against its baselines (e.g. --runs 5)
 *   deno task bench --drain-only --compare <main.ts of another checkout>  # and that server's,
 *                                # interleaved: did a change slow the drain down?
 *   deno task bench --soak       # only the soak: thousands of jobs, sessions and waiters
 *   deno task bench --baseline <rev>  # only the A/B table: <rev> (checked out with git worktree
 *                                     # into a temporary directory) against this working tree
 *   deno task bench --baseline <rev> --figures trip,init  # only some of its figures (init, trip,
 *                                     # visible, fifty, drain, floor)
 *   deno task bench --terminal     # only terminal jobs: drain tty vs pipe, keys → screen, RSS
 *   deno task bench --waiters-only  # only other calls during a flood with 0, 20 and 100 waiters
 *                                   # (with --compare, that checkout's server too: before/after)
 *
 * @module
 */
import { startSettled } from "./settled.ts";
import { soakLimits } from "./soak_limits.ts";
import { parseArgs } from "node:util";
import type { TestServer } from "../tests/helpers/mcp_client.ts";
import { delay, memoryOf } from "../tests/helpers/processes.ts";
import { renderDrainChart } from "./chart.ts";
import { soak, soakReport, type SoakSize } from "./soak.ts";
import {
  clientCommandStarts,
  type FirstStart,
  firstStartOfBundle,
  firstStartOfCheckout,
} from "./first_start.ts";
import { FLOOD_LINES, type WaiterRun, waiterRuns } from "./waiters.ts";
import { fiftyJobs, median, outputVisible, percentile, waitEnded } from "./job_latency.ts";
import { containmentRows } from "./containment_overhead.ts";
import { bareRead, type Flood, flood, timeShell } from "./flood.ts";
import { AB_SIZES, abReport } from "./ab.ts";
import { checkoutBaseline } from "./baseline_checkout.ts";
import { serviceFigures, serviceReport } from "./service_bench.ts";
import { terminalRows } from "./terminal_jobs.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const MINIMAL = `${ROOT}bench/minimal_server.ts`;
const MiB = 1024 * 1024;

const { values } = parseArgs({
  args: Deno.args.filter((arg) => arg !== "--"),
  options: {
    write: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    "cold-only": { type: "boolean", default: false },
    "drain-only": { type: "boolean", default: false },
    compare: { type: "string" },
    baseline: { type: "string" },
    figures: { type: "string" },

    soak: { type: "boolean", default: false },
    "waiters-only": { type: "boolean", default: false },
    containment: { type: "boolean", default: false },
    service: { type: "boolean", default: false },
    terminal: { type: "boolean", default: false },
  },
  strict: true,
});
const quick = values.quick;
const RUNS = Number(values.runs ?? (quick ? 3 : 7));
const ROUND_TRIPS = quick ? 100 : 500;
const CHART_SIZES_MB = quick ? [10, 50] : [10, 50, 200, 400];

// ---------------------------------------------------------------------------------------------
// Small statistics and process helpers

function startServer(entry: string, env: Record<string, string> = {}): Promise<TestServer> {
  return startSettled({ entry, env });
}

function progress(line: string): void {
  console.error(`[bench] ${line}`);
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** Spawn to completed `initialize`, per entry point; runs interleaved so load hits all alike. */
async function coldStarts(entries: Record<string, string>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(entries)) samples[name] = [];
  for (let run = -1; run < RUNS; run++) {
    for (const [name, entry] of Object.entries(entries)) {
      const start = performance.now();
      const server = await startServer(entry);
      const elapsed = performance.now() - start;
      await server.close();
      if (run >= 0) samples[name]!.push(elapsed); // run -1 warms Deno's caches
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

async function roundTrip(server: TestServer): Promise<{ p50: number; p99: number }> {
  const jobId = await server.start("true");
  await waitEnded(server, jobId, 5);
  for (let i = 0; i < 50; i++) await server.ok("get_job_status", { job_id: jobId });
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const start = performance.now();
    await server.ok("get_job_status", { job_id: jobId });
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** The job's delay before it prints what a plain `wait_for_job` waits for. */
const PLAIN_WAIT_DELAY_MS = 100;

/**
 * A plain (not task) `wait_for_job` on a line printed after {@linkcode PLAIN_WAIT_DELAY_MS}: the
 * tool supports tasks, and the SDK's own answer to a plain call would poll every second.
 */
async function plainWait(server: TestServer): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < (quick ? 5 : 11); i++) {
    const jobId = await server.start(`sh -c "sleep ${PLAIN_WAIT_DELAY_MS / 1000}; echo ready"`);
    const start = performance.now();
    await server.ok("wait_for_job", { job_id: jobId, pattern: "^ready" });
    samples.push(performance.now() - start);
    await waitEnded(server, jobId, 5);
  }
  return median(samples);
}

interface DrainComparison {
  readonly server: number;
  readonly cat: number;
  readonly direct: number;
  /** A bare Deno process with the job's read loop (`bench/pipe_reader.ts`). */
  readonly bare: number;
  /** The server at `compare`, when given. */
  readonly other?: number;
}

/**
 * Server drain vs `cat > /dev/null` vs the pipeline writing straight to /dev/null (and vs another
 * checkout's server, `compare`), interleaved.
 */
async function drainComparison(
  bytes: number,
  runs: number,
  compare?: string,
): Promise<DrainComparison> {
  const server: number[] = [], cat: number[] = [], direct: number[] = [], other: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run++) {
    server.push((await flood(bytes)).drainMs);
    if (compare !== undefined) other.push((await flood(bytes, compare)).drainMs);
    cat.push(await timeShell(`yes | head -c ${bytes} | cat > /dev/null`));
    direct.push(await timeShell(`yes | head -c ${bytes} > /dev/null`));
    bare.push((await bareRead(bytes)).ms);
  }
  return {
    server: median(server),
    cat: median(cat),
    direct: median(direct),
    bare: median(bare),
    ...(compare === undefined ? {} : { other: median(other) }),
  };
}

interface Growth {
  readonly before: number;
  /** Right after the first batch, finished jobs still kept. */
  readonly kept: number;
  /** After cleanup dropped the first batch. */
  readonly first: number;
  /** After a second batch was run and dropped: what is left is what a batch leaks. */
  readonly second: number;
  /** A bare Deno process spawning the same jobs: the runtime's own growth. */
  readonly bare: number;
}

/** RSS over two batches of `count` sequential short jobs, each measured after cleanup. */
async function jobGrowth(count: number): Promise<Growth> {
  await using server = await startServer(MAIN, { MCP_BG_CLEANUP_INTERVAL: "10" });
  const runJob = async () => await waitEnded(server, await server.start("echo short"), 1);
  const batch = async (label: string) => {
    for (let i = 0; i < count; i++) {
      await runJob();
      if ((i + 1) % 250 === 0) progress(`  ${label}: ${i + 1} jobs`);
    }
  };
  const settled = async () => {
    await delay(11_000); // cleanup drops finished jobs after 10 s
    // A few calls give the server's event loop work, so V8 gets a chance to collect.
    for (let i = 0; i < 20; i++) await server.ok("list_jobs");
    await delay(1_000);
    return memoryOf(server.pid).rss;
  };
  for (let i = 0; i < 20; i++) await runJob();
  const before = await settled();
  await batch("first batch");
  const kept = memoryOf(server.pid).rss;
  const first = await settled();
  await batch("second batch");
  const second = await settled();
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}bench/spawn_baseline.ts`, String(count)],
    stdout: "piped",
  }).output();
  const bareRss = JSON.parse(new TextDecoder().decode(stdout));
  return { before, kept, first, second, bare: bareRss.after - bareRss.before };
}

async function bundle(entry: string, out: string): Promise<void> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "deno", entry, "-o", out],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`deno bundle ${entry} failed: ${new TextDecoder().decode(stderr)}`);
}

// ---------------------------------------------------------------------------------------------
// Machine description and report

async function shellText(script: string): Promise<string> {
  const { stdout } = await new Deno.Command("sh", { args: ["-c", script], stdout: "piped" })
    .output();
  return new TextDecoder().decode(stdout).trim();
}

async function machine(): Promise<string[]> {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown";
  const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(Deno.readTextFileSync("/proc/meminfo"))![1]);
  return [
    `- CPU: ${navigator.hardwareConcurrency} × ${model}`,
    `- Memory: ${(memTotal / 1024 / 1024).toFixed(1)} GiB`,
    `- Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), ${Deno.build.target}`,
    `- Load when the run began: \`${await shellText("uptime")}\``,
  ];
}

const ms = (value: number) => value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
const mib = (value: number) => `${(value / MiB).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Runs `measure`; `undefined` when it failed for want of the network (printed as n/a). */
async function offlineAsUndefined<T>(measure: () => Promise<T>): Promise<T | undefined> {
  try {
    return await measure();
  } catch (error) {
    progress(`  skipped: ${error instanceof Error ? error.message : error}`);
    return undefined;
  }
}

/** The rows for starts as a new user meets them, next to the warm starts measured above. */
function firstStartRows(
  cold: Record<string, number>,
  checkout: FirstStart | undefined,
  bundled: FirstStart | undefined,
  client: { deno: number; npx: number | undefined },
): [string, string, string, string][] {
  const first = (start: FirstStart | undefined) => start === undefined ? "n/a" : ms(start.ms);
  return [
    [
      "First start from an empty Deno cache: checkout `main.ts`",
      first(checkout),
      checkout === undefined
        ? "needs the npm registry"
        : `${ratio(checkout.ms, cold.main!)} its warm start; installs ${checkout.packages} npm ` +
          `packages, ${mib(checkout.bytes)} on disk`,
      "",
    ],
    [
      "First start from an empty Deno cache: bundle",
      first(bundled),
      bundled === undefined
        ? ""
        : `${ratio(bundled.ms, cold.bundle!)} its warm start; installs nothing`,
      "",
    ],
    [
      "Client command `npx -y deno@<version> run -A main.ts`, each start",
      client.npx === undefined ? "n/a (no npx)" : ms(client.npx),
      client.npx === undefined
        ? ""
        : `${ratio(client.npx, client.deno)} \`deno run -A main.ts\` (${
          ms(client.deno)
        }); npx cache warm`,
      "",
    ],
  ];
}

const SOAK: SoakSize = quick
  ? { jobs: 500, sessions: 500, waiters: 100, concurrency: 20 }
  : { jobs: 3000, sessions: 3000, waiters: 1000, concurrency: 20 };

/** Runs the soak, prints it, and with `--write` puts it in BENCHMARKS.md's soak section. */
async function soakSection(): Promise<void> {
  const report = soakReport(await soak(SOAK, progress));
  // Contained jobs that run into MCP_BG_JOB_LIMITS: reported as such, nothing left behind.
  await soakLimits(quick ? 6 : 30, progress);
  const text = `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${
    quick ? " (quick mode: a smaller soak)" : ""
  }.\n\n${report}`;
  console.log(text);
  if (values.write) {
    await writeSection(`${ROOT}BENCHMARKS.md`, "soak", text);
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "BENCHMARKS.md"],
      cwd: ROOT,
    }).output();
    progress("wrote the soak to BENCHMARKS.md");
  }
}

/** Rows for other calls during a flood with waiters, against the same flood without any. */
function waiterRows(runs: WaiterRun[]): [string, string, string, string][] {
  const [none, ...withWaiters] = runs;
  return withWaiters.map((run) => [
    `Longest \`get_job_status\` while ${run.waiters} \`wait_for_job\` calls scan a ${
      FLOOD_LINES.toLocaleString("en")
    }-line flood`,
    ms(run.longestCallMs),
    `${ratio(run.longestCallMs, none!.longestCallMs)} the same flood with no waiter (${
      ms(none!.longestCallMs)
    }); all ${run.waiters} matched the last line ${ms(run.allMatchedMs)} after the flood began`,
    "< 250 ms",
  ]);
}

/** Service mode's figures; with `--write`, into BENCHMARKS.md's "service" section. */
async function serviceSection(): Promise<void> {
  const runs = Number(values.runs ?? (quick ? 3 : 5));
  const figures = await serviceFigures({ runs, trips: ROUND_TRIPS, progress });
  const text = serviceReport(figures, runs);
  console.log(text);
  if (values.write) {
    await writeSection(`${ROOT}BENCHMARKS.md`, "service", text);
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "BENCHMARKS.md"],
      cwd: ROOT,
    }).output();
    progress("wrote the service figures to BENCHMARKS.md");
  }
}

/** The A/B table of `--baseline <rev>`; with `--write`, into BENCHMARKS.md's "ab" section. */
async function abSection(rev: string): Promise<void> {
  progress(`checking out ${rev} beside the working tree`);
  await using baseline = await checkoutBaseline(rev);
  const label = `\`${rev}\``;
  const machineLines = await machine();
  const started = new Date();
  const only = values.figures === undefined ? undefined : new Set(values.figures.split(","));
  const size = AB_SIZES[quick ? "quick" : "full"];
  const table = await abReport(baseline.entry, label, size, progress, only);
  const text = [
    `Run on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC${
      quick ? " (quick mode: fewer samples)" : ""
    }: ${label} (${baseline.commit.slice(0, 10)}) against this working tree, samples alternating.`,
    "",
    ...machineLines,
    "",
    table,
  ].join("\n");
  console.log(text);
  if (values.write) {
    await writeSection(`${ROOT}BENCHMARKS.md`, "ab", text);
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "BENCHMARKS.md"],
      cwd: ROOT,
    }).output();
    progress("wrote the A/B table to BENCHMARKS.md");
  }
}

async function main(): Promise<void> {
  if (values.baseline !== undefined) return await abSection(values.baseline);
  if (values["drain-only"]) {
    progress(`200 MB drain vs baselines (${RUNS} runs)`);
    const drain = await drainComparison(200_000_000, RUNS, values.compare);
    console.log(`server: ${ms(drain.server)}`);
    if (drain.other !== undefined) {
      console.log(
        `${values.compare}: ${ms(drain.other)} (server ${ratio(drain.server, drain.other)})`,
      );
    }
    console.log(`| cat > /dev/null: ${ms(drain.cat)} (server ${ratio(drain.server, drain.cat)})`);
    console.log(`> /dev/null: ${ms(drain.direct)} (server ${ratio(drain.server, drain.direct)})`);
    console.log(
      `bare Deno reader (bench/pipe_reader.ts): ${ms(drain.bare)} (server ${
        ratio(drain.server, drain.bare)
      }, reader ${ratio(drain.bare, drain.cat)} cat)`,
    );
    return;
  }

  if (values.soak) return await soakSection();
  if (values.service) return await serviceSection();
  if (values.terminal) return await terminalSection();
  if (values.containment) {
    for (const row of await containmentRows(quick)) console.log(row.join(" | "));
    return;
  }
  const started = new Date();
  if (values["waiters-only"]) {
    for (const entry of [MAIN, ...(values.compare === undefined ? [] : [values.compare])]) {
      console.log(entry === MAIN ? "this checkout:" : `${entry}:`);
      for (const row of waiterRows(await waiterRuns(entry))) {
        console.log(`${row[0]}: ${row[1]} (${row[2]})`);
      }
    }
    return;
  }
  const machineLines = await machine();
  const tmp = await Deno.makeTempDir({ prefix: "mcp-bg-bench-" });
  try {
    progress("bundling main.ts and the minimal server");
    const bundleMain = `${tmp}/server.bundle.js`;
    const bundleMinimal = `${tmp}/minimal.bundle.js`;
    await bundle(MAIN, bundleMain);
    await bundle(MINIMAL, bundleMinimal);

    progress(`cold starts (${RUNS} runs each, interleaved)`);
    const cold = await coldStarts({
      main: MAIN,
      minimal: MINIMAL,
      bundle: bundleMain,
      minimalBundle: bundleMinimal,
    });

    progress("first starts from an empty Deno cache (downloads from the npm registry)");
    const firstCheckout = await offlineAsUndefined(firstStartOfCheckout);
    const firstBundle = await offlineAsUndefined(() => firstStartOfBundle(bundleMain));
    progress("client command lines from another directory: deno and npx");
    const client = await clientCommandStarts(quick ? 2 : 5);
    const startRows = firstStartRows(cold, firstCheckout, firstBundle, client);

    if (values["cold-only"]) {
      for (const [name, value] of Object.entries(cold)) console.log(`${name}: ${ms(value)}`);
      for (const row of startRows) console.log(`${row[0]}: ${row[1]} (${row[2]})`);
      return;
    }

    progress(`round trip (${ROUND_TRIPS} calls) and output visibility`);
    let trip: { p50: number; p99: number };
    let visible: number;
    let waited: number;
    {
      await using server = await startServer(MAIN);
      trip = await roundTrip(server);
      visible = median(await outputVisible(server, quick ? 5 : 21));
      waited = await plainWait(server);
    }

    progress("50 jobs at once");
    const fifty = median(await fiftyJobs({}, quick ? 1 : 3));

    progress("containment: contained vs off, interleaved");
    const contained = await containmentRows(quick);

    progress(`other calls during a ${FLOOD_LINES}-line flood with 0, 20 and 100 waiters`);
    const waiters = waiterRows(await waiterRuns(MAIN));

    const drainRuns = quick ? 1 : 5;
    progress(`200 MB drain vs baselines (${drainRuns} runs)`);
    const drain = await drainComparison(200_000_000, drainRuns);

    progress("flood sizes for the chart");
    const chart: { mb: number; drainMs: number; catMs: number; peakRss: number }[] = [];
    for (const mb of CHART_SIZES_MB) {
      const bytes = mb * 1_000_000;
      const floods: Flood[] = [], cats: number[] = [];
      for (let run = 0; run < 3; run++) {
        floods.push(await flood(bytes));
        cats.push(await timeShell(`yes | head -c ${bytes} | cat > /dev/null`));
      }
      const catMs = median(cats);
      chart.push({
        mb,
        drainMs: median(floods.map((f) => f.drainMs)),
        catMs,
        peakRss: Math.max(...floods.map((f) => f.peakRss)),
      });
      progress(`  ${mb} MB: ${ms(chart.at(-1)!.drainMs)}, peak ${mib(chart.at(-1)!.peakRss)}`);
    }
    const biggest = chart.find((point) => point.mb === 400) ?? chart.at(-1)!;

    const jobs = quick ? 200 : 1000;
    progress(`RSS over 2 × ${jobs} sequential jobs (takes a while: 11 s cleanup waits)`);
    const growth = await jobGrowth(jobs);

    const rows: [string, string, string, string][] = [
      [
        "Cold start to `initialize`: `main.ts`",
        ms(cold.main!),
        `${ratio(cold.main!, cold.minimal!)} the minimal SDK server (${ms(cold.minimal!)})`,
        "≤ 1.3×",
      ],
      [
        "Cold start to `initialize`: bundle",
        ms(cold.bundle!),
        `${ratio(cold.bundle!, cold.minimalBundle!)} the minimal server bundled (${
          ms(cold.minimalBundle!)
        })`,
        "≤ 1.3×, well under 150 ms",
      ],
      ...startRows,
      ["Tool call round trip `get_job_status`, p50", ms(trip.p50), "", "< 1 ms"],
      ["Tool call round trip `get_job_status`, p99", ms(trip.p99), "", ""],
      ["`execute_command` until `get_job_output` shows the echo", ms(visible), "", ""],
      [
        `Plain \`wait_for_job\` (a task-capable tool) on a line printed after ${PLAIN_WAIT_DELAY_MS} ms`,
        ms(waited),
        `${ratio(waited, PLAIN_WAIT_DELAY_MS)} the job's own ${PLAIN_WAIT_DELAY_MS} ms`,
        "< 2× (the SDK's task polling would make it ~10×)",
      ],
      ["50 jobs started at once until all ended", ms(fifty), "", ""],
      ...waiters,
      ...contained,
      [
        "Drain 200 MB flood until `completed`",
        ms(drain.server),
        `${ratio(drain.server, drain.cat)} \`| cat > /dev/null\` (${ms(drain.cat)}); ${
          ratio(drain.server, drain.direct)
        } \`> /dev/null\` (${ms(drain.direct)})`,
        "≤ 1.3× cat",
      ],
      [
        `Peak RSS during a ${biggest.mb} MB flood (10 MB cap)`,
        mib(biggest.peakRss),
        "",
        "< 100 MiB",
      ],
      [
        `RSS growth over ${jobs} sequential jobs, after cleanup dropped them`,
        mib(growth.first - growth.before),
        `${mib(growth.before)} → ${
          mib(growth.first)
        }; a bare Deno process spawning the same ${jobs} jobs grows ${mib(growth.bare)}; ${
          mib(growth.kept - growth.before)
        } right after the jobs, while they are still kept`,
        "< 20 MiB",
      ],
      [
        `RSS growth over the next ${jobs} jobs, after cleanup`,
        mib(growth.second - growth.first),
        "the same server, after the batch above: memory reused, not leaked",
        "",
      ],
    ];
    const table = [
      "| measurement | result | compared with | target |",
      "| --- | --- | --- | --- |",
      // A "|" inside a cell (even in code) must be escaped or it splits the cell.
      ...rows.map((row) => `| ${row.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`),
    ];
    const floods = [
      "| flood | drain | `cat > /dev/null` baseline | ratio | peak RSS |",
      "| --- | --- | --- | --- | --- |",
      ...chart.map((p) =>
        `| ${p.mb} MB | ${ms(p.drainMs)} | ${ms(p.catMs)} | ${ratio(p.drainMs, p.catMs)} | ${
          mib(p.peakRss)
        } |`
      ),
    ];
    const results = [
      `Run on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC${
        quick ? " (quick mode: fewer runs)" : ""
      }. Medians of ${RUNS} cold starts, ${drainRuns} drains.`,
      "",
      ...machineLines,
      "",
      ...table,
      "",
      "Drain time and peak RSS against flood size (median of 3 floods each; peak is the highest):",
      "",
      ...floods,
    ].join("\n");
    console.log(results);

    if (values.write) {
      const svg = renderDrainChart(chart.map((p) => ({
        sizeMb: p.mb,
        drainMs: p.drainMs,
        baselineMs: p.catMs,
        peakMiB: p.peakRss / MiB,
      })));
      await Deno.mkdir(`${ROOT}docs`, { recursive: true });
      await Deno.writeTextFile(`${ROOT}docs/drain.svg`, svg);
      await writeResults(`${ROOT}BENCHMARKS.md`, results);
      // Keep `deno fmt --check` clean: it reflows the markdown tables and the SVG.
      await new Deno.Command(Deno.execPath(), {
        args: ["fmt", "--quiet", "BENCHMARKS.md", "docs/drain.svg"],
        cwd: ROOT,
      }).output();
      progress("wrote BENCHMARKS.md and docs/drain.svg");
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  if (!values["cold-only"]) {
    await soakSection();
    await terminalSection();
  }
}

/** Measures terminal jobs, prints them, and with `--write` puts them in the "terminal" section. */
async function terminalSection(): Promise<void> {
  progress("terminal jobs: start-up, drain tty vs pipe, keys → screen, 20 × top");
  const rows = await terminalRows(quick);
  const text = [
    `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${
      quick ? " (quick mode)" : ""
    }.`,
    "",
    "| measurement | result | compared with |",
    "| --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
  console.log(text);
  if (values.write) {
    await writeSection(`${ROOT}BENCHMARKS.md`, "terminal", text);
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "BENCHMARKS.md"],
      cwd: ROOT,
    }).output();
    progress("wrote terminal jobs to BENCHMARKS.md");
  }
}

/** Replaces the generated results section of BENCHMARKS.md. */
function writeResults(path: string, results: string): Promise<void> {
  return writeSection(path, "results", results);
}

/**
 * Replaces the generated section `name` of BENCHMARKS.md (between `<!-- bench:<name>:begin -->`
 * and its end marker), keeping the hand-written text around it.
 */
async function writeSection(path: string, name: string, results: string): Promise<void> {
  const BEGIN = `<!-- bench:${name}:begin -->`;
  const END = `<!-- bench:${name}:end -->`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    text = `# Benchmarks\n`;
  }
  if (!text.includes(BEGIN)) text = `${text.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const begin = text.indexOf(BEGIN), end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${path} lacks the ${BEGIN} … ${END} markers`);
  await Deno.writeTextFile(
    path,
    `${text.slice(0, begin + BEGIN.length)}\n${results}\n${text.slice(end)}`,
  );
}

if (import.meta.main) await main();
