/**
 * One total budget for the output that finished jobs hold. A running job is bounded by its
 * per-stream cap alone; once it ends its output counts here, and past the budget the oldest
 * finished jobs' output is released first, so the newest results stay readable longest.
 *
 * @module
 */
import type { OutputBuffer } from "../output/output_buffer.ts";

/** What the budget needs of a job: its two buffers. */
export interface HeldOutput {
  readonly stdout: OutputBuffer;
  readonly stderr: OutputBuffer;
}

/**
 * Tracks finished jobs in the order they ended and releases the oldest ones' output while the
 * total they hold is over `limit` bytes.
 *
 * @example Usage
 * ```ts
 * import { OutputBudget } from "./output_budget.ts";
 * import { OutputBuffer } from "../output/output_buffer.ts";
 * import assert from "node:assert/strict";
 * const job = () => ({ stdout: new OutputBuffer(8), stderr: new OutputBuffer(8) });
 * const [old, young] = [job(), job()];
 * old.stdout.append(new Uint8Array(6));
 * young.stdout.append(new Uint8Array(6));
 * const budget = new OutputBudget(10);
 * budget.finished(old);
 * assert.deepEqual(budget.finished(young), [old]);
 * assert.equal(old.stdout.heldBytes, 0);
 * assert.equal(budget.heldBytes, 6);
 * ```
 */
export class OutputBudget<Job extends HeldOutput = HeldOutput> {
  readonly #limit: number;
  // Each finished job still holding output, oldest first, with the bytes it was counted for.
  readonly #finished = new Map<Job, number>();
  #held = 0;

  /** Creates a budget of `limit` bytes for all finished jobs together. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes the finished jobs hold, as counted when each ended. */
  get heldBytes(): number {
    return this.#held;
  }

  /**
   * Counts `job`, which just ended, and releases the oldest finished output while over the
   * budget (`job`'s own last). Returns the jobs whose output was released.
   */
  finished(job: Job): Job[] {
    const bytes = job.stdout.heldBytes + job.stderr.heldBytes;
    this.#finished.set(job, bytes);
    this.#held += bytes;
    const released: Job[] = [];
    for (const oldest of this.#finished.keys()) {
      if (this.#held <= this.#limit) break;
      this.forget(oldest);
      oldest.stdout.release();
      oldest.stderr.release();
      released.push(oldest);
    }
    return released;
  }

  /** Stops counting `job` (dropped from the table, or released). */
  forget(job: Job): void {
    const bytes = this.#finished.get(job);
    if (bytes === undefined) return;
    this.#finished.delete(job);
    this.#held -= bytes;
  }
}
