/**
 * `run_command`: run a command line to its end and return its final status and the end of its
 * output; best called as an MCP task, which answers at once and can be cancelled.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { readStream } from "../../output/reading.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeJob, jobStatusReference } from "../job_view.ts";
import type { CancellableTaskStore } from "../task_store.ts";
import { registerTaskTool, type TaskToolBody } from "../task_tool.ts";
import { startJob, startJobShape } from "./execute_command.ts";
import type { SessionApprovals } from "../approval/session_approvals.ts";
import { DEFAULT_MAX_BYTES } from "../output_view.ts";

/** Lines of each stream returned when the client gives no `tail_lines`. */
export const DEFAULT_TAIL_LINES = 50;
/** The most bytes of each stream a result carries: the budget of every output-bearing result. */
export const MAX_TAIL_BYTES = DEFAULT_MAX_BYTES;

// A tty job run to its end keeps the default size: the listing stays short.
const { cols: _cols, rows: _rows, ...runShape } = startJobShape;

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "execute_command (inputs as there) run to its end: returns the final status and each " +
    "stream's last tail_lines lines. Best as a task; cancelling it (or the call) kills the job. " +
    "A plain call lasts as long as the command.",
  inputSchema: z.strictObject({
    ...runShape,
    tail_lines: z.number().int().min(1).max(1000).default(DEFAULT_TAIL_LINES).describe(
      `per stream, ≤${MAX_TAIL_BYTES / 1024} KiB`,
    ),
  }),
  outputSchema: jobStatusReference.extend({
    stdout_tail: z.string(),
    stderr_tail: z.string(),
    stdout_omitted_bytes: z.number().int(),
    stderr_omitted_bytes: z.number().int(),
  }),
  annotations: { destructiveHint: true },
};

/** Registers `run_command` on `server`, callable as a task kept in `tasks`. */
export function registerRunCommand(
  server: McpServer,
  manager: JobManager,
  tasks: CancellableTaskStore,
  approvals?: SessionApprovals,
): void {
  const run: TaskToolBody<typeof DEFINITION.inputSchema> = (input, extra, task) =>
    runTool("run_command", manager.logger, async () => {
      const { tail_lines, ...start } = input;
      const started = startJob(manager, start, { server, approvals }, extra, task);
      // Started at once unless a person is asked: then the task is told its job only later.
      const job = started instanceof Promise ? await started : started;
      task.attachJob(job.id);
      task.note(`job ${job.id} running: ${job.command}`);
      // Nobody will read the answer any more: the job was this call's alone.
      const stop = () =>
        void job.kill("user").catch((error: unknown) => {
          manager.logger.error(`run_command: job ${job.id}: kill failed`, error);
        });
      if (extra.signal.aborted) stop();
      extra.signal.addEventListener("abort", stop, { once: true });
      try {
        await job.done;
      } finally {
        extra.signal.removeEventListener("abort", stop);
      }
      const result: Record<string, unknown> = { ...describeJob(job) };
      for (const stream of ["stdout", "stderr"] as const) {
        const read = readStream(job[stream], stream, {
          lines: tail_lines,
          maxBytes: MAX_TAIL_BYTES,
          final: true,
        });
        result[`${stream}_tail`] = read.text;
        result[`${stream}_omitted_bytes`] = read.omittedBytes;
      }
      return jsonResult(result);
    });
  registerTaskTool(server, tasks, "run_command", DEFINITION, run, {
    before: () => manager.ready(),
  });
}
