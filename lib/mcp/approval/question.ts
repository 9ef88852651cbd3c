/**
 * The question a person sees when the allowlist refuses a command and `MCP_BG_APPROVAL=ask`: what
 * exactly would run, and three choices. Sent as an MCP form elicitation; the model never sees it.
 *
 * @module
 */
import type { ElicitRequestFormParams, ElicitResult } from "../sdk.ts";
import type { ApprovalSubject, PersonAnswer } from "../../jobs/approval_desk.ts";

/** What an elicitation came back with: an answer, or why there is none. */
export type QuestionOutcome = { answer: PersonAnswer } | { none: string };

/** `subject` as lines of text, one fact each, as the person reads them. */
export function describeSubject(subject: ApprovalSubject): string {
  const env = Object.entries(subject.envAdditions).map(([name, value]) =>
    `${name}=${JSON.stringify(value)}`
  );
  return [
    `Command: ${subject.command}`,
    `Program${subject.programs.length === 1 ? "" : "s"}: ${subject.programs.join(", ")}`,
    `Arguments: ${JSON.stringify(subject.argv.slice(1))}`,
    `Working directory: ${subject.cwd}`,
    `Added environment: ${env.length === 0 ? "none" : env.join(" ")}`,
    `Contained: ${
      subject.contained ? "yes (bubblewrap sandbox)" : "no (runs as the server's user)"
    }`,
    `Refused because: ${subject.refusal}`,
  ].join("\n");
}

/**
 * The elicitation that asks about `subject`.
 *
 * @example Usage
 * ```ts
 * import { approvalElicitation } from "./question.ts";
 * import assert from "node:assert/strict";
 * const params = approvalElicitation({
 *   command: "cargo build", programs: ["/usr/bin/cargo"], files: ["/usr/bin/cargo"],
 *   argv: ["cargo", "build"], cwd: "/w",
 *   envAdditions: {}, contained: true, refusal: "Command not in allowed patterns: cargo build",
 * });
 * assert.match(params.message, /Program: \/usr\/bin\/cargo/);
 * ```
 */
export function approvalElicitation(subject: ApprovalSubject): ElicitRequestFormParams {
  return {
    mode: "form",
    message: "An agent asks to run a command that this server's allowlist refuses. Allow it?\n\n" +
      describeSubject(subject),
    requestedSchema: {
      type: "object",
      properties: {
        decision: {
          type: "string",
          title: "Decision",
          oneOf: [
            { const: "once", title: "Allow once" },
            { const: "session", title: "Allow this exact command for this session" },
            { const: "deny", title: "Deny" },
          ],
        },
      },
      required: ["decision"],
    },
  };
}

/** The person's answer in `result`: accepted with a choice, declined (a denial), or cancelled. */
export function readElicitation(result: ElicitResult): QuestionOutcome {
  if (result.action === "decline") return { answer: "deny" };
  if (result.action === "cancel") return { none: "the person dismissed the question" };
  const decision = result.content?.decision;
  if (decision === "once" || decision === "session" || decision === "deny") {
    return { answer: decision };
  }
  return { none: "the answer chose none of the three" };
}
