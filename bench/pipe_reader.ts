/**
 * Baseline for the drain: a bare Deno process reading `yes | head -c <bytes>`, started in a session
 * of its own (`setsid`) as a job is, with the job's own read loop into a ring buffer of the
 * default cap. What any Deno reader of that pipe pays, before the server's own work. Prints
 * `{"ms": <wall>, "cpuMs": <own user + system time>, "reads": <reads that returned bytes>}`;
 * `bench/ab.ts` and `bench/run.ts` run it.
 *
 * @module
 */
import { OutputBuffer } from "../lib/output/output_buffer.ts";
import { readPipeInto } from "../lib/output/pipe_reading.ts";

/** This process's user + system time so far, in ms (every thread; 10 ms ticks). */
function cpuMs(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const bytes = Number(Deno.args[0] ?? 200_000_000);
const cpuBefore = cpuMs();
const start = performance.now();
const child = new Deno.Command("setsid", {
  args: ["sh", "-c", `yes | head -c ${bytes}`],
  stdin: "null",
  stdout: "piped",
  stderr: "null",
}).spawn();
const buffer = new OutputBuffer(10 * 1024 * 1024);
const reads = await readPipeInto(child.stdout, buffer);
await child.status;
const ms = performance.now() - start;
if (buffer.totalBytes !== bytes) throw new Error(`Read ${buffer.totalBytes} of ${bytes} bytes`);
console.log(JSON.stringify({ ms, cpuMs: cpuMs() - cpuBefore, reads }));
