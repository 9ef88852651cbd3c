/**
 * Seeded random values for fuzz tests: the same seed gives the same sequence, so a failure found
 * once can be replayed.
 *
 * @module
 */

/** A small seeded generator (mulberry32) with the picks the fuzz tests need. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A string of up to `maxLength` characters from ASCII, controls, line separators and astral or lone surrogates. */
  string(maxLength = 40): string {
    const pools = [
      "abcdefghijklmnopqrstuvwxyz0123456789 _-.",
      "\"\\/{}[]:,'$`;|&<>()*+?^\n\r\t\0\x1b\x7f",
      "é漢字\u2028\u2029\u00a0\ufeff",
      "😀🦕\ud800\udfff",
    ];
    let text = "";
    const length = this.int(0, maxLength);
    for (let i = 0; i < length; i++) {
      const pool = [...this.pick(pools)];
      text += this.pick(pool);
    }
    return text;
  }

  /** A number of any kind JSON can carry: small, huge, negative, fractional. */
  number(): number {
    return this.pick([
      () => this.int(-3, 3),
      () => this.int(0, 1_000_000),
      () => this.next() * 10,
      () => -this.next() * 1e6,
      () => Number.MAX_SAFE_INTEGER + this.int(0, 10),
      () => 1e308,
      () => 5e-324,
    ])();
  }

  /** Any JSON value, nested at most `depth` levels. */
  json(depth = 3): unknown {
    const kinds = [
      "null",
      "boolean",
      "number",
      "string",
      ...(depth > 0 ? ["array", "object"] : []),
    ];
    switch (this.pick(kinds)) {
      case "null":
        return null;
      case "boolean":
        return this.chance(0.5);
      case "number":
        return this.number();
      case "string":
        return this.string();
      case "array":
        return Array.from({ length: this.int(0, 4) }, () => this.json(depth - 1));
      default:
        return Object.fromEntries(
          Array.from({ length: this.int(0, 4) }, () => [this.string(8), this.json(depth - 1)]),
        );
    }
  }

  /** `value` nested `depth` times in arrays or objects. */
  nested(depth: number, value: unknown = 1): unknown {
    let nested = value;
    for (let i = 0; i < depth; i++) nested = this.chance(0.5) ? [nested] : { a: nested };
    return nested;
  }
}
