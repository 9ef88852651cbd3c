/**
 * Where a task's messages to its client (a question to the person, asked while a tool runs as a
 * task) wait until the client's `tasks/result` collects them. The SDK's `InMemoryTaskMessageQueue`
 * does the same, but its module also holds the SDK's task store, which loads `node:crypto` for
 * its random ids; this server keeps its own store (`task_store.ts`), so it keeps this queue too
 * and a stdio server does not load `node:crypto` for it.
 *
 * @module
 */
import type { QueuedMessage, TaskMessageQueue } from "./sdk.ts";

/**
 * One server's queues, one per task, first in first out; a task's queue is gone once emptied.
 *
 * @example Usage
 * ```ts
 * import { TaskMessages } from "./task_messages.ts";
 * import assert from "node:assert/strict";
 * const queue = new TaskMessages();
 * const message = { type: "notification" as const, message: { jsonrpc: "2.0" as const, method: "x" }, timestamp: 1 };
 * await queue.enqueue("task-1", message, undefined, 1);
 * await assert.rejects(queue.enqueue("task-1", message, undefined, 1), /at most 1/);
 * assert.deepEqual(await queue.dequeue("task-1"), message);
 * assert.equal(await queue.dequeue("task-1"), undefined);
 * ```
 */
export class TaskMessages implements TaskMessageQueue {
  readonly #queues = new Map<string, QueuedMessage[]>();

  /** Adds `message` to task `taskId`'s queue, refused when `maxSize` messages already wait. */
  enqueue(
    taskId: string,
    message: QueuedMessage,
    _sessionId?: string,
    maxSize?: number,
  ): Promise<void> {
    let queue = this.#queues.get(taskId);
    if (maxSize !== undefined && (queue?.length ?? 0) >= maxSize) {
      return Promise.reject(
        new Error(`Task message queue full: ${queue?.length ?? 0} waiting, at most ${maxSize}`),
      );
    }
    if (queue === undefined) this.#queues.set(taskId, queue = []);
    queue.push(message);
    return Promise.resolve();
  }

  /** The oldest message waiting for task `taskId`, taken off its queue. */
  dequeue(taskId: string): Promise<QueuedMessage | undefined> {
    const queue = this.#queues.get(taskId);
    const message = queue?.shift();
    if (queue?.length === 0) this.#queues.delete(taskId);
    return Promise.resolve(message);
  }

  /** Every message waiting for task `taskId`, oldest first; its queue is gone afterwards. */
  dequeueAll(taskId: string): Promise<QueuedMessage[]> {
    const queue = this.#queues.get(taskId) ?? [];
    this.#queues.delete(taskId);
    return Promise.resolve(queue);
  }
}
