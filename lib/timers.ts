/**
 * Bounding a wait: a promise raced against a timer that is cleared however the race ends.
 *
 * @module
 */

/**
 * Resolves with `promise`'s value, or with `onTimeout` when `ms` pass first. The timer is
 * cleared either way, so it never keeps the process alive after the race.
 *
 * @example Usage
 * ```ts
 * import { raceTimeout } from "./timers.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await raceTimeout(Promise.resolve("done"), 1000, "timeout"), "done");
 * assert.equal(await raceTimeout(new Promise(() => {}), 10, "timeout"), "timeout");
 * ```
 */
export async function raceTimeout<T, const U>(
  promise: Promise<T>,
  ms: number,
  onTimeout: U,
): Promise<T | U> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
