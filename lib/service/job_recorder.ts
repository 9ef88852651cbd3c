/**
 * Copies one job's output from its buffers to its ledger folder as it arrives, and its record at
 * start and end. Output is read from the buffers by absolute offset, so a slow disk costs nothing
 * but what scrolled out of the buffer before it was written (the files then show a gap, and the
 * newest bytes win).
 *
 * @module
 */
import type { Job } from "../jobs/job.ts";
import type { OutputBuffer } from "../output/output_buffer.ts";
import type { Logger } from "../logger.ts";
import { segmentSize, StreamWriter } from "./ledger_stream.ts";
import { recordOf } from "./ledger_record.ts";
import { writePrivateFile } from "./private_dir.ts";

// One write takes at most this much from a buffer: a long backlog is copied in slices.
const WRITE_SLICE = 1 << 20;

/** The record file's name in a job's folder. */
export const RECORD_FILE = "record.json";

/** Writes one job to its folder in the ledger until it has ended. */
export class JobRecorder {
  readonly #job: Job;
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #streams: { buffer: OutputBuffer; writer: StreamWriter; written: number }[];
  #draining: Promise<void> | undefined;
  #again = false;
  #failed = false;
  /** Resolves once the job has ended and everything it printed is on disk (or failed to be). */
  readonly finished: Promise<void>;

  /** Starts recording `job` into `dir` (made by the caller), keeping `limit` bytes per stream. */
  constructor(job: Job, dir: string, options: { limit: number; logger: Logger }) {
    this.#job = job;
    this.#dir = dir;
    this.#logger = options.logger;
    this.#streams = (["stdout", "stderr"] as const).map((name) => ({
      buffer: job[name],
      writer: new StreamWriter(dir, name, options.limit),
      written: 0,
    }));
    this.#writeRecord();
    const stop = job.onChange(() => this.#kick());
    this.finished = job.done.then(async () => {
      stop();
      this.#kick();
      await this.#draining;
      for (const stream of this.#streams) stream.writer.close();
      this.#writeRecord();
    });
  }

  /** Bytes this job's files hold at most (both streams, whatever the job prints). */
  static maxBytes(limit: number): number {
    return 2 * (limit + 2 * segmentSize(limit));
  }

  #kick(): void {
    if (this.#failed) return;
    if (this.#draining !== undefined) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => this.#draining = undefined);
  }

  async #drain(): Promise<void> {
    try {
      do {
        this.#again = false;
        for (const stream of this.#streams) {
          while (stream.written < stream.buffer.totalBytes) {
            const range = stream.buffer.read(stream.written, stream.written + WRITE_SLICE);
            await stream.writer.write(range.start, range.bytes);
            stream.written = range.end;
          }
        }
      } while (this.#again);
    } catch (error) {
      // A full or failing disk stops this job's recording only; the job and its buffers go on.
      this.#failed = true;
      this.#logger.error(`job ${this.#job.id}: ledger write failed, output no longer saved`, error);
    }
  }

  #writeRecord(): void {
    try {
      writePrivateFile(`${this.#dir}/${RECORD_FILE}`, JSON.stringify(recordOf(this.#job)));
    } catch (error) {
      this.#logger.error(`job ${this.#job.id}: ledger record not written`, error);
    }
  }
}
