/**
 * Waiting for a job: until it ends, a line of its output matches a pattern, it listens on a TCP
 * port, a time limit passes, or the caller gives up — whichever comes first. Driven by the job's
 * change events; only the port, which has no event, is polled.
 *
 * @module
 */
import type { Job } from "./job.ts";
import { lineText, splitLines } from "../output/lines.ts";
import { listeningSockets } from "./listening.ts";
import type { LineTest } from "../output/line_pattern.ts";
import { countNewlines, NEWLINE } from "../output/newlines.ts";
import type { OutputBuffer } from "../output/output_buffer.ts";
import { orphanedPrefix, utf8SafeLength } from "../output/utf8.ts";

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

/** Tests the lines of one stream once each, remembering where the first untested line starts. */
class LineScanner {
  readonly stream: StreamName;
  readonly #buffer: OutputBuffer;
  readonly #pattern: LineTest;
  position: number;
  // No newline in [position, #searchedTo): a growing line is not read again from its start.
  #searchedTo = 0;

  constructor(stream: StreamName, buffer: OutputBuffer, pattern: LineTest, from: number) {
    this.stream = stream;
    this.#buffer = buffer;
    this.#pattern = pattern;
    this.position = Math.min(from, buffer.totalBytes);
  }

  /** Tests the complete lines not yet tested, and the trailing partial line when `partial`. */
  scan(partial: boolean): WaitMatch | null {
    if (!partial && this.#searchedTo > this.position) {
      const fresh = this.#buffer.read(this.#searchedTo);
      if (fresh.start === this.#searchedTo && !fresh.bytes.includes(NEWLINE)) {
        this.#searchedTo = fresh.end;
        return null;
      }
    }
    const range = this.#buffer.read(this.position);
    const bytes = range.bytes;
    // When the cap dropped untested output, skip to a character boundary and carry on from there.
    const at = range.start > this.position ? orphanedPrefix(bytes, 0) : 0;
    let line = this.#buffer.totalNewlines - countNewlines(bytes) + 1;
    this.position = range.start + at;
    // A character still arriving is held back, as every reader does.
    const end = this.#buffer.ended ? bytes.length : utf8SafeLength(bytes);
    for (const slice of splitLines(bytes, at, end, partial)) {
      const text = lineText(bytes.subarray(slice.start, slice.end));
      if (this.#pattern.test(text)) {
        if (slice.complete) this.position = range.start + slice.end;
        return { stream: this.stream, line, text };
      }
      if (!slice.complete) return null; // a partial line is tested again once it grows
      this.position = range.start + slice.end;
      line++;
    }
    if (!partial) this.#searchedTo = range.end;
    return null;
  }
}

/**
 * Waits on `job` as `options` say.
 *
 * @example Usage
 * ```ts
 * import { JobManager } from "./job_table.ts";
 * import { loadConfig } from "../config.ts";
 * import { waitForJob } from "./waiting.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * const job = manager.start(`sh -c "sleep 0.2; echo ready; sleep 5"`);
 * const outcome = await waitForJob(job, { pattern: /ready/, timeoutMs: 10_000 });
 * assert.equal(outcome.reason, "matched");
 * await manager.shutdown();
 * ```
 */
export function waitForJob(job: Job, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const streams = options.streams ?? ["stdout", "stderr"];
  const scanners = options.pattern === undefined
    ? []
    : streams.map((stream) =>
      new LineScanner(stream, job[stream], options.pattern!, options.cursors?.[stream] ?? 0)
    );
  const cursors = (): Record<StreamName, number> => {
    // A stream not scanned keeps the cursor it came with: passing it back misses nothing.
    const result = { stdout: options.cursors?.stdout ?? 0, stderr: options.cursors?.stderr ?? 0 };
    for (const scanner of scanners) result[scanner.stream] = scanner.position;
    return result;
  };
  return new Promise((resolve) => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    let ticker: ReturnType<typeof setInterval> | undefined;
    let portPoller: ReturnType<typeof setInterval> | undefined;
    let unsubscribe: () => void = () => {};
    let settled = false;
    const finish = (reason: WaitReason, match: WaitMatch | null = null) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      clearTimeout(quietTimer);
      clearInterval(ticker);
      clearInterval(portPoller);
      unsubscribe();
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ reason, match, cursors: cursors(), waitedMs: Date.now() - started });
    };
    const scan = (partial: boolean): boolean => {
      for (const scanner of scanners) {
        const match = scanner.scan(partial);
        if (match !== null) {
          finish("matched", match);
          return true;
        }
      }
      return false;
    };
    const check = () => {
      const ended = job.status !== "running";
      if (scan(ended)) return;
      if (ended) return finish("exited");
      clearTimeout(quietTimer);
      quietTimer = setTimeout(() => scan(true), options.partialLineQuietMs ?? 100);
    };
    const listens = (): boolean => {
      const { port } = options;
      if (port === undefined || job.status !== "running") return false;
      const sockets = listeningSockets(job.pid);
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
