/**
 * Starting a job when `MCP_BG_APPROVAL=ask`: a command the allowlist alone refuses is put to the
 * person, and starts only with their approval of exactly what they were shown. Every other
 * refusal (denylist, control characters, `--allow-run`, the environment rules, containment) is
 * final and never asked about.
 *
 * @module
 */
import type { JobManager, PreparedStart, StartOptions } from "../../jobs/job_table.ts";
import type { Job } from "../../jobs/job.ts";
import type { ApprovalSubject } from "../../jobs/approval_desk.ts";
import { InvalidCommandError, ToolError } from "../../errors.ts";
import { ElicitResultSchema, type McpServer } from "../sdk.ts";
import type { TaskProgress, TaskToolExtra } from "../task_tool.ts";
import { type AskChannel, type SessionApprovals, subjectDigest } from "./session_approvals.ts";

/** What the person is shown about `prepared`. */
function subjectOf(prepared: PreparedStart): ApprovalSubject {
  return {
    command: prepared.command,
    programs: prepared.programs,
    files: prepared.files,
    argv: prepared.argv,
    cwd: prepared.cwd,
    envAdditions: prepared.envAdditions,
    contained: prepared.contained,
    refusal: prepared.allowlistRefusal?.reason ?? "",
  };
}

// The SDK's own request timeout must not end a question before MCP_BG_APPROVAL_TIMEOUT does.
const REQUEST_TIMEOUT_SLACK_MS = 5000;

/**
 * How a tool call reaches its person: the client's elicitation, when it declared the capability
 * (within a task, queued for `tasks/result` while the task is `input_required`).
 */
export function askChannel(
  server: McpServer,
  extra: TaskToolExtra,
  timeoutMs: number,
  progress?: TaskProgress,
): AskChannel {
  const taskId = progress?.taskId;
  const waiting = (on: boolean) => progress?.waitingForPerson(on);
  if (server.server.getClientCapabilities()?.elicitation?.form === undefined) return { waiting };
  return {
    elicit: (params, signal) =>
      extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema, {
        signal,
        timeout: timeoutMs + REQUEST_TIMEOUT_SLACK_MS,
        ...(taskId !== undefined && { relatedTask: { taskId } }),
      }),
    waiting,
  };
}

/**
 * Starts `command` as a job; when the allowlist alone refuses it and `approvals` is set, only
 * once the person approves it. The command is checked again after the answer, and starts only if
 * it is still exactly what the person saw. A job that needs no question starts at once, not a
 * promise later (a task names its job in its first answer).
 *
 * @throws {InvalidCommandError} when refused, with why no approval came.
 */
export function startWithApproval(
  manager: JobManager,
  command: string,
  options: StartOptions,
  approvals: SessionApprovals | undefined,
  ask: () => AskChannel,
  signal?: AbortSignal,
): Job | Promise<Job> {
  const prepared = manager.prepare(command, options, approvals !== undefined);
  if (prepared.allowlistRefusal === undefined || approvals === undefined) {
    return manager.startPrepared(prepared);
  }
  manager.assertRunPermitted(prepared);
  return startApproved(manager, prepared, approvals, ask(), signal);
}

/** Asks about `prepared`, then starts it if it is still exactly what the person approved. */
async function startApproved(
  manager: JobManager,
  prepared: PreparedStart,
  approvals: SessionApprovals,
  channel: AskChannel,
  signal?: AbortSignal,
): Promise<Job> {
  const { command, options } = prepared;
  const subject = subjectOf(prepared);
  const { how, digest } = await approvals.decide(subject, channel);
  if (signal?.aborted) throw new ToolError("The call was cancelled while the person decided");
  const again = manager.prepare(command, options, true);
  if (again.allowlistRefusal === undefined) return manager.startPrepared(again);
  // Against the digest taken when asking: a program file rewritten meanwhile is another command.
  if (subjectDigest(subjectOf(again)) !== digest) {
    throw new InvalidCommandError(
      `${subject.refusal} (what it would run changed while the person decided; ask again)`,
    );
  }
  return manager.startPrepared(again, how);
}
