/**
 * What the server adds to one contained spawn above bubblewrap itself: the synchronous part of
 * the contained executor's `spawn` (checks, rule paths, mount table, arguments, the spawn call)
 * against spawning bwrap with the same arguments directly, and against `bwrap --bind / / true`,
 * interleaved; and the same for a job as a server starts one by default (stdin piped, the default
 * per-process limits). `deno run -A bench/spawn_overhead.ts [rounds]`.
 *
 * @module
 */
import { defaultJobEnvironment } from "../lib/jobs/environment.ts";
import { createContainedExecutor } from "../lib/jobs/contained_executor.ts";
import { containmentAvailability } from "../lib/jobs/containment.ts";
import { createGroupSignaller } from "../lib/jobs/process_group.ts";
import { bwrapArguments, OPEN_POLICY } from "../lib/sandbox/containment_policy.ts";
import { DEFAULT_JOB_LIMITS } from "../lib/sandbox/job_limits.ts";
import { median, percentile } from "./job_latency.ts";
import { loadQuickFileChecks } from "../lib/sandbox/program_path.ts";

// As in a server once its client is answered: program lookups test files the quick way.
await loadQuickFileChecks();

const rounds = Number(Deno.args[0] ?? 200);
const { bwrap, sh, prlimit } = containmentAvailability();
if (bwrap === undefined || sh === undefined) throw new Error("no bwrap here");
const cwd = Deno.cwd();
const executor = createContainedExecutor({
  bwrap,
  sh,
  policy: OPEN_POLICY,
  workingDir: cwd,
  signaller: createGroupSignaller(),
});
// As JobManager gives every job: the server's environment, read once (environment.ts).
const env = defaultJobEnvironment();
const spec = { argv: ["true"] as const, cwd, stdin: "closed" as const, env };
const byDefault = createContainedExecutor({
  bwrap,
  sh,
  prlimit,
  policy: { ...OPEN_POLICY, limits: DEFAULT_JOB_LIMITS },
  workingDir: cwd,
  signaller: createGroupSignaller(),
});
const pipedSpec = { argv: ["true"] as const, cwd, stdin: "pipe" as const, env };

async function settle(
  child: { stdout: ReadableStream; stderr: ReadableStream; status: Promise<unknown> },
) {
  await Promise.all([child.stdout.cancel(), child.stderr.cancel(), child.status]);
}

const samples: Record<string, number[]> = {
  server: [],
  direct: [],
  floor: [],
  whole: [],
  piped: [],
  pipedWhole: [],
};
for (let i = -10; i < rounds; i++) {
  let start = performance.now();
  const spawned = executor.spawn(spec);
  const server = performance.now() - start;
  await settle(spawned);
  const whole = performance.now() - start;

  start = performance.now();
  const piped = byDefault.spawn(pipedSpec);
  const pipedMs = performance.now() - start;
  await piped.stdin!.close();
  await settle(piped);
  const pipedWhole = performance.now() - start;

  start = performance.now();
  const args = bwrapArguments(OPEN_POLICY, { workingDir: cwd, cwd });
  const direct = new Deno.Command(bwrap, {
    args: [...args, "--", "true"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const directMs = performance.now() - start;
  await settle(direct);

  start = performance.now();
  const floor = new Deno.Command(bwrap, {
    args: ["--bind", "/", "/", "true"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const floorMs = performance.now() - start;
  await settle(floor);
  if (i < 0) continue;
  samples.server!.push(server);
  samples.whole!.push(whole);
  samples.direct!.push(directMs);
  samples.floor!.push(floorMs);
  samples.piped!.push(pipedMs);
  samples.pipedWhole!.push(pipedWhole);
}
const ms = (v: number) => `${v.toFixed(2)} ms`;
// On a loaded machine the 10th percentile is the closest to the uncontended cost.
const both = (name: keyof typeof samples) =>
  `p50 ${ms(median(samples[name]!))}, p10 ${ms(percentile(samples[name]!, 10))}`;
console.log(`executor.spawn(), synchronous part: ${both("server")}`);
console.log(`bwrapArguments + Deno.Command(bwrap).spawn(): ${both("direct")}`);
console.log(`Deno.Command("bwrap --bind / / true").spawn(): ${both("floor")}`);
console.log(`executor.spawn() until bwrap exited: ${both("whole")}`);
console.log(`the same, stdin piped and the default limits, synchronous part: ${both("piped")}`);
console.log(`the same until bwrap exited: ${both("pipedWhole")}`);
