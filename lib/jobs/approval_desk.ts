/**
 * The questions waiting for a person: commands the allowlist refused that a session asked the
 * person to approve. Each session asks through its own client (MCP elicitation); the desk holds
 * every open question of every session too, so that the live console can show them and the person
 * can answer there. The first answer wins, wherever it comes from.
 *
 * @module
 */
import type { PersonApproval } from "./job.ts";

/** A person's answer: allow once, allow for the session, or deny. */
export type PersonAnswer = PersonApproval | "deny";

/** Every {@linkcode PersonAnswer}, for validation. */
export const PERSON_ANSWERS: readonly PersonAnswer[] = ["once", "session", "deny"];

/** What the person is asked about: exactly what would run. */
export interface ApprovalSubject {
  /** The command line as the client wrote it. */
  readonly command: string;
  /** Each program the line runs, its real file when found. */
  readonly programs: readonly string[];
  /** Their real files: an approval holds while each is still the same file, unchanged. */
  readonly files: readonly string[];
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly envAdditions: Readonly<Record<string, string>>;
  readonly contained: boolean;
  /** Why the allowlist refused it. */
  readonly refusal: string;
}

/** One open question, as the console lists it. */
export interface OpenQuestion extends ApprovalSubject {
  /** A random id: the console answers by it. */
  readonly id: string;
  /** When it was asked (ISO 8601). */
  readonly asked: string;
}

interface Entry {
  readonly question: OpenQuestion;
  readonly answer: (answer: PersonAnswer) => void;
}

/**
 * The open questions of every session.
 *
 * @example Usage
 * ```ts
 * import { ApprovalDesk } from "./approval_desk.ts";
 * import assert from "node:assert/strict";
 * const desk = new ApprovalDesk();
 * let answered: string | undefined;
 * const subject = {
 *   command: "ls", programs: ["/usr/bin/ls"], files: ["/usr/bin/ls"], argv: ["ls"], cwd: "/",
 *   envAdditions: {}, contained: false, refusal: "not in allowed patterns",
 * };
 * const open = desk.post(subject, (answer) => answered = answer);
 * assert.equal(desk.list().length, 1);
 * assert.equal(desk.answer(open.id, "once"), true);
 * assert.equal(answered, "once");
 * assert.equal(desk.list().length, 0);
 * ```
 */
export class ApprovalDesk {
  readonly #open = new Map<string, Entry>();
  readonly #listeners = new Set<() => void>();
  #consoles = 0;

  /** Consoles open to answer questions (a client that cannot be asked is still served then). */
  get consolesOpen(): number {
    return this.#consoles;
  }

  /** Counts a console that can answer questions until the returned function is called. */
  attachConsole(): () => void {
    this.#consoles++;
    let attached = true;
    return () => {
      if (attached) this.#consoles--;
      attached = false;
    };
  }

  /** Opens a question; `answer` is called at most once, by {@linkcode answer}. */
  post(subject: ApprovalSubject, answer: (answer: PersonAnswer) => void): OpenQuestion {
    const question = { ...subject, id: crypto.randomUUID(), asked: new Date().toISOString() };
    this.#open.set(question.id, { question, answer });
    this.#changed();
    return question;
  }

  /** Closes question `id` without an answer (answered elsewhere, timed out, or withdrawn). */
  withdraw(id: string): void {
    if (this.#open.delete(id)) this.#changed();
  }

  /** Answers question `id`; `false` when it is not open (any more). */
  answer(id: string, answer: PersonAnswer): boolean {
    const entry = this.#open.get(id);
    if (entry === undefined) return false;
    this.#open.delete(id);
    entry.answer(answer);
    this.#changed();
    return true;
  }

  /** The open questions, oldest first. */
  list(): OpenQuestion[] {
    return [...this.#open.values()].map((entry) => entry.question);
  }

  /** Calls `listener` whenever a question opens or closes; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
