/**
 * The A/B comparison (`deno task bench --baseline <rev>`): the same client against a baseline
 * revision's server and this working tree's, every figure sampled alternately from both so that
 * load from other processes hits both alike. Only the ratios within one run mean anything on a
 * shared machine.
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { startSettled } from "./settled.ts";
import { delay } from "../tests/helpers/processes.ts";
import { containmentAvailability } from "../lib/jobs/containment.ts";
import { median, percentile, waitEnded } from "./job_latency.ts";
import { bareRead, cpuMsOf, flood, timeShell } from "./flood.ts";
import { bwrapArguments, OPEN_POLICY } from "../lib/sandbox/containment_policy.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const OFF = { MCP_BG_CONTAINMENT: "off" };
const CONTAINED = { MCP_BG_CONTAINMENT: "required" };
const AUTO = { MCP_BG_CONTAINMENT: "auto" };
const MiB = 1024 * 1024;

/** How many samples each figure takes. */
export interface AbSize {
  readonly starts: number;
  readonly roundTrips: number;
  readonly visible: number;
  readonly fifty: number;
  readonly floods: number;
  readonly spawns: number;
}

/** Full and quick sample counts. */
export const AB_SIZES: Record<"full" | "quick", AbSize> = {
  full: { starts: 9, roundTrips: 1000, visible: 41, fifty: 5, floods: 5, spawns: 101 },
  quick: { starts: 3, roundTrips: 200, visible: 11, fifty: 2, floods: 2, spawns: 31 },
};

type Pair = { base: number[]; tree: number[] };
const pair = (): Pair => ({ base: [], tree: [] });

/** Runs `sample` for both sides, the order alternating from one round to the next. */
async function alternate(
  round: number,
  sample: (side: "base" | "tree") => Promise<void>,
): Promise<void> {
  const order: ("base" | "tree")[] = round % 2 === 0 ? ["base", "tree"] : ["tree", "base"];
  for (const side of order) await sample(side);
}

/** Spawn until `initialize` is answered, and until `tools/list` is too, in ms. */
async function timeToInitialize(
  entry: string,
  env: Record<string, string> = OFF,
): Promise<{ initialized: number; listed: number }> {
  const start = performance.now();
  const server = await TestServer.start({ entry, env });
  const initialized = performance.now() - start;
  await server.client.listTools();
  const listed = performance.now() - start;
  await server.close();
  return { initialized, listed };
}

/** `execute_command` of an echo until `get_job_output` shows it, in ms. */
async function outputVisibleOnce(server: TestServer, marker: string): Promise<number> {
  const start = performance.now();
  const jobId = await server.start(`echo ${marker}`);
  for (;;) {
    const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: jobId });
    if (output.stdout.includes(marker)) break;
  }
  const elapsed = performance.now() - start;
  await waitEnded(server, jobId, 2);
  return elapsed;
}

/** 50 `execute_command` calls at once on a fresh server, until `list_jobs` shows output of each. */
async function fiftyUntilOutput(
  entry: string,
  env: Record<string, string>,
): Promise<{ ms: number; cpuMs: number }> {
  await using server = await startSettled({ entry, env: { ...env, MCP_BG_MAX_JOBS: "50" } });
  const cpuBefore = cpuMsOf(server.pid);
  const start = performance.now();
  const ids = await Promise.all(
    Array.from({ length: 50 }, (_, i) => server.start(`echo job-${i}`)),
  );
  const wanted = new Set(ids);
  for (;;) {
    const { jobs } = await server.ok<{ jobs: { job_id: string; stdout_bytes: number }[] }>(
      "list_jobs",
    );
    if (jobs.filter((job) => wanted.has(job.job_id) && job.stdout_bytes > 0).length === 50) break;
    await delay(2);
  }
  const elapsed = performance.now() - start;
  const cpuMs = cpuMsOf(server.pid) - cpuBefore;
  for (const id of ids) await waitEnded(server, id, 5);
  return { ms: elapsed, cpuMs };
}

