/**
 * "Did you mean …?": the known name nearest to a misspelled one.
 *
 * @module
 */

/**
 * The name in `known` nearest to `name` by edit distance, if it is a plausible typo
 * (at most a third of the name's length, and never more than a few letters, away).
 *
 * @example Usage
 * ```ts
 * import { closestName } from "./closest_name.ts";
 * import assert from "node:assert/strict";
 * assert.equal(closestName("verison", ["help", "version"]), "version");
 * assert.equal(closestName("completely-different", ["help", "version"]), undefined);
 * ```
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
