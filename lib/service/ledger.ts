/**
 * The ledger: every job's record and output on disk, so that a later run of the server (or of
 * the service) still lists earlier jobs and reads their output. Bounded per stream (the newest
 * bytes kept) and in total (the oldest ended jobs dropped first, and counted); every file 0600
 * in 0700 folders. One server at a time owns a ledger (an advisory lock on `lock`).
 *
 * Layout: `<dir>/jobs/<started ms>-<job id>/{record.json, stdout.<offset>, stderr.<offset>}`.
 *
 * @module
 */
import { Job } from "../jobs/job.ts";
import type { JobEvent, JobManager } from "../jobs/job_table.ts";
import type { Logger } from "../logger.ts";
import { OutputBuffer } from "../output/output_buffer.ts";
import { countNewlines } from "../output/newlines.ts";
import { StartupError } from "../errors.ts";
import { privateDirectory, writePrivateFile } from "./private_dir.ts";
import { JobRecorder, RECORD_FILE } from "./job_recorder.ts";
import { parseRecord } from "./ledger_record.ts";
import { readStream } from "./ledger_stream.ts";

/** How much a ledger keeps. */
export interface LedgerOptions {
  /** Bytes kept per stream per job (the newest). */
  readonly streamLimit: number;
  /** Bytes every job's files take together; past it the oldest ended jobs are dropped. */
  readonly totalLimit: number;
  readonly logger: Logger;
}

const COUNTS_FILE = "ledger.json";

