/**
 * Long work shared with everything else the server does: the work pauses when its time slice is
 * spent, so calls, transports and job output are served in between.
 *
 * @module
 */

/** How long a piece of work may hold the event loop before it lets others run, by default. */
export const SLICE_MS = 10;

/**
 * Resolves in a later task of the event loop, after pending I/O has had its turn. A timer, because
 * in Deno a microtask or `setImmediate` loop keeps sockets and pipes waiting.
 *
 * @example Usage
 * ```ts
 * import { nextTask } from "./work_slice.ts";
 * let ran = false;
 * setTimeout(() => ran = true, 0);
 * await nextTask();
 * if (!ran) throw new Error("the earlier task should have run first");
 * ```
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A time budget for cooperative work: call {@linkcode WorkSlice.spent} between steps and yield
 * (or `await pause()`) when it says so.
 *
 * @example Usage
 * ```ts
 * import { WorkSlice } from "./work_slice.ts";
 * const slice = new WorkSlice(5);
 * for (let step = 0; step < 1000; step++) {
 *   // …one bounded step of work…
 *   await slice.pause(); // yields only once 5 ms of work have passed since the last pause
 * }
 * ```
 */
export class WorkSlice {
  readonly #ms: number;
  #started = performance.now();

  /** A budget of `ms` milliseconds per slice. */
  constructor(ms: number = SLICE_MS) {
    this.#ms = ms;
  }

  /** Whether this slice's time is used up. */
  get spent(): boolean {
    return performance.now() - this.#started >= this.#ms;
  }

  /** Starts a new slice: call it when the work resumes after yielding. */
  restart(): void {
    this.#started = performance.now();
  }

  /** Yields to the event loop if the slice is spent, then starts a new one. */
  async pause(): Promise<void> {
    if (!this.spent) return;
    await nextTask();
    this.restart();
  }
}
