/**
 * Micro-benchmarks of argv splitting. Run with `deno task bench:micro`.
 *
 * @module
 */
import { splitCommandLine } from "../lib/sandbox/command_line.ts";

const typical = `npm run test -- --grep "job manager" --reporter=dot`;
const long = Array.from(
  { length: 200 },
  (_, i) => `--flag-${i}="value with spaces ${i}" 'single ${i}' plain\\ escaped${i}`,
).join(" ");

Deno.bench(
  `split a typical line (${typical.length} chars)`,
  { group: "split", baseline: true },
  () => {
    splitCommandLine(typical);
  },
);
Deno.bench(`split a long line (${long.length} chars)`, { group: "split" }, () => {
  splitCommandLine(long);
});