/**
 * A ledger in a private folder, owned by this process until {@linkcode Ledger.close}.
 *
 * @example Usage
 * ```ts
 * import { Ledger } from "./ledger.ts";
 * import { stderrLogger } from "../logger.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * const ledger = Ledger.open(`${dir}/state`, {
 *   streamLimit: 1024,
 *   totalLimit: 1 << 20,
 *   logger: stderrLogger,
 * });
 * assert.deepEqual(ledger.restore(), []);
 * await ledger.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class Ledger {
  readonly #jobsDir: string;
  readonly #dir: string;
  readonly #options: LedgerOptions;
  readonly #lock: Deno.FsFile;
  readonly #recorders = new Map<string, JobRecorder>();
  // Ended jobs' folders, oldest first, with the bytes each takes.
  readonly #ended = new Map<string, number>();
  #droppedJobs: number;
  #unfollow: (() => void) | undefined;

  private constructor(dir: string, options: LedgerOptions, lock: Deno.FsFile) {
    this.#dir = dir;
    this.#jobsDir = privateDirectory(`${dir}/jobs`);
    this.#options = options;
    this.#lock = lock;
    this.#droppedJobs = readCounts(`${dir}/${COUNTS_FILE}`).dropped_jobs;
  }

  /**
   * Opens (creating it 0700 when missing) the ledger in `dir`.
   *
   * @throws {StartupError} when `dir` is not private to this user, or another server uses it.
   */
  static open(dir: string, options: LedgerOptions): Ledger {
    privateDirectory(dir);
    const lock = Deno.openSync(`${dir}/lock`, { write: true, create: true, mode: 0o600 });
    if (!lock.tryLockSync(true)) {
      lock.close();
      throw new StartupError(
        `${dir} is in use by another server (MCP_BG_STATE_DIR): give each server its own`,
      );
    }
    return new Ledger(dir, options, lock);
  }

  /** The folder the ledger lives in. */
  get dir(): string {
    return this.#dir;
  }

  /** Jobs dropped from the ledger to stay within its total size, ever. */
  get droppedJobs(): number {
    return this.#droppedJobs;
  }

  /**
   * Reads back every job recorded by earlier runs, oldest first: ended ones as they ended, the
   * ones still running when their server died as `lost`, each with the output kept on disk.
   */
  restore(): Job[] {
    const jobs: Job[] = [];
    for (const name of this.#folders()) {
      const job = this.#load(name);
      if (job === undefined) continue;
      jobs.push(job);
      this.#ended.set(name, folderBytes(`${this.#jobsDir}/${name}`));
      // Marked on disk at once: a later run must not take it for a job still running.
      if (job.status === "lost") this.#rewriteRecord(name, job);
    }
    this.#enforceTotal();
    return jobs;
  }

  /** The job `id` read back from disk, or `undefined` when the ledger has no such job. */
  recall(id: string): Job | undefined {
    const name = this.#folders().find((folder) => folder.endsWith(`-${id}`));
    return name === undefined || this.#recorders.has(id) ? undefined : this.#load(name);
  }

  /** Records every job `manager` starts from now on, until {@linkcode Ledger.close}. */
  follow(manager: JobManager): void {
    this.#unfollow = manager.onEvent((event) => this.#onEvent(event));
  }

  /** Stops recording new jobs, waits for the running ones' output to be on disk, and unlocks. */
  async close(): Promise<void> {
    this.#unfollow?.();
    await Promise.all([...this.#recorders.values()].map((recorder) => recorder.finished));
    this.#lock.close();
  }

  #onEvent(event: JobEvent): void {
    if (event.kind !== "started") return;
    const job = event.job;
    const name = `${String(job.started.getTime()).padStart(15, "0")}-${job.id}`;
    try {
      const dir = privateDirectory(`${this.#jobsDir}/${name}`);
      const recorder = new JobRecorder(job, dir, {
        limit: this.#options.streamLimit,
        logger: this.#options.logger,
      });
      this.#recorders.set(job.id, recorder);
      recorder.finished.then(() => {
        this.#recorders.delete(job.id);
        this.#ended.set(name, folderBytes(dir));
        this.#enforceTotal();
      });
    } catch (error) {
      this.#options.logger.error(`job ${job.id}: not recorded in the ledger`, error);
    }
  }

  /** Drops the oldest ended jobs while all jobs together take more than the total limit. */
  #enforceTotal(): void {
    const running = this.#recorders.size * JobRecorder.maxBytes(this.#options.streamLimit);
    let total = running;
    for (const bytes of this.#ended.values()) total += bytes;
    for (const [name, bytes] of this.#ended) {
      if (total <= this.#options.totalLimit) break;
      try {
        Deno.removeSync(`${this.#jobsDir}/${name}`, { recursive: true });
      } catch (error) {
        this.#options.logger.error(`ledger: could not drop ${name}`, error);
        continue;
      }
      this.#ended.delete(name);
      total -= bytes;
      this.#droppedJobs++;
    }
    writePrivateFile(
      `${this.#dir}/${COUNTS_FILE}`,
      JSON.stringify({ dropped_jobs: this.#droppedJobs }),
    );
  }

  /** The job folders, oldest first (their names start with the start time). */
  #folders(): string[] {
    const names = [];
    for (const entry of Deno.readDirSync(this.#jobsDir)) {
      if (entry.isDirectory && /^\d{15}-/.test(entry.name)) names.push(entry.name);
    }
    return names.sort();
  }

  #load(name: string): Job | undefined {
    const dir = `${this.#jobsDir}/${name}`;
    let text: string;
    try {
      text = Deno.readTextFileSync(`${dir}/${RECORD_FILE}`);
    } catch (error) {
      // A folder whose record was never written (the server died at once) holds nothing to show.
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const record = parseRecord(text);
    if (record === undefined) {
      this.#options.logger.error(
        `ledger: ${dir}/${RECORD_FILE} skipped`,
        new Error("not a job record"),
      );
      return undefined;
    }
    const limit = this.#options.streamLimit;
    const [stdout, stderr] = (["stdout", "stderr"] as const).map((stream) => {
      const stored = readStream(dir, stream, limit);
      const known = record.ended === null ? undefined : record[`${stream}_newlines`];
      const before = known === undefined ? 0 : Math.max(0, known - countNewlines(stored.bytes));
      return OutputBuffer.resumed(limit, stored.start, stored.bytes, before);
    });
    const lostAt = record.status === "running" ? lastWritten(dir) : undefined;
    return Job.restore({
      ...record,
      id: record.job_id,
      started: new Date(record.started),
      ended: lostAt ?? (record.ended === null ? null : new Date(record.ended)),
      exitCode: record.exit_code,
      killReason: record.kill_reason,
      stdout: stdout!,
      stderr: stderr!,
    }, this.#options.logger);
  }

  #rewriteRecord(name: string, job: Job): void {
    const path = `${this.#jobsDir}/${name}/${RECORD_FILE}`;
    const record = JSON.parse(Deno.readTextFileSync(path));
    writePrivateFile(path, JSON.stringify({ ...record, status: "lost", ended: job.ended }));
  }
}

function readCounts(path: string): { dropped_jobs: number } {
  try {
    const counts = JSON.parse(Deno.readTextFileSync(path));
    return { dropped_jobs: Number(counts.dropped_jobs) || 0 };
  } catch {
    // A new ledger (no file yet), or a file cut short: counting starts again.
    return { dropped_jobs: 0 };
  }
}

/** Bytes the files in `dir` take. */
function folderBytes(dir: string): number {
  let bytes = 0;
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isFile) bytes += Deno.statSync(`${dir}/${entry.name}`).size;
  }
  return bytes;
}

/** When a file in `dir` was last written: about when a lost job's server died. */
function lastWritten(dir: string): Date {
  let last = 0;
  for (const entry of Deno.readDirSync(dir)) {
    last = Math.max(last, Deno.statSync(`${dir}/${entry.name}`).mtime?.getTime() ?? 0);
  }
  return new Date(last);
}
