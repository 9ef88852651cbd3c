/**
 * Writing to a job and collecting its answer: what it printed after the write, once its output
 * has gone quiet for a moment, it ended, or an upper bound passed.
 *
 * @module
 */
import type { Job } from "./job.ts";
import { ToolError } from "../errors.ts";
import { raceTimeout } from "../timers.ts";

/** How long to wait for the answer to an input. */
export interface InteractionTiming {
  /** The answer is complete once no output arrived for this long. Default 200 ms. */
  readonly quietMs?: number;
  /** Give up waiting for a first byte after this long. Default 2000 ms. */
  readonly firstOutputMs?: number;
  /** Never wait longer than this in all. Default 10000 ms. */
  readonly maxWaitMs?: number;
}

/** Where a job's answer lies: each stream's output from these absolute offsets on. */
export interface Answer {
  readonly stdoutFrom: number;
  readonly stderrFrom: number;
  /** Whether anything arrived on either stream after the write. */
  readonly anyOutput: boolean;
}

/**
 * Writes `input` (newline added when missing, unless `timing.verbatim`) to `job` and waits for
 * its answer: what it printed afterwards, once its output has gone quiet, it ended, or a bound
 * passed. A terminal job's screen has caught up with that output when this resolves.
 */
export async function interact(
  job: Job,
  input: string,
  timing: InteractionTiming & { readonly verbatim?: boolean } = {},
): Promise<Answer> {
  const stdoutFrom = job.stdout.totalBytes;
  const stderrFrom = job.stderr.totalBytes;
  const maxWaitMs = timing.maxWaitMs ?? 10_000;
  const startedAt = Date.now();
  const text = timing.verbatim || input.endsWith("\n") ? input : `${input}\n`;
  if (text !== "") await writeWithin(job, text, maxWaitMs);
  await settle(
    job,
    () => job.stdout.totalBytes + job.stderr.totalBytes > stdoutFrom + stderrFrom,
    { ...timing, maxWaitMs: Math.max(0, maxWaitMs - (Date.now() - startedAt)) },
  );
  await job.screen?.settled();
  return {
    stdoutFrom,
    stderrFrom,
    anyOutput: job.stdout.totalBytes + job.stderr.totalBytes > stdoutFrom + stderrFrom,
  };
}

/**
 * Writes `text`, but gives up waiting after `ms`: a job that does not read its stdin fills the
 * pipe and the write would otherwise never finish, hanging the call. The rest stays queued.
 */
async function writeWithin(job: Job, text: string, ms: number): Promise<void> {
  const written = job.write(text);
  if (await raceTimeout(written, ms, "blocked") === "blocked") {
    // The queued write fails later if the job ends without reading it; nobody awaits that.
    written.catch(() => {});
    throw new ToolError(
      `Job ${job.id} did not read its input within ${ms} ms; the rest stays queued for it`,
    );
  }
}

/** Resolves when output went quiet after some arrived, the job ended, or a bound passed. */
function settle(job: Job, anyOutput: () => boolean, timing: InteractionTiming): Promise<void> {
  const quietMs = timing.quietMs ?? 200;
  const firstOutputMs = timing.firstOutputMs ?? 2000;
  const maxWaitMs = timing.maxWaitMs ?? 10_000;
  return new Promise((resolve) => {
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      clearTimeout(quietTimer);
      clearTimeout(firstTimer);
      clearTimeout(maxTimer);
      unsubscribe();
      resolve();
    };
    const restartQuiet = () => {
      clearTimeout(quietTimer);
      quietTimer = setTimeout(finish, quietMs);
    };
    const unsubscribe = job.onChange(() => {
      if (job.status !== "running") restartQuiet(); // let the last bytes drain, then answer
      else if (anyOutput()) restartQuiet();
    });
    const firstTimer = setTimeout(() => {
      if (!anyOutput()) finish();
    }, firstOutputMs);
    const maxTimer = setTimeout(finish, maxWaitMs);
    if (anyOutput() || job.status !== "running") restartQuiet();
  });
}
