/**
 * Micro-benchmarks of the ring buffer's hot paths: append, tail and cursor reads.
 * Run with `deno task bench:micro`.
 *
 * @module
 */
import { OutputBuffer } from "../lib/output/output_buffer.ts";

const MB = 1024 * 1024;

/** A chunk of `size` bytes of 80-column lines, like a build log. */
function lines(size: number): Uint8Array {
  const line = new TextEncoder().encode(`${"x".repeat(79)}\n`);
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += line.length) bytes.set(line.subarray(0, size - at), at);
  return bytes;
}

/** A buffer of `capacity` bytes, filled (and wrapped) with lines. */
function full(capacity: number): OutputBuffer {
  const buffer = new OutputBuffer(capacity);
  const chunk = lines(64 * 1024);
  for (let written = 0; written < capacity + 100_000; written += chunk.length) buffer.append(chunk);
  return buffer;
}

const chunk = lines(64 * 1024);
const ring = full(10 * MB);
Deno.bench("append 64 KiB to a full 10 MB ring", { group: "append", baseline: true }, () => {
  ring.append(chunk);
});
const copyTarget = new Uint8Array(10 * MB);
let copyAt = 0;
Deno.bench("Uint8Array.set of 64 KiB (the copy floor)", { group: "append" }, () => {
  copyTarget.set(chunk, copyAt);
  copyAt = (copyAt + chunk.length) % (copyTarget.length - chunk.length);
});

const big = full(10 * MB);
const small = full(100 * 1024);
Deno.bench("tail(50) of a full 10 MB buffer", { group: "tail", baseline: true }, () => {
  big.tail(50);
});
Deno.bench("tail(50) of a full 100 KB buffer", { group: "tail" }, () => {
  small.tail(50);
});

Deno.bench(
  "read(from) of the newest 4 KiB, 10 MB buffer",
  { group: "read", baseline: true },
  () => {
    big.read(big.totalBytes - 4096);
  },
);
Deno.bench("read(from) of the newest 64 KiB, 10 MB buffer", { group: "read" }, () => {
  big.read(big.totalBytes - 65536);
});
Deno.bench("read() of all 10 MB", { group: "read" }, () => {
  big.read();
});
