/**
 * One output stream of one job on disk: segment files named `<stream>.<offset>`, each holding the
 * stream's bytes from that absolute offset on, contiguous. The newest segments are kept while the
 * older ones are not needed to hold the newest `limit` bytes, so a stream takes at most `limit`
 * plus two segments on disk, however much the job prints.
 *
 * @module
 */

/** The bytes read back from a stream's segments, and where they start in the stream. */
export interface StoredStream {
  /** Absolute offset of the first byte kept (bytes before it were dropped). */
  readonly start: number;
  readonly bytes: Uint8Array;
}

/** Segment size for a stream kept to `limit` bytes: a quarter, between 64 KiB and 16 MiB. */
export function segmentSize(limit: number): number {
  return Math.min(16 << 20, Math.max(64 << 10, Math.ceil(limit / 4)));
}

/** The segments of `stream` in `dir`, oldest first, with their start offsets and sizes. */
export function listSegments(
  dir: string,
  stream: string,
): { path: string; offset: number; size: number }[] {
  const found = [];
  for (const entry of Deno.readDirSync(dir)) {
    const match = /^(\w+)\.(\d+)$/.exec(entry.name);
    if (match === null || match[1] !== stream || !entry.isFile) continue;
    const path = `${dir}/${entry.name}`;
    found.push({ path, offset: Number(match[2]), size: Deno.statSync(path).size });
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/**
 * Reads back the newest run of contiguous bytes of `stream` in `dir`, at most `limit` of them.
 *
 * @example Usage
 * ```ts
 * import { readStream, StreamWriter } from "./ledger_stream.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * const writer = new StreamWriter(dir, "stdout", 4);
 * await writer.write(0, new TextEncoder().encode("abcdef"));
 * writer.close();
 * const stored = readStream(dir, "stdout", 4);
 * assert.deepEqual([stored.start, new TextDecoder().decode(stored.bytes)], [2, "cdef"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function readStream(dir: string, stream: string, limit: number): StoredStream {
  const segments = listSegments(dir, stream);
  // Walk back from the newest segment while the offsets join up (a gap means bytes were lost).
  let first = segments.length;
  while (first > 0) {
    const segment = segments[first - 1]!;
    const next = segments[first];
    if (next !== undefined && segment.offset + segment.size !== next.offset) break;
    first--;
  }
  const kept = segments.slice(first);
  const parts = kept.map((segment) => Deno.readFileSync(segment.path));
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const end = (kept[0]?.offset ?? 0) + total;
  const length = Math.min(total, limit);
  const bytes = new Uint8Array(length);
  let at = length - total;
  for (const part of parts) {
    if (at + part.length > 0) bytes.set(part.subarray(Math.max(0, -at)), Math.max(0, at));
    at += part.length;
  }
  return { start: end - length, bytes };
}

/** Appends a stream's bytes to its segment files, keeping the newest `limit` bytes on disk. */
export class StreamWriter {
  readonly #dir: string;
  readonly #stream: string;
  readonly #limit: number;
  readonly #segmentSize: number;
  #file: Deno.FsFile | undefined;
  #segmentOffset = 0;
  #segmentBytes = 0;
  // Absolute offset just past the last byte written: the next write must start here or later.
  #end = 0;

  /** A writer of `stream`'s segments in `dir` keeping `limit` bytes. */
  constructor(dir: string, stream: string, limit: number) {
    this.#dir = dir;
    this.#stream = stream;
    this.#limit = limit;
    this.#segmentSize = segmentSize(limit);
  }

  /** Bytes on disk written by this writer that were later deleted to stay within the limit. */
  droppedBytes = 0;

  /** Writes `bytes`, which start at absolute `offset` (later than the last end: a gap is kept). */
  async write(offset: number, bytes: Uint8Array): Promise<void> {
    // Only the newest `limit` bytes can survive: the rest is never written.
    if (bytes.length > this.#limit) {
      offset += bytes.length - this.#limit;
      bytes = bytes.subarray(bytes.length - this.#limit);
    }
    if (offset !== this.#end) this.#startSegment(offset);
    while (bytes.length > 0) {
      if (this.#file === undefined || this.#segmentBytes >= this.#segmentSize) {
        this.#startSegment(this.#end);
      }
      const room = this.#segmentSize - this.#segmentBytes;
      const part = bytes.subarray(0, room);
      for (let done = 0; done < part.length;) {
        done += await this.#file!.write(part.subarray(done));
      }
      this.#segmentBytes += part.length;
      this.#end += part.length;
      bytes = bytes.subarray(part.length);
    }
  }

  /** Closes the open segment. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  #startSegment(offset: number): void {
    this.close();
    this.#end = offset;
    this.#segmentOffset = offset;
    this.#segmentBytes = 0;
    this.#file = Deno.openSync(`${this.#dir}/${this.#stream}.${offset}`, {
      write: true,
      create: true,
      truncate: true,
      mode: 0o600,
    });
    this.#dropOld();
  }

  /** Deletes the oldest segments not needed to hold the newest `limit` bytes. */
  #dropOld(): void {
    const segments = listSegments(this.#dir, this.#stream);
    // The open segment is still empty: the closed ones alone must hold the newest `limit` bytes.
    let newer = 0;
    // Once a segment goes (not needed, or not joining the next), every older one goes too.
    let keeping = true;
    for (let i = segments.length - 1; i >= 0; i--) {
      const segment = segments[i]!;
      if (segment.offset === this.#segmentOffset) continue;
      keeping &&= newer < this.#limit &&
        segment.offset + segment.size === this.#nextAfter(segments, i);
      if (keeping) {
        newer += segment.size;
        continue;
      }
      Deno.removeSync(segment.path);
      this.droppedBytes += segment.size;
    }
  }

  /** Where segment `i` must end to join the next one (the open segment for the newest). */
  #nextAfter(segments: { offset: number }[], i: number): number {
    return segments[i + 1]?.offset ?? this.#segmentOffset;
  }
}
