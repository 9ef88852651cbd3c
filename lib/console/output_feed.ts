/**
 * Following one job's output for the console: a cursor per stream into the job's ring buffers, so a
 * slow page never makes the server hold more than the job already keeps.
 *
 * @module
 */
import type { Job } from "../jobs/job.ts";
import type { OutputBuffer } from "../output/output_buffer.ts";
import { orphanedPrefix } from "../output/utf8.ts";
import { AnsiStyler, type StyledRun } from "./ansi.ts";

/** New output of one stream, as the page receives it. */
export interface OutputChunk {
  readonly stream: "stdout" | "stderr";
  readonly runs: StyledRun[];
  /** Bytes passed over before these runs (dropped by the job's cap, or too far behind to send). */
  readonly skipped: number;
  /** A tty job's output as the terminal received it (escapes kept), for a terminal renderer. */
  readonly terminal?: { readonly text: string; readonly cols: number; readonly rows: number };
}

/** How much a feed sends at once. */
export interface OutputFeedOptions {
  /** The most recent bytes of each stream sent first, and the most sent in one read. Default 64 KiB. */
  readonly windowBytes?: number;
}

const DEFAULT_WINDOW_BYTES = 64 * 1024;

class StreamCursor {
  readonly #styler = new AnsiStyler();
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  // From the stream's start: the first read jumps to the newest window and counts what it passed.
  #position = 0;

  constructor(readonly name: "stdout" | "stderr", readonly buffer: OutputBuffer) {}

  read(window: number, final: boolean, job: Job): OutputChunk | undefined {
    const total = this.buffer.totalBytes;
    // Further behind than one window: jump to the newest window rather than copy the backlog.
    const from = Math.max(this.#position, total - window);
    const range = this.buffer.read(from);
    // Starting after a jump, the first bytes may be the tail of a character.
    const skip = range.start > this.#position ? orphanedPrefix(range.bytes, 0) : 0;
    const skipped = range.start + skip - this.#position;
    this.#position = range.end;
    const text = this.#decoder.decode(range.bytes.subarray(skip), { stream: !final });
    const runs = this.#styler.push(text);
    if (final) runs.push(...this.#styler.flush());
    if (runs.length === 0 && skipped === 0 && (job.screen === null || text === "")) {
      return undefined;
    }
    if (job.screen === null) return { stream: this.name, runs, skipped };
    return { stream: this.name, runs, skipped, terminal: { text, ...job.screen.size } };
  }
}

/**
 * Reads what a job wrote since the last call: first the newest window of each stream, then only
 * what is new.
 *
 * @example Usage
 * ```ts
 * import { OutputFeed } from "./output_feed.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * await manager.ready();
 * const job = manager.start("echo hello");
 * await job.done;
 * const feed = new OutputFeed(job);
 * assert.deepEqual(feed.read(), [{ stream: "stdout", runs: [{ text: "hello\n" }], skipped: 0 }]);
 * assert.deepEqual(feed.read(), []);
 * await manager.shutdown();
 * ```
 */
export class OutputFeed {
  readonly #job: Job;
  readonly #window: number;
  readonly #cursors: StreamCursor[];
  #finished = false;

  /** Starts following `job` from the newest window of each stream. */
  constructor(job: Job, options: OutputFeedOptions = {}) {
    this.#job = job;
    this.#window = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    this.#cursors = [
      new StreamCursor("stdout", job.stdout),
      new StreamCursor("stderr", job.stderr),
    ];
  }

  /** Output since the last call, stdout first; once the job has ended, its last bytes too. */
  read(): OutputChunk[] {
    if (this.#finished) return [];
    const final = this.#job.status !== "running";
    const chunks = this.#cursors.map((cursor) => cursor.read(this.#window, final, this.#job));
    this.#finished = final;
    return chunks.filter((chunk) => chunk !== undefined);
  }
}
