/**
 * `CancellableTaskStore`: the SDK's `TaskStore` interface, kept in memory for one MCP server, with
 * an `AbortSignal` per task that fires when the work behind it must stop.
 *
 * @module
 */
import {
  type CreateTaskOptions,
  isTaskAugmentedRequestParams,
  isTerminal,
  McpError,
  type Request,
  type RequestId,
  type Result,
  type Task,
  type TaskStore,
} from "./sdk.ts";
import { type Logger, stderrLogger } from "../logger.ts";

/** Why a task's work was told to stop. */
export type TaskStopReason = "cancelled" | "closed";

/** How a {@linkcode CancellableTaskStore} bounds its tasks. */
export interface TaskStoreOptions {
  /** The longest `ttl` granted, and the one given when the client asks for none (ms). */
  readonly maxTtlMs: number;
  /** The shortest `ttl` granted (ms). Default 1000. */
  readonly minTtlMs?: number;
  /** Tasks a client asked for, held at once; asking for one more is refused. Default 1000. */
  readonly maxTasks?: number;
  /** The `pollInterval` suggested to clients (ms); default none: each client polls at its own pace. */
  readonly pollIntervalMs?: number;
  /** Where a task's failures nobody awaits are reported. Default: stderr. */
  readonly logger?: Logger;
}

interface Entry {
  readonly task: Task;
  readonly sessionId: string | undefined;
  /** False for a plain `tools/call` the SDK runs as a task on its own: never shown to the client. */
  readonly requested: boolean;
  readonly work: AbortController;
  result?: Result;
  jobId?: string;
  expiry?: ReturnType<typeof setTimeout>;
}

const INVALID_PARAMS = -32602;
const PAGE_SIZE = 50;

/**
 * Holds one server's tasks. A task is kept while it works and for its `ttl` after it ends (the
 * spec lets a receiver keep a task longer than `ttl` from creation), never after the job its
 * result names is dropped from the job table. `tasks/cancel` and {@linkcode close} abort the
 * task's {@linkcode signalOf}. Tasks are bound to the session that created them.
 *
 * @example Usage
 * ```ts
 * import { CancellableTaskStore } from "./task_store.ts";
 * import assert from "node:assert/strict";
 * const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
 * const request = { method: "tools/call", params: { name: "wait_for_job", task: { ttl: 5000 } } };
 * const task = await store.createTask({ ttl: 5000 }, 1, request);
 * await store.updateTaskStatus(task.taskId, "cancelled");
 * assert.equal(store.signalOf(task.taskId)?.reason, "cancelled");
 * store.close();
 * ```
 */
