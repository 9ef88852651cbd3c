/**
 * `execute_command`: start a command line as a background job.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { MAX_TIMER_SECONDS } from "../../settings/config.ts";
import { MAX_NAME_LENGTH } from "../../jobs/start_options.ts";
import { type Job, STDIN_MODES } from "../../jobs/job.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { ToolError } from "../../errors.ts";
import { describeExecuteCommand } from "../command_description.ts";
import { askChannel, startWithApproval } from "../approval/approved_start.ts";
import type { SessionApprovals } from "../approval/session_approvals.ts";
import type { TaskProgress, TaskToolExtra } from "../task_tool.ts";
import { loadedTerminalSupport, loadTerminalSupport } from "../../jobs/terminal_support.ts";
import { TERMINAL_COLS, TERMINAL_ROWS } from "../../jobs/terminal_process.ts";
import type { StartOptions } from "../../jobs/job_table.ts";

/**
 * The arguments of every tool that starts a job: the command line and its start options. Their
 * meaning is told once, in `execute_command`'s schema; `run_command` refers to it.
 */
export const startJobShape = {
  command: z.string(),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout: z.number().int().min(1).max(MAX_TIMER_SECONDS).optional(),
  name: z.string().min(1).max(MAX_NAME_LENGTH).optional(),
  stdin: z.enum(STDIN_MODES).optional(),
  tty: z.boolean().optional(),
  cols: z.number().int().optional(),
  rows: z.number().int().optional(),
};

const describedStartJobShape = {
  ...startJobShape,
  cwd: startJobShape.cwd.describe("inside the working directory"),
  env: startJobShape.env.describe("added variables (PATH, LD_* and such are refused)"),
  timeout: startJobShape.timeout.describe("seconds, then the job is killed"),
  name: startJobShape.name.describe("a label for list_jobs"),
  stdin: startJobShape.stdin.describe("closed: end-of-file at once"),
};

/** Where a tool that starts jobs asks the person about a command the allowlist refuses. */
export interface StartApproval {
  readonly server: McpServer;
  /** The session's approvals; `undefined` when `MCP_BG_APPROVAL` is off. */
  readonly approvals: SessionApprovals | undefined;
}

/**
 * Validates `args` as `execute_command` does and starts the job (see {@linkcode JobManager.start}),
 * asking the person first when the allowlist alone refuses it and approval is on.
 */
export function startJob(
  manager: JobManager,
  args: z.infer<z.ZodObject<typeof startJobShape>>,
  approval: StartApproval,
  extra: TaskToolExtra,
  progress?: TaskProgress,
): Job | Promise<Job> {
  const { command, cwd, env, timeout, name, stdin, tty, cols, rows } = args;
  const timeoutMs = manager.config.approvalTimeoutSeconds * 1000;
  const start = (terminal?: StartOptions["terminal"]) =>
    startWithApproval(
      manager,
      command,
      { cwd, env, timeoutSeconds: timeout, name, stdin, session: extra.sessionId, terminal },
      approval.approvals,
      () => askChannel(approval.server, extra, timeoutMs, progress),
      extra.signal,
    );
  if (!tty) {
    if (cols !== undefined || rows !== undefined) {
      throw new ToolError("Invalid cols/rows: they size a tty job's terminal; add tty: true");
    }
    // Callers wait for the executor first (a task names its job in its first answer); this
    // only keeps a caller that did not from failing.
    return manager.isReady ? start() : manager.ready().then(() => start());
  }
  // The first tty job waits for the terminal modules too; later ones start at once.
  const size = { cols: cols ?? TERMINAL_COLS.default, rows: rows ?? TERMINAL_ROWS.default };
  const support = loadedTerminalSupport();
  if (support !== undefined && manager.isReady) return start({ ...size, support });
  return Promise.all([loadTerminalSupport(), manager.ready()]).then(([support]) =>
    start({ ...size, support })
  );
}

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  inputSchema: z.strictObject({
    ...describedStartJobShape,
    if_running: z.enum(["start", "reuse"]).optional().describe(
      "reuse: the running job of this name, if any",
    ),
  }),
  outputSchema: z.object({ job_id: z.string(), reused: z.boolean().optional() }),
  annotations: { destructiveHint: true },
};

/** Registers `execute_command` on `server`. */
export function registerExecuteCommand(
  server: McpServer,
  manager: JobManager,
  approvals?: SessionApprovals,
): void {
  // The description follows the configuration; the schemas are the shared ones.
  server.registerTool("execute_command", {
    ...DEFINITION,
    description: describeExecuteCommand(manager.config),
  }, ({ if_running, ...args }, extra) =>
    runTool("execute_command", manager.logger, async () => {
      // Look for a running job only once nothing is left to wait for before the start (the
      // executor's choice, the terminal modules): two calls in that moment would both find none
      // and start two.
      if (!manager.isReady) await manager.ready();
      // A terminal that cannot load is refused by startJob, after a reuse found nothing.
      if (args.tty) await loadTerminalSupport().catch(() => {});
      if (if_running === "reuse") {
        if (args.name === undefined) {
          throw new ToolError('Invalid if_running: "reuse" needs a name to find the job by');
        }
        const running = manager.runningNamed(args.name);
        if (running !== undefined) return jsonResult({ job_id: running.id, reused: true });
      }
      const job = await startJob(manager, args, { server, approvals }, extra);
      return jsonResult({ job_id: job.id });
    }));
}
