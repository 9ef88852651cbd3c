import assert from "node:assert/strict";
import { CancellableTaskStore } from "../../lib/mcp/task_store.ts";

const asTask = (ttl?: number) => ({
  method: "tools/call",
  params: { name: "wait_for_job", arguments: {}, task: ttl === undefined ? {} : { ttl } },
});
const PLAIN = { method: "tools/call", params: { name: "wait_for_job", arguments: {} } };
const RESULT = { content: [] };

Deno.test("CancellableTaskStore grants a ttl within its bounds, the longest when none is asked", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000, minTtlMs: 1000 });
  try {
    assert.equal((await store.createTask({}, 1, asTask())).ttl, 60_000);
    assert.equal((await store.createTask({ ttl: 5000 }, 2, asTask(5000))).ttl, 5000);
    assert.equal((await store.createTask({ ttl: 1 }, 3, asTask(1))).ttl, 1000);
    assert.equal((await store.createTask({ ttl: 1e9 }, 4, asTask(1e9))).ttl, 60_000);
    assert.equal((await store.createTask({ ttl: null }, 5, asTask())).ttl, 60_000);
  } finally {
    store.close();
  }
});

Deno.test("CancellableTaskStore hides a plain call's task and forgets it once its result is read", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
  try {
    const task = await store.createTask({}, 1, PLAIN, "session");
    assert.equal(store.isRequested(task.taskId), false);
    assert.equal(await store.getTask(task.taskId, "session"), null);
    await store.storeTaskResult(task.taskId, "completed", RESULT, "session");
    assert.deepEqual((await store.listTasks(undefined, "session")).tasks, []);
    assert.equal(await store.getTaskResult(task.taskId, "session"), RESULT);
    assert.equal(store.size, 0);
  } finally {
    store.close();
  }
});

Deno.test("CancellableTaskStore shows a task only to the session that created it", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
  try {
    const task = await store.createTask({}, 1, asTask(), "alice");
    assert.equal((await store.getTask(task.taskId, "alice"))?.taskId, task.taskId);
    assert.equal(await store.getTask(task.taskId, "bob"), null);
    assert.deepEqual((await store.listTasks(undefined, "bob")).tasks, []);
    await assert.rejects(
      store.updateTaskStatus(task.taskId, "cancelled", "no", "bob"),
      /not found/,
    );
    await assert.rejects(store.getTaskResult(task.taskId, "bob"), /not found/);
    assert.equal(store.signalOf(task.taskId)?.aborted, false);
  } finally {
    store.close();
  }
});

Deno.test("CancellableTaskStore aborts a task's work when it is cancelled, and refuses to move it again", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
  try {
    const task = await store.createTask({}, 1, asTask());
    const signal = store.signalOf(task.taskId)!;
    await store.updateTaskStatus(task.taskId, "cancelled", "Client cancelled");
    assert.equal(signal.reason, "cancelled");
    assert.equal((await store.getTask(task.taskId))?.statusMessage, "Client cancelled");
    await assert.rejects(store.storeTaskResult(task.taskId, "completed", RESULT), /has ended/);
    await assert.rejects(store.updateTaskStatus(task.taskId, "working"), /has ended/);
  } finally {
    store.close();
  }
});

Deno.test("CancellableTaskStore drops the ended tasks of a dropped job, not the working ones", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
  try {
    const ended = await store.createTask({}, 1, asTask());
    const working = await store.createTask({}, 2, asTask());
    const other = await store.createTask({}, 3, asTask());
    store.attachJob(ended.taskId, "job-1");
    store.attachJob(working.taskId, "job-1");
    store.attachJob(other.taskId, "job-2");
    await store.storeTaskResult(ended.taskId, "completed", RESULT);
    await store.storeTaskResult(other.taskId, "completed", RESULT);
    store.jobDropped("job-1");
    assert.equal(await store.getTask(ended.taskId), null);
    assert.equal((await store.getTask(working.taskId))?.status, "working");
    assert.equal((await store.getTask(other.taskId))?.status, "completed");
  } finally {
    store.close();
  }
});

Deno.test("CancellableTaskStore close stops all work and refuses new tasks", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
  const task = await store.createTask({}, 1, asTask());
  const signal = store.signalOf(task.taskId)!;
  store.close();
  assert.equal(signal.reason, "closed");
  assert.equal(store.size, 0);
  await assert.rejects(store.createTask({}, 2, asTask()), /closing/);
});

Deno.test("CancellableTaskStore refuses a task past its limit, but not a plain call", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000, maxTasks: 2 });
  try {
    await store.createTask({}, 1, asTask());
    await store.createTask({}, 2, asTask());
    await assert.rejects(store.createTask({}, 3, asTask()), /Task limit reached: 2/);
    // A plain call is still answered.
    await store.createTask({}, 4, PLAIN);
  } finally {
    store.close();
  }
});

Deno.test("CancellableTaskStore lists tasks in pages and refuses an unknown cursor", async () => {
  const store = new CancellableTaskStore({ maxTtlMs: 60_000 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await store.createTask({}, i, asTask())).taskId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listTasks(cursor);
      seen.push(...page.tasks.map((task) => task.taskId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    assert.deepEqual(seen, ids);
    await assert.rejects(store.listTasks("nonsense"), /Invalid cursor/);
  } finally {
    store.close();
  }
});
