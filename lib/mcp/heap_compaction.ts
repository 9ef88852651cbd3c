/**
 * Giving back the memory start-up needed. Loading and compiling the modules is the busiest
 * allocation the server does until a flood, and V8 grows its young generation for it (to about
 * 9 MiB) and then keeps it; one full collection once the client has initialized and settled
 * shrinks it back to its minimum (0.3 MiB). A fresh stdio server then idles about 6 MiB lower,
 * and its peak under a 100 MB flood drops from 104–107 to 92–95 MiB (see BENCHMARKS.md).
 *
 * V8 takes `--expose-gc` only on its command line, which belongs to the client's configuration;
 * set at run time, the flag still gives every context created afterwards a `gc` function, so the
 * collector is taken from a fresh `node:vm` context and the server's own global stays without it.
 *
 * @module
 */
import v8 from "node:v8";
import vm from "node:vm";
import type { McpServer } from "./sdk.ts";

/** V8's `gc()` with options (V8 11+): `last-resort` also shrinks the young generation. */
type Collector = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

let collector: Collector | null | undefined;

function loadCollector(): Collector | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("typeof gc === 'function' ? gc : null");
    return typeof gc === "function" ? gc : null;
  } catch {
    // A runtime without `node:vm` contexts or flags at run time: the heap stays as it grew.
    return null;
  }
}

/**
 * Runs one full, memory-reducing collection now (a pause of some tens of milliseconds). Returns
 * false when this runtime offers no way to do it.
 *
 * @example Usage
 * ```ts
 * import { compactHeap } from "./heap_compaction.ts";
 * import assert from "node:assert/strict";
 * // Deno 2.9 offers it; a runtime that stops doing so is noticed here.
 * assert.equal(compactHeap(), true);
 * ```
 */
export function compactHeap(): boolean {
  collector ??= loadCollector();
  if (collector === null) return false;
  collector({ type: "major", execution: "sync", flavor: "last-resort" });
  return true;
}

/**
 * How long after the client's `initialized` the deferred start-up work waits, in ms: clients ask
 * for their lists (`tools/list`, `resources/list`, …) right after it, and a collection in the
 * middle of those would hold each answer back by tens of milliseconds.
 */
export const SETTLE_MS = 500;

/**
 * Compacts the heap once `server`'s client has initialized and its start-up requests are
 * answered ({@linkcode SETTLE_MS} later), keeping any handler set before. `first` is work
 * deferred from start-up to that moment (loading modules): it runs before the collection, which
 * then also takes back what loading it left behind. The wait keeps no process alive.
 *
 * @example Usage
 * ```ts
 * import { compactOnceSettled } from "./heap_compaction.ts";
 * import { McpServer } from "./sdk.ts";
 * const server = new McpServer({ name: "example", version: "1.0.0" });
 * compactOnceSettled(server);
 * ```
 */
export function compactOnceSettled(server: McpServer, first?: () => Promise<void>): void {
  const previous = server.server.oninitialized;
  server.server.oninitialized = () => {
    previous?.();
    const timer = setTimeout(() => {
      // Deferred work that fails leaves its feature as it was before start-up deferred it.
      void (first?.() ?? Promise.resolve()).catch(() => {}).then(() => compactHeap());
    }, SETTLE_MS);
    Deno.unrefTimer(timer);
  };
}