/** Spawning `argv` from this process until it exits, in ms. */
async function timeSpawn(argv: string[]): Promise<number> {
  const start = performance.now();
  const { success } = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`${argv.join(" ")} failed`);
  return performance.now() - start;
}

const ms = (value: number) => value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
const mib = (value: number) => `${(value / MiB).toFixed(1)} MiB`;
const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/**
 * Measures both servers and returns the report (a markdown table and notes). `base` is the
 * baseline's `main.ts`, named `label`.
 */
export async function abReport(
  base: string,
  label: string,
  size: AbSize,
  progress: (line: string) => void,
  /** The figure groups to measure (`init`, `trip`, `visible`, `fifty`, `drain`, `floor`); all by default. */
  only?: ReadonlySet<string>,
): Promise<string> {
  const want = (group: string) => only === undefined || only.has(group);
  const starts = pair(), startsAuto = pair(), listedAuto = pair(), trips = pair();
  const visibleOff = pair(), visibleContained = pair();
  const fiftyOff = pair(), fiftyContained = pair();
  const drains = pair(), peaks = pair(), idles = pair(), cats: number[] = [];
  const sessionCats: number[] = [], bareReads: number[] = [], bareCpu: number[] = [];
  // Server CPU time (user + system): steadier than wall time on a shared machine.
  const tripCpu = pair(), fiftyOffCpu = pair(), fiftyContainedCpu = pair(), drainCpu = pair();
  const entries = { base, tree: MAIN };
  const { available, bwrap } = containmentAvailability();

  if (want("init")) {
    progress(`A/B: initialize (${size.starts} starts each)`);
    await timeToInitialize(base); // warm Deno's caches for both
    await timeToInitialize(MAIN);
    for (let round = 0; round < size.starts; round++) {
      await alternate(round, async (side) => {
        starts[side].push((await timeToInitialize(entries[side])).initialized);
        // The default, `auto`: bubblewrap is probed then (by a baseline from before containment
        // too, `0603bd6`, the variable means nothing).
        const auto = await timeToInitialize(entries[side], AUTO);
        startsAuto[side].push(auto.initialized);
        listedAuto[side].push(auto.listed);
      });
    }
  }

  if (want("trip")) {
    progress(`A/B: get_job_status round trips (${size.roundTrips} each, alternating)`);
    {
      await using a = await startSettled({ entry: base, env: OFF });
      await using b = await startSettled({ entry: MAIN, env: OFF });
      const servers = { base: a, tree: b };
      const jobs = { base: await a.start("true"), tree: await b.start("true") };
      for (const side of ["base", "tree"] as const) {
        await waitEnded(servers[side], jobs[side], 2);
        for (let i = 0; i < 100; i++) {
          await servers[side].ok("get_job_status", { job_id: jobs[side] });
        }
      }
      const cpuBefore = { base: cpuMsOf(a.pid), tree: cpuMsOf(b.pid) };
      for (let i = 0; i < size.roundTrips; i++) {
        await alternate(i, async (side) => {
          const start = performance.now();
          await servers[side].ok("get_job_status", { job_id: jobs[side] });
          trips[side].push(performance.now() - start);
        });
      }
      for (const side of ["base", "tree"] as const) {
        const used = cpuMsOf(servers[side].pid) - cpuBefore[side];
        tripCpu[side].push(used / size.roundTrips);
      }
    }
  }

  if (want("visible")) {
    progress(`A/B: execute_command → output visible (${size.visible} each, 4 servers)`);
    {
      await using aOff = await startSettled({ entry: base, env: OFF });
      await using bOff = await startSettled({ entry: MAIN, env: OFF });
      await using aIn = available ? await startSettled({ entry: base, env: CONTAINED }) : aOff;
      await using bIn = available ? await startSettled({ entry: MAIN, env: CONTAINED }) : bOff;
      const off = { base: aOff, tree: bOff }, contained = { base: aIn, tree: bIn };
      for (let i = -3; i < size.visible; i++) {
        await alternate(i, async (side) => {
          const sample = await outputVisibleOnce(off[side], `visible-${i}`);
          if (i >= 0) visibleOff[side].push(sample);
        });
        if (!available) continue;
        await alternate(i, async (side) => {
          const sample = await outputVisibleOnce(contained[side], `visible-${i}`);
          if (i >= 0) visibleContained[side].push(sample);
        });
      }
    }
  }

  if (want("fifty")) {
    progress(`A/B: 50 jobs at once until all report output (${size.fifty} runs each, 4 servers)`);
    for (let round = 0; round < size.fifty; round++) {
      await alternate(round, async (side) => {
        const off = await fiftyUntilOutput(entries[side], OFF);
        fiftyOff[side].push(off.ms);
        fiftyOffCpu[side].push(off.cpuMs);
        if (!available) return;
        const contained = await fiftyUntilOutput(entries[side], CONTAINED);
        fiftyContained[side].push(contained.ms);
        fiftyContainedCpu[side].push(contained.cpuMs);
      });
    }
  }

  if (want("drain")) {
    progress(`A/B: 200 MB drain and 100 MB flood peak RSS (${size.floods} runs each)`);
    for (let round = 0; round < size.floods; round++) {
      await alternate(round, async (side) => {
        const drained = await flood(200_000_000, entries[side]);
        drains[side].push(drained.drainMs);
        drainCpu[side].push(drained.cpuMs);
        const small = await flood(100_000_000, entries[side]);
        peaks[side].push(small.peakRss);
        idles[side].push(small.idleRss);
      });
      cats.push(await timeShell("yes | head -c 200000000 | cat > /dev/null"));
      // A job runs in a session of its own, which the scheduler treats as a group of its own.
      sessionCats.push(
        await timeShell("setsid -w sh -c 'yes | head -c 200000000 | cat > /dev/null'"),
      );
      // The floor of any Deno reader: the job's read loop alone, in a bare process.
      const bare = await bareRead(200_000_000);
      bareReads.push(bare.ms);
      bareCpu.push(bare.cpuMs);
    }
  }

  const floor = { bwrap: [] as number[], bare: [] as number[], jobArgs: [] as number[] };
  if (bwrap !== undefined && want("floor")) {
    progress(`floor: \`bwrap --bind / / true\` against \`true\` (${size.spawns} spawns each)`);
    const jobArgs = bwrapArguments(OPEN_POLICY, { workingDir: Deno.cwd(), cwd: Deno.cwd() });
    for (let i = 0; i < size.spawns; i++) {
      floor.bare.push(await timeSpawn(["true"]));
      floor.bwrap.push(await timeSpawn([bwrap, "--bind", "/", "/", "true"]));
      floor.jobArgs.push(await timeSpawn([bwrap, ...jobArgs, "--", "true"]));
    }
  }

  const m = (samples: number[]) => median(samples);
  const row = (figure: string, p: Pair, show: (v: number) => string, goal: string) =>
    p.base.length === 0
      ? ""
      : `| ${figure} | ${show(m(p.base))} | ${show(m(p.tree))} | ${
        times(m(p.tree), m(p.base))
      } | ${goal} |`;
  const at = (p: Pair, pct: number) =>
    p.base.length === 0 ? p : { base: [percentile(p.base, pct)], tree: [percentile(p.tree, pct)] };
  const p50 = (p: Pair) => at(p, 50);
  const p99 = (p: Pair) => at(p, 99);
  const lines = [
    `| figure | ${label} | this tree | this / ${label} | goal |`,
    "| --- | --- | --- | --- | --- |",
    row("`get_job_status` round trip, p50", p50(trips), ms, "< 0.5 ms"),
    row("`get_job_status` round trip, p99", p99(trips), ms, ""),
    row("Server CPU per `get_job_status` call", tripCpu, ms, ""),
    row("`initialize` (spawn to initialized), containment off, p50", starts, ms, `≤ ${label}`),
    row("`initialize`, containment `auto` (the default), p50", startsAuto, ms, `≤ ${label}`),
    row("spawn to `tools/list` answered, containment `auto`, p50", listedAuto, ms, ""),
    row("`execute_command` → first output, uncontained, p50", visibleOff, ms, ""),
  ];
  if (available) {
    lines.push(
      row(
        "`execute_command` → first output, contained, p50",
        visibleContained,
        ms,
        "≤ uncontained + 5 ms",
      ),
      row("50 jobs at once until all report output, uncontained", fiftyOff, ms, ""),
      row(
        "50 jobs at once until all report output, contained",
        fiftyContained,
        ms,
        "≤ 1.2 × uncontained",
      ),
      row("Server CPU for those 50 jobs, uncontained", fiftyOffCpu, ms, ""),
      row("Server CPU for those 50 jobs, contained", fiftyContainedCpu, ms, ""),
    );
  } else {
    lines.push(row("50 jobs at once until all report output, uncontained", fiftyOff, ms, ""));
  }
  lines.push(
    row("Drain 200 MB until `completed`", drains, ms, "≤ 1.3 × cat"),
    row("Server CPU to drain 200 MB", drainCpu, ms, ""),
    row("Peak RSS (VmHWM) under a 100 MB flood", peaks, mib, "< 100 MiB"),
    row("RSS once initialized (after one `list_jobs`)", idles, mib, ""),
  );
  const notes: string[] = ["", `Derived, each within its side (${label} / this tree):`, ""];
  if (cats.length > 0) {
    notes.push(
      `- 200 MB drain against \`yes | head -c 200000000 | cat > /dev/null\` (${ms(m(cats))}): ` +
        `${times(m(drains.base), m(cats))} / ${times(m(drains.tree), m(cats))} (goal ≤ 1.30×).`,
      `- The same against that pipeline run in its own session (\`setsid -w\`), as a job is ` +
        `(${ms(m(sessionCats))}): ${times(m(drains.base), m(sessionCats))} / ` +
        `${times(m(drains.tree), m(sessionCats))}.`,
      `- The same pipeline in its own session read by a bare Deno process with the job's read ` +
        `loop and ring buffer (\`bench/pipe_reader.ts\`, ${ms(m(bareReads))}, its CPU ` +
        `${ms(m(bareCpu))}; the floor of a Deno reader): ${
          times(m(drains.base), m(bareReads))
        } / ` +
        `${times(m(drains.tree), m(bareReads))}; that reader against \`cat\` in its own session: ` +
        `${times(m(bareReads), m(sessionCats))}.`,
    );
  }
  if (available && visibleOff.base.length > 0 && fiftyOff.base.length > 0) {
    const added = (side: "base" | "tree") => m(visibleContained[side]) - m(visibleOff[side]);
    const ratio = (side: "base" | "tree") => m(fiftyContained[side]) / m(fiftyOff[side]);
    notes.push(
      `- Containment adds to first output: ${ms(added("base"))} / ${ms(added("tree"))} ` +
        "(goal ≤ 5 ms).",
      `- 50 jobs contained against uncontained: ${ratio("base").toFixed(2)}× / ` +
        `${ratio("tree").toFixed(2)}× (goal ≤ 1.2×).`,
    );
  }
  if (floor.bwrap.length > 0) {
    notes.push(
      `- Floor, spawned from the bench process: \`bwrap --bind / / true\` ${ms(m(floor.bwrap))}, ` +
        `\`true\` ${ms(m(floor.bare))}: bubblewrap itself adds ${
          ms(m(floor.bwrap) - m(floor.bare))
        } ` +
        "per spawn before any rule of ours; with a job's arguments (its namespaces, `/proc`, " +
        `\`/dev\`, default policy) ${ms(m(floor.jobArgs))}.`,
    );
  }
  return [...lines.filter((line) => line !== ""), ...notes].join("\n");
}
