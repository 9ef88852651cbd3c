/**
 * Test helpers for approval: an SDK client that declares the elicitation capability and answers
 * each question as the test's person does, recording every question it was asked.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";

/** How the test's person answers one question (the elicitation's params). */
export type Answerer = (params: ElicitRequest["params"]) => ElicitResult | Promise<ElicitResult>;

/** The person's choice, as an accepted form. */
export const choose = (decision: "once" | "session" | "deny"): ElicitResult => ({
  action: "accept",
  content: { decision },
});

/** A client with a person behind it, and the questions the person was asked. */
export interface PersonClient {
  readonly client: Client;
  readonly questions: ElicitRequest["params"][];
  /** Changes how the person answers from now on. */
  answerWith(answer: Answerer): void;
}

/** A client that declares elicitation and answers with `answer` (changeable later). */
export function personClient(answer: Answerer): PersonClient {
  const client = new Client(
    { name: "mcp-background-job-person-tests", version: "1.0.0" },
    { capabilities: { elicitation: {} } },
  );
  const questions: ElicitRequest["params"][] = [];
  let current = answer;
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    questions.push(request.params);
    return current(request.params);
  });
  return { client, questions, answerWith: (next) => current = next };
}
