/**
 * Baseline for the server's RSS growth: a bare Deno process spawning the same short jobs
 * (`echo`, stdio piped and read to the end) one after another and keeping nothing. Prints
 * `{"before": <bytes>, "after": <bytes>}`; `bench/run.ts` runs it.
 *
 * @module
 */
const count = Number(Deno.args[0] ?? 1000);

function rss(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

async function runOnce(): Promise<void> {
  const child = new Deno.Command("echo", {
    args: ["short"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  await child.stdin.close();
  await Promise.all([new Response(child.stdout).arrayBuffer(), new Response(child.stderr).text()]);
  await child.status;
}

for (let i = 0; i < 20; i++) await runOnce();
const before = rss();
for (let i = 0; i < count; i++) await runOnce();
await new Promise((resolve) => setTimeout(resolve, 1000));
console.log(JSON.stringify({ before, after: rss() }));
