/**
 * `wait_for_job`: wait for a job to end or to print a matching line, within a bounded time.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { ToolError } from "../../errors.ts";
import { MAX_WAIT_SECONDS, waitForJob } from "../../jobs/waiting.ts";
import { portDetection } from "../../jobs/listening.ts";
import { loadPatterns } from "../../output/load_patterns.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { describeJob, jobIdSchema, jobStatusReference } from "../job_view.ts";
import type { CancellableTaskStore } from "../task_store.ts";
import { registerTaskTool, type TaskToolBody } from "../task_tool.ts";
import { chosenStreams, cursorSchema, streamChoiceSchema } from "../stream_params.ts";

/** Seconds waited when the client gives no timeout. */
export const DEFAULT_WAIT_SECONDS = 30;

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description: "Wait until the job ends, a line matches `pattern`, it listens on TCP `port`, or " +
    "`timeout` seconds pass; output already held counts, from the cursors given. Use instead " +
    "of sleep.",
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    pattern: z.string().min(1).optional().describe(
      'RE2 regex for a line, e.g. "port \\\\d+"',
    ),
    port: z.union([z.literal(true), z.number().int().min(1).max(65535)]).optional().describe(
      "true: any port",
    ),
    stream: streamChoiceSchema,
    stdout_cursor: cursorSchema,
    stderr_cursor: cursorSchema,
    timeout: z.number().gt(0).max(MAX_WAIT_SECONDS).default(DEFAULT_WAIT_SECONDS),
  }),
  outputSchema: jobStatusReference.extend({
    reason: z.enum(["exited", "matched", "listening", "timeout"]),
    match: z.object({
      stream: z.enum(["stdout", "stderr"]),
      line: z.number().int().describe("1-based"),
      text: z.string(),
    }).nullable(),
    stdout_cursor: z.number().int(),
    stderr_cursor: z.number().int(),
    waited_ms: z.number().int(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `wait_for_job` on `server`, callable as a task kept in `tasks`. */
export function registerWaitForJob(
  server: McpServer,
  manager: JobManager,
  tasks: CancellableTaskStore,
): void {
  const wait: TaskToolBody<typeof DEFINITION.inputSchema> = (args, extra, task) =>
    runTool("wait_for_job", manager.logger, async () => {
      const job = manager.get(args.job_id);
      const ports = portDetection();
      if (args.port !== undefined && !ports.available) {
        throw new ToolError(
          `Cannot wait for a port here: ${ports.reason}. Wait with a pattern for the line the ` +
            "program prints once it is ready instead",
        );
      }
      task.attachJob(job.id);
      const pattern = args.pattern === undefined
        ? undefined
        : (await loadPatterns()).compilePattern("pattern", args.pattern);
      const progressToken = extra._meta?.progressToken;
      const awaited = [
        args.pattern === undefined ? undefined : `/${args.pattern}/`,
        args.port === undefined ? undefined : args.port === true ? "a port" : `port ${args.port}`,
      ].filter((part) => part !== undefined);
      const what = awaited.length === 0 ? "the job to end" : awaited.join(" or ");
      const onTick = progressToken === undefined ? undefined : (elapsedMs: number) => {
        const seconds = Math.round(elapsedMs / 1000);
        extra.sendNotification({
          method: "notifications/progress",
          params: {
            progressToken,
            progress: elapsedMs / 1000,
            total: args.timeout,
            message: `waiting for ${what}: ${seconds} s of ${args.timeout} s`,
          },
        }).catch((error: unknown) => {
          manager.logger.error("wait_for_job: could not send progress", error);
        });
      };
      const outcome = await waitForJob(job, {
        pattern,
        port: args.port,
        streams: chosenStreams(args.stream),
        cursors: { stdout: args.stdout_cursor, stderr: args.stderr_cursor },
        timeoutMs: args.timeout * 1000,
        signal: extra.signal,
        onTick,
      });
      // The client no longer listens for this answer; the error only ends the handler.
      if (outcome.reason === "cancelled") throw new ToolError("Wait cancelled by the client");
      return jsonResult({
        reason: outcome.reason,
        match: outcome.match,
        stdout_cursor: outcome.cursors.stdout,
        stderr_cursor: outcome.cursors.stderr,
        waited_ms: outcome.waitedMs,
        ...describeJob(job),
      });
    });
  registerTaskTool(server, tasks, "wait_for_job", DEFINITION, wait);
}
