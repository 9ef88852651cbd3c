/**
 * `registerTaskTool`: a tool a client may call plainly or as an MCP task (`params.task`), through
 * the SDK's experimental `registerToolTask` with `taskSupport: "optional"`.
 *
 * @module
 */
import type { z } from "zod";
import type {
  CallToolResult,
  CreateTaskRequestHandlerExtra,
  McpServer,
  RequestHandlerExtra,
  ServerNotification,
  ServerRequest,
  TaskRequestHandlerExtra,
  ToolTaskHandler,
} from "./sdk.ts";
import type { CancellableTaskStore } from "./task_store.ts";

/** What a tool body gets besides its arguments, the same for a plain call and a task. */
export type TaskToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What a tool body may tell a task's client while it works. */
export interface TaskProgress {
  /** When the call is a task: sets its `statusMessage` (sent as `notifications/tasks/status`). */
  note(message: string): void;
  /** When the call is a task: ties its result to a job, so it goes when the job is dropped. */
  attachJob(jobId: string): void;
  /** When the call is a task: `input_required` while a question waits for the person. */
  waitingForPerson(waiting: boolean): void;
  /** The task's id, when the call is a task. */
  readonly taskId?: string;
}

/** A tool's description, as `registerTool` takes it. */
export interface TaskToolConfig<Input extends z.ZodType> {
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: Input;
  readonly outputSchema: z.ZodType;
  readonly annotations: Record<string, boolean>;
}

/** How {@linkcode registerTaskTool} runs a tool beyond its body. */
export interface TaskToolOptions {
  /**
   * Waited for before the task is created: what the body needs to get to its first wait at once
   * (such as the job manager's executor), so that the first answer can name the task's job.
   */
  readonly before?: () => Promise<unknown>;
}

/**
 * The body of a tool: `extra.signal` fires when the result is no longer wanted — the plain call
 * was cancelled or its connection closed, or the task was cancelled (`tasks/cancel`), or its
 * connection closed. A body never throws: it returns an `isError` result instead (see `runTool`).
 */
export type TaskToolBody<Input extends z.ZodType> = (
  args: z.infer<Input>,
  extra: TaskToolExtra,
  progress: TaskProgress,
) => Promise<CallToolResult>;

/** What a host may show the model while a task works (the 2025-11-25 spec's provisional key). */
export const IMMEDIATE_RESPONSE = "io.modelcontextprotocol/model-immediate-response";

const UNTRACKED: TaskProgress = { note: () => {}, attachJob: () => {}, waitingForPerson: () => {} };

/**
 * Registers tool `name` on `server`, callable plainly or as a task kept in `tasks` (the store the
 * server was created with). A plain call runs the body at once and answers when it ends, exactly
 * as `registerTool` would: the SDK's own handling of a plain call to a task tool would poll the
 * task every `pollInterval` and add up to that much to every answer.
 *
 * @example Usage
 * ```ts
 * import { z } from "zod";
 * import { McpServer } from "./sdk.ts";
 * import { CancellableTaskStore } from "./task_store.ts";
 * import { registerTaskTool } from "./task_tool.ts";
 * const tasks = new CancellableTaskStore({ maxTtlMs: 60_000 });
 * const server = new McpServer({ name: "example", version: "1.0.0" }, {
 *   capabilities: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
 *   taskStore: tasks,
 * });
 * registerTaskTool(server, tasks, "pause", {
 *   description: "Waits a moment.",
 *   inputSchema: z.strictObject({ ms: z.number() }),
 *   outputSchema: z.object({}),
 *   annotations: { readOnlyHint: true },
 * }, async ({ ms }) => {
 *   await new Promise((resolve) => setTimeout(resolve, ms));
 *   return { content: [{ type: "text", text: "{}" }], structuredContent: {} };
 * });
 * ```
 */
export function registerTaskTool<Input extends z.ZodType>(
  server: McpServer,
  tasks: CancellableTaskStore,
  name: string,
  config: TaskToolConfig<Input>,
  body: TaskToolBody<Input>,
  options: TaskToolOptions = {},
): void {
  const handler: ToolTaskHandler<z.ZodType> = {
    createTask: async (args: unknown, extra: CreateTaskRequestHandlerExtra) => {
      const input = args as z.infer<Input>;
      // A failure here is the body's to report, as its result.
      await options.before?.().catch(() => {});
      const created = await extra.taskStore.createTask({ ttl: extra.taskRequestedTtl });
      const id = created.taskId;
      if (!tasks.isRequested(id)) {
        // A plain call: answer in this request; the finished task makes the SDK return at once.
        const result = await body(input, extra, UNTRACKED);
        await extra.taskStore.storeTaskResult(id, result.isError ? "failed" : "completed", result);
        return { task: { ...created, status: result.isError ? "failed" : "completed" } };
      }
      const signal = tasks.signalOf(id)!;
      let jobId: string | undefined;
      const status = (to: "working" | "input_required", message?: string) => {
        if (signal.aborted) return;
        extra.taskStore.updateTaskStatus(id, to, message).catch((error: unknown) => {
          tasks.logger.error(`${name}: task ${id}: could not update its status`, error);
        });
      };
      const progress: TaskProgress = {
        taskId: id,
        note: (message) => status("working", message),
        waitingForPerson: (waiting) =>
          waiting
            ? status("input_required", "waiting for the person to approve the command")
            : status("working", "the person's question is settled"),
        attachJob: (job) => {
          jobId = job;
          tasks.attachJob(id, job);
        },
      };
      void body(input, { ...extra, signal }, progress).then(async (result) => {
        // A cancelled or forgotten task keeps the status it has; its result has no reader.
        if (signal.aborted) return;
        await extra.taskStore.storeTaskResult(id, result.isError ? "failed" : "completed", result);
      }).catch((error: unknown) => {
        tasks.logger.error(`${name}: task ${id}: could not store its result`, error);
      });
      // The body ran up to its first wait, so a job it started or follows is known by now.
      const about = jobId === undefined ? "" : ` on job ${jobId}`;
      const immediate = `${name} runs as task ${id}${about}; its result comes with tasks/result.`;
      return { task: created, _meta: { [IMMEDIATE_RESPONSE]: immediate } };
    },
    // The SDK serves tasks/get and tasks/result from the store; these answer the same.
    getTask: (_args: unknown, extra: TaskRequestHandlerExtra) =>
      extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (_args: unknown, extra: TaskRequestHandlerExtra) =>
      await extra.taskStore.getTaskResult(extra.taskId) as CallToolResult,
  };
  server.experimental.tasks.registerToolTask(name, {
    ...config,
    execution: { taskSupport: "optional" },
  }, handler);
}
