import assert from "node:assert/strict";
import { OutputFeed } from "../../lib/console/output_feed.ts";
import { JobManager } from "../../lib/jobs/job_table.ts";
import { loadConfig } from "../../lib/settings/config.ts";

const text = (chunks: ReturnType<OutputFeed["read"]>) =>
  chunks.flatMap((chunk) => chunk.runs.map((run) => run.text)).join("");

Deno.test("OutputFeed starts from the newest window and says how much it passed over", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    const job = manager.start("printf '%3000s' ''", { name: "wide" });
    await job.done;
    const spaces = job.stdout.totalBytes;
    const feed = new OutputFeed(job, { windowBytes: 1001 });
    const [chunk] = feed.read();
    assert.equal(chunk?.stream, "stdout");
    assert.equal(chunk?.skipped, spaces - 1001);
    assert.equal(text([chunk!]).length, 1001);
    assert.deepEqual(feed.read(), []);
  } finally {
    await manager.shutdown();
  }
});

Deno.test("OutputFeed never splits a character, even when it jumps ahead", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    const job = manager.start("sh -c 'for i in $(seq 500); do printf é; done'");
    await job.done;
    const feed = new OutputFeed(job, { windowBytes: 101 });
    const [chunk] = feed.read();
    const shown = text([chunk!]);
    assert.equal(shown, "é".repeat(50));
    assert.equal(chunk!.skipped, 1000 - 100);
  } finally {
    await manager.shutdown();
  }
});

Deno.test("OutputFeed sends stdout and stderr as they arrive, each once", async () => {
  const manager = new JobManager(loadConfig({}, Deno.cwd()));
  await manager.ready();
  try {
    const job = manager.start("sh -c 'echo out; echo err >&2; read x; echo \"\\033[1mbye\"'");
    const feed = new OutputFeed(job);
    const seen: string[] = [];
    while (seen.join("") !== "out\nerr\n") {
      for (const chunk of feed.read()) seen.push(`${text([chunk])}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await job.write("go\n");
    await job.done;
    assert.deepEqual(feed.read(), [
      {
        stream: "stdout",
        runs: [{ text: "bye\n", bold: true }],
        skipped: 0,
      },
    ]);
  } finally {
    await manager.shutdown();
  }
});
