/**
 * Starting a process with one more descriptor than stdin, stdout and stderr: bubblewrap reads its
 * seccomp filter from one (`--seccomp 3`). `Deno.Command` cannot pass one; `node:child_process`
 * can (an extra `stdio` entry, a socket pair whose far end is fd 3), so this wraps it in the
 * shape of a `Deno.ChildProcess`: web byte streams, a status promise, `kill`.
 *
 * Deno forks the whole server to map the extra descriptor, so this is used only where the filter
 * cannot go through a file instead (no `--allow-write` for the temporary directory; see
 * bwrap_start.ts).
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import type { Readable, Writable } from "node:stream";

/** What to start, and the bytes its fd 3 reads before end-of-file. */
export interface ExtraFdSpec {
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The whole environment. */
  readonly env: Record<string, string>;
  /** `pipe`: a pipe the caller writes; `null`: /dev/null. */
  readonly stdin: "pipe" | "null";
  /** What the child reads from fd 3. */
  readonly fd3: Uint8Array;
}

/** The part of `Deno.ChildProcess` a contained job uses. */
export interface StartedChild {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<Deno.CommandStatus>;
  kill(signal: Deno.Signal): void;
}

/** A byte stream over a node `Readable`, paused while the reader is behind. */
function byteStream(readable: Readable): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream({
    type: "bytes",
    start(controller) {
      readable.on("data", (chunk: Uint8Array) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) readable.pause();
      });
      readable.on("end", () => {
        if (done) return;
        done = true;
        controller.close();
        controller.byobRequest?.respond(0);
      });
      readable.on("error", (error) => {
        if (done) return;
        done = true;
        controller.error(error);
      });
    },
    pull() {
      readable.resume();
    },
    cancel() {
      done = true;
      readable.destroy();
    },
  }, { highWaterMark: 64 * 1024 });
}

/** A web sink over a node `Writable`: a write resolves once handed to the pipe, or rejects. */
function byteSink(writable: Writable | null): WritableStream<Uint8Array> {
  if (writable === null) return new WritableStream();
  // A broken pipe is reported to the write that met it; the stream's own event is not a crash.
  writable.on("error", () => {});
  return new WritableStream({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (writable.destroyed) return reject(new Deno.errors.BrokenPipe("stdin is closed"));
        writable.write(chunk, (error) => error ? reject(error) : resolve());
      }),
    close: () => new Promise<void>((resolve) => writable.end(resolve)),
    abort: () => {
      writable.destroy();
    },
  });
}

function statusOf(child: ChildProcess): Promise<Deno.CommandStatus> {
  return new Promise((resolve) => {
    child.once("error", () => resolve({ success: false, code: 127, signal: null }));
    child.once("exit", (code, signal) => {
      resolve({
        success: code === 0,
        code: code ?? 128,
        signal: (signal as Deno.Signal | null) ?? null,
      });
    });
  });
}

type NodeSpawn = typeof import("node:child_process").spawn;
let loadedSpawn: NodeSpawn | undefined;

/**
 * `node:child_process`'s `spawn`, loaded on first use: the module costs a fresh server about
 * 6 ms of start-up, and only this rare route (no file for the filter) needs it. `require` loads a
 * built-in module synchronously, as the spawn that needs it is (tests/lazy_modules_test.ts).
 */
function nodeSpawn(): NodeSpawn {
  const require = createRequire(import.meta.url);
  return loadedSpawn ??= (require("node:child_process") as typeof import("node:child_process"))
    .spawn;
}

/**
 * Starts `spec` detached (its own session), with piped stdout and stderr and fd 3 reading
 * `spec.fd3`.
 *
 * @throws {Deno.errors.NotCapable} when `--allow-run` does not permit the program.
 *
 * @example Usage
 * ```ts
 * import { spawnWithFd3 } from "./extra_fd_spawn.ts";
 * import assert from "node:assert/strict";
 * const child = spawnWithFd3({
 *   program: "sh",
 *   args: ["-c", "cat <&3"],
 *   cwd: "/",
 *   env: {},
 *   stdin: "null",
 *   fd3: new TextEncoder().encode("hi"),
 * });
 * assert.equal(await new Response(child.stdout).text(), "hi");
 * await child.stderr.cancel();
 * assert.equal((await child.status).code, 0);
 * ```
 */
export function spawnWithFd3(spec: ExtraFdSpec): StartedChild {
  const child = nodeSpawn()(spec.program, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    stdio: [spec.stdin === "pipe" ? "pipe" : "ignore", "pipe", "pipe", "pipe"],
    detached: true,
  });
  const status = statusOf(child);
  const fd3 = child.stdio[3] as Writable;
  fd3.on("error", () => {});
  fd3.end(spec.fd3);
  return {
    pid: child.pid ?? 0,
    stdin: byteSink(child.stdin),
    stdout: byteStream(child.stdout!),
    stderr: byteStream(child.stderr!),
    status,
    kill: (signal) => {
      child.kill(signal as NodeJS.Signals);
    },
  };
}