export class CancellableTaskStore implements TaskStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxTtlMs: number;
  readonly #minTtlMs: number;
  readonly #maxTasks: number;
  readonly #pollIntervalMs: number | undefined;
  /** Where a task's failures nobody awaits are reported. */
  readonly logger: Logger;
  #closed = false;

  /** Creates an empty store bounded by `options`. */
  constructor(options: TaskStoreOptions) {
    this.#maxTtlMs = options.maxTtlMs;
    this.#minTtlMs = Math.min(options.minTtlMs ?? 1000, options.maxTtlMs);
    this.#maxTasks = options.maxTasks ?? 1000;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.logger = options.logger ?? stderrLogger;
  }

  /** Tasks held, requested or not. */
  get size(): number {
    return this.#entries.size;
  }

  createTask(
    params: CreateTaskOptions,
    _requestId: RequestId,
    request: Request,
    sessionId?: string,
  ): Promise<Task> {
    return Promise.try(() => {
      if (this.#closed) throw new McpError(INVALID_PARAMS, "The connection is closing");
      // As the SDK's protocol decides: the schema check alone also passes without a `task` field.
      const asked = request.params;
      const requested = isTaskAugmentedRequestParams(asked) && asked.task !== undefined;
      // A plain call's entry lasts as long as the call, so plain calls are never refused.
      if (requested && this.#requestedCount() >= this.#maxTasks) {
        throw new McpError(INVALID_PARAMS, `Task limit reached: ${this.#maxTasks} tasks are held`);
      }
      const now = new Date().toISOString();
      const ttl = Math.min(Math.max(params.ttl ?? this.#maxTtlMs, this.#minTtlMs), this.#maxTtlMs);
      const task: Task = {
        taskId: crypto.randomUUID(),
        status: "working",
        ttl,
        createdAt: now,
        lastUpdatedAt: now,
      };
      if (this.#pollIntervalMs !== undefined) task.pollInterval = this.#pollIntervalMs;
      this.#entries.set(task.taskId, { task, sessionId, requested, work: new AbortController() });
      return { ...task };
    });
  }

  getTask(taskId: string, sessionId?: string): Promise<Task | null> {
    return Promise.try(() => {
      const entry = this.#visible(taskId, sessionId);
      return entry === undefined ? null : { ...entry.task };
    });
  }

  storeTaskResult(
    taskId: string,
    status: "completed" | "failed",
    result: Result,
    sessionId?: string,
  ): Promise<void> {
    return Promise.try(() => {
      const entry = this.#open(taskId, sessionId, status);
      entry.result = result;
      this.#settle(entry, status);
    });
  }

  getTaskResult(taskId: string, sessionId?: string): Promise<Result> {
    return Promise.try(() => {
      const entry = this.#own(taskId, sessionId);
      if (entry === undefined) throw new McpError(INVALID_PARAMS, `Task ${taskId} not found`);
      if (entry.result === undefined) {
        throw new McpError(INVALID_PARAMS, `Task ${taskId} has no result`);
      }
      // Nobody else can ask for the result of a call the client did not make a task of.
      if (!entry.requested) this.#drop(taskId);
      return entry.result;
    });
  }

  updateTaskStatus(
    taskId: string,
    status: Task["status"],
    statusMessage?: string,
    sessionId?: string,
  ): Promise<void> {
    return Promise.try(() => {
      const entry = this.#open(taskId, sessionId, status);
      if (isTerminal(status)) {
        this.#settle(entry, status);
        if (status === "cancelled") entry.work.abort("cancelled" satisfies TaskStopReason);
      } else {
        entry.task.status = status;
        entry.task.lastUpdatedAt = new Date().toISOString();
      }
      if (statusMessage !== undefined) entry.task.statusMessage = statusMessage;
    });
  }

  listTasks(
    cursor?: string,
    sessionId?: string,
  ): Promise<{ tasks: Task[]; nextCursor?: string }> {
    return Promise.try(() => {
      const ids = [...this.#entries.keys()].filter((id) => this.#visible(id, sessionId));
      const start = cursor === undefined ? 0 : ids.indexOf(cursor) + 1;
      if (start === 0 && cursor !== undefined) {
        throw new McpError(INVALID_PARAMS, `Invalid cursor: ${cursor}`);
      }
      const page = ids.slice(start, start + PAGE_SIZE);
      const tasks = page.map((id) => ({ ...this.#entries.get(id)!.task }));
      const more = start + PAGE_SIZE < ids.length;
      return more ? { tasks, nextCursor: page.at(-1) } : { tasks };
    });
  }

  /** The signal that tells the work behind `taskId` to stop, with a {@linkcode TaskStopReason}. */
  signalOf(taskId: string): AbortSignal | undefined {
    return this.#entries.get(taskId)?.work.signal;
  }

  /** Whether the client asked for `taskId` (`params.task`), rather than the SDK making it. */
  isRequested(taskId: string): boolean {
    return this.#entries.get(taskId)?.requested ?? false;
  }

  /** Records that `taskId`'s result describes job `jobId`, so it goes when the job is dropped. */
  attachJob(taskId: string, jobId: string): void {
    const entry = this.#entries.get(taskId);
    if (entry !== undefined) entry.jobId = jobId;
  }

  /** Drops the ended tasks whose result describes job `jobId`, which the job table forgot. */
  jobDropped(jobId: string): void {
    for (const [id, entry] of this.#entries) {
      if (entry.jobId === jobId && isTerminal(entry.task.status)) this.#drop(id);
    }
  }

  /** Stops the work of every task and forgets them all; later creations are refused. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#entries.keys()]) this.#drop(id);
  }

  #requestedCount(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.requested) count++;
    return count;
  }

  /** The entry, unless another session created it. */
  #own(taskId: string, sessionId: string | undefined): Entry | undefined {
    const entry = this.#entries.get(taskId);
    const foreign = entry?.sessionId !== undefined && sessionId !== undefined &&
      entry.sessionId !== sessionId;
    return foreign ? undefined : entry;
  }

  /** The entry as the client may see it: its own, and one it asked for. */
  #visible(taskId: string, sessionId: string | undefined): Entry | undefined {
    const entry = this.#own(taskId, sessionId);
    return entry?.requested ? entry : undefined;
  }

  /** The entry, still working, ready for a move to `status`. */
  #open(taskId: string, sessionId: string | undefined, status: Task["status"]): Entry {
    const entry = this.#own(taskId, sessionId);
    if (entry === undefined) throw new McpError(INVALID_PARAMS, `Task ${taskId} not found`);
    if (isTerminal(entry.task.status)) {
      throw new McpError(
        INVALID_PARAMS,
        `Cannot move task ${taskId} from ${entry.task.status} to ${status}: it has ended`,
      );
    }
    return entry;
  }

  /** Ends `entry` with `status` and starts counting its `ttl`. */
  #settle(entry: Entry, status: Task["status"]): void {
    delete entry.task.statusMessage; // it described the work
    entry.task.status = status;
    entry.task.lastUpdatedAt = new Date().toISOString();
    if (!entry.requested) return; // dropped once the SDK has read its result
    const id = entry.task.taskId;
    entry.expiry = setTimeout(() => this.#drop(id), entry.task.ttl ?? this.#maxTtlMs);
    // An ended task must not keep the process alive on its own.
    Deno.unrefTimer(Number(entry.expiry));
  }

  #drop(taskId: string): void {
    const entry = this.#entries.get(taskId);
    if (entry === undefined) return;
    this.#entries.delete(taskId);
    clearTimeout(entry.expiry);
    entry.work.abort("closed" satisfies TaskStopReason);
  }
}
