/**
 * Waiting for a job: until it ends, a line of its output matches a pattern, it listens on a TCP
 * port, a time limit passes, or the caller gives up — whichever comes first. Driven by the job's
 * change events; only the port, which has no event, is polled.
 *
 * @module
 */
import type { Job } from "./job.ts";
import type { LineTest } from "../output/line_pattern.ts";
import { LineFeed } from "../output/line_feed.ts";

/** The longest wait one call may ask for, in seconds: well under the 2-minute call limit of many clients. */
export const MAX_WAIT_SECONDS = 60;

/** Which stream a line came from. */
export type StreamName = "stdout" | "stderr";

/** Why a wait ended. */
export type WaitReason = "exited" | "matched" | "listening" | "timeout" | "cancelled";

/** A line that matched. */
export interface WaitMatch {
  readonly stream: StreamName;
  /** 1-based line number in the stream, counted from the job's first byte. */
  readonly line: number;
  /** The line, without its line ending. */
  readonly text: string;
}

/** What to wait for. */
export interface WaitOptions {
  /** End when a line matches this; without it, wait for the job to end. */
  readonly pattern?: LineTest;
  /** End when the job listens on a TCP port: any (`true`) or this one. */
  readonly port?: true | number;
  /** Milliseconds between two looks for a listening port. Default 200. */
  readonly portPollMs?: number;
  /** The streams the pattern is tested on. Default both. */
  readonly streams?: readonly StreamName[];
  /** Test only lines at or after these absolute offsets; default: all held output. */
  readonly cursors?: Partial<Record<StreamName, number>>;
  readonly timeoutMs: number;
  /** Ends the wait early with reason `cancelled`. */
  readonly signal?: AbortSignal;
  /** Called every `tickMs` while waiting, with the milliseconds waited so far. */
  readonly onTick?: (elapsedMs: number) => void;
  readonly tickMs?: number;
  /** A line without a newline (a prompt) is tested once output has been quiet this long. Default 100. */
  readonly partialLineQuietMs?: number;
}

/** How a wait ended. */
export interface WaitOutcome {
  readonly reason: WaitReason;
  readonly match: WaitMatch | null;
  /** Where the scan got to per stream: past the matched line, or the start of an untested line. */
  readonly cursors: Record<StreamName, number>;
  readonly waitedMs: number;
}

/**
 * Waits on `job` as `options` say.
 *
 * @example Usage
 * ```ts
 * import { JobManager } from "./job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import { waitForJob } from "./waiting.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * await manager.ready();
 * const job = manager.start(`sh -c "sleep 0.2; echo ready; sleep 5"`);
 * const outcome = await waitForJob(job, { pattern: /ready/, timeoutMs: 10_000 });
 * assert.equal(outcome.reason, "matched");
 * await manager.shutdown();
 * ```
 */
export function waitForJob(job: Job, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const streams = options.streams ?? ["stdout", "stderr"];
  const quietMs = options.partialLineQuietMs ?? 100;
  return new Promise((resolve) => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    let ticker: ReturnType<typeof setInterval> | undefined;
    let portPoller: ReturnType<typeof setInterval> | undefined;
    let unsubscribe: () => void = () => {};
    let settled = false;
    let ended = false;
    // Lines are tested by each stream's shared feed, in later tasks; a match ends the wait.
    const readers = options.pattern === undefined ? [] : streams.map((stream) => ({
      stream,
      reader: LineFeed.of(job[stream]).read(options.pattern!, options.cursors?.[stream] ?? 0, {
        matched: (line, text) => finish("matched", { stream, line, text }),
        caughtUp: () => caughtUp(stream),
      }),
    }));
    // After the end, the streams whose last lines are still to be tested.
    const untested = new Set<StreamName>();
    const cursors = (): Record<StreamName, number> => {
      // A stream not scanned keeps the cursor it came with: passing it back misses nothing.
      const result = { stdout: options.cursors?.stdout ?? 0, stderr: options.cursors?.stderr ?? 0 };
      for (const { stream, reader } of readers) result[stream] = reader.position;
      return result;
    };
    const finish = (reason: WaitReason, match: WaitMatch | null = null) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      clearTimeout(quietTimer);
      clearInterval(ticker);
      clearInterval(portPoller);
      unsubscribe();
      for (const { reader } of readers) reader.close();
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ reason, match, cursors: cursors(), waitedMs: Date.now() - started });
    };
    const caughtUp = (stream: StreamName) => {
      if (!ended) return;
      untested.delete(stream);
      if (untested.size === 0) finish("exited");
    };
    const bytesSoFar = () => readers.reduce((sum, { stream }) => sum + job[stream].totalBytes, 0);
    // A line without a newline (a prompt) is tested once output has paused; one timer per pause,
    // not one per chunk.
    const watchForPause = () => {
      if (quietTimer !== undefined || readers.length === 0) return;
      const bytes = bytesSoFar();
      quietTimer = setTimeout(() => {
        quietTimer = undefined;
        if (bytesSoFar() !== bytes) return watchForPause();
        for (const { reader } of readers) reader.requestPartial();
      }, quietMs);
    };
    const check = () => {
      if (ended) return;
      if (job.status === "running") {
        for (const { reader } of readers) reader.request();
        return watchForPause();
      }
      ended = true;
      if (readers.length === 0) return finish("exited");
      for (const { stream, reader } of readers) {
        untested.add(stream);
        reader.requestPartial();
      }
    };
    const listens = (): boolean => {
      const { port } = options;
      if (port === undefined || job.status !== "running") return false;
      const sockets = job.listeningNow();
      if (!sockets.some((socket) => port === true || socket.port === port)) return false;
      finish("listening");
      return true;
    };
    const onAbort = () => finish("cancelled");
    if (options.signal?.aborted) return finish("cancelled");
    options.signal?.addEventListener("abort", onAbort);
    unsubscribe = job.onChange(check);
    timers.push(setTimeout(() => finish("timeout"), options.timeoutMs));
    if (options.onTick !== undefined) {
      ticker = setInterval(() => options.onTick!(Date.now() - started), options.tickMs ?? 1000);
    }
    check();
    if (settled || listens()) return;
    if (options.port !== undefined) {
      portPoller = setInterval(listens, options.portPollMs ?? 200);
    }
  });
}
