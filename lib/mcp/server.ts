/**
 * `createServer`: one MCP server with every tool, shared by every transport.
 *
 * @module
 */
import { McpServer, onServerClose } from "./sdk.ts";
import type { JobManager } from "../jobs/job_table.ts";
import { VERSION } from "../version.ts";
import { registerExecuteCommand } from "./tools/execute_command.ts";
import { registerListJobs } from "./tools/list_jobs.ts";
import { registerGetJobStatus } from "./tools/get_job_status.ts";
import { registerGetJobOutput } from "./tools/get_job_output.ts";
import { registerTailJobOutput } from "./tools/tail_job_output.ts";
import { registerInteractWithJob } from "./tools/interact_with_job.ts";
import { registerKillJob } from "./tools/kill_job.ts";
import { registerJobResources } from "./resources.ts";
import { registerJobLogging } from "./logging.ts";
import { registerWaitForJob } from "./tools/wait_for_job.ts";
import { registerReadJobOutput } from "./tools/read_job_output.ts";
import { registerSendSignal } from "./tools/send_signal.ts";
import { registerCloseStdin } from "./tools/close_stdin.ts";
import { listToolsCompactly } from "./tool_list.ts";
import { registerRunCommand } from "./tools/run_command.ts";
import { CancellableTaskStore } from "./task_store.ts";
import { TaskMessages } from "./task_messages.ts";
import { SessionApprovals } from "./approval/session_approvals.ts";
import { registerConsoleUrl } from "./tools/console_url.ts";

/** How soon `tasks/result` answers once its task has ended, at most (ms). */
export const TASK_RESULT_CHECK_MS = 50;

/** What a server offers beyond the job tools. */
export interface ServerOptions {
  /** Makes a link to the live console; with it, the `console_url` tool is offered. */
  readonly consoleUrl?: () => string;
}

/**
 * Creates an MCP server whose tools act on `manager`'s jobs. Each server keeps its own tasks:
 * tasks belong to the session that made them, and their work ends with it.
 *
 * @example Usage
 * ```ts
 * import { createServer } from "./server.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * const server = createServer(new JobManager(loadConfig({}, Deno.cwd())));
 * await server.close();
 * ```
 */
export function createServer(manager: JobManager, options: ServerOptions = {}): McpServer {
  // A task's result describes a job, so it is kept no longer than a finished job is.
  const tasks = new CancellableTaskStore({
    maxTtlMs: manager.config.cleanupIntervalSeconds * 1000,
    logger: manager.logger,
  });
  const server = new McpServer({ name: "mcp-background-job", version: VERSION }, {
    capabilities: {
      logging: {},
      resources: { subscribe: true, listChanged: true },
      tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
    },
    taskStore: tasks,
    // Requests a task sends its client (a question to the person) wait here for tasks/result.
    taskMessageQueue: new TaskMessages(),
    // How often a blocked tasks/result looks at its task (a Map lookup); tasks suggest no interval.
    defaultTaskPollInterval: TASK_RESULT_CHECK_MS,
  });
  const stopFollowingJobs = manager.onEvent((event) => {
    if (event.kind === "dropped") tasks.jobDropped(event.job.id);
  });
  const approvals = manager.config.approval === "ask"
    ? new SessionApprovals(manager.approvals, {
      timeoutMs: manager.config.approvalTimeoutSeconds * 1000,
      consoleOpen: () => manager.approvals.consolesOpen > 0,
    })
    : undefined;
  onServerClose(server, () => {
    approvals?.close();
    stopFollowingJobs();
    tasks.close();
  });
  listToolsCompactly(server);
  registerExecuteCommand(server, manager, approvals);
  registerListJobs(server, manager);
  registerGetJobStatus(server, manager);
  registerGetJobOutput(server, manager);
  registerTailJobOutput(server, manager);
  registerInteractWithJob(server, manager);
  registerKillJob(server, manager);
  registerJobResources(server, manager);
  registerJobLogging(server, manager);
  registerWaitForJob(server, manager, tasks);
  registerRunCommand(server, manager, tasks, approvals);
  registerReadJobOutput(server, manager);
  registerSendSignal(server, manager);
  registerCloseStdin(server, manager);
  if (options.consoleUrl !== undefined) registerConsoleUrl(server, manager, options.consoleUrl);
  return server;
}
