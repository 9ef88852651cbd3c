/**
 * One session's approvals: what the person allowed for the session or denied, and the questions
 * still open. Approvals live in memory only and are bound to a digest of exactly what was shown
 * (programs' real files, arguments, working directory, added environment, containment): anything
 * different asks again. No prompt storms: one question per identical command (concurrent calls
 * share its answer), a bounded number open per session, and a denied command is not asked again.
 *
 * @module
 */
import { sha256 } from "./digest.ts";
import { InvalidCommandError } from "../../errors.ts";
import type { PersonApproval } from "../../jobs/job.ts";
import type { ApprovalDesk, ApprovalSubject } from "../../jobs/approval_desk.ts";
import type { ElicitRequestFormParams, ElicitResult } from "../sdk.ts";
import { approvalElicitation, type QuestionOutcome, readElicitation } from "./question.ts";

/** Questions open at once in one session; one more is refused without asking. */
export const MAX_OPEN_QUESTIONS = 8;

/** How the person approved, and the digest of exactly what they were asked about. */
export interface Decision {
  readonly how: PersonApproval;
  /** `subjectDigest` as it was when asked: a start must still match it, file versions included. */
  readonly digest: string;
}

/** How a session reaches its person. */
export interface AskChannel {
  /** Sends the elicitation to the session's client; `undefined` when the client cannot be asked. */
  readonly elicit?: (params: ElicitRequestFormParams, signal: AbortSignal) => Promise<ElicitResult>;
  /** Told `true` while a question waits for the person, `false` once it is settled. */
  readonly waiting?: (waiting: boolean) => void;
}

/** How long questions wait, and whether a console can answer them. */
export interface SessionApprovalsOptions {
  readonly timeoutMs: number;
  /** Whether a console is open to answer questions of clients that cannot be asked. */
  readonly consoleOpen: () => boolean;
}

/**
 * Which file `path` is, and which version of it: a file replaced, rewritten or changed in any way
 * (even with its modification time set back) is another one. Deno reports the change time in whole
 * seconds only, so a rewrite within the same second is told apart by the bytes themselves.
 */
function fileVersion(path: string): string {
  try {
    const info = Deno.statSync(path);
    const stamp = [info.dev, info.ino, info.size, info.mtime?.getTime(), info.ctime?.getTime()];
    return `${stamp.join(":")}:${contentDigest(path)}`;
  } catch {
    // Gone or unreadable since the check: no approval of the file that was there holds.
    return "gone";
  }
}

/** SHA-256 of a file's bytes, read 1 MiB at a time so a large program does not sit in memory. */
function contentDigest(path: string): string {
  const hash = sha256();
  const chunk = new Uint8Array(1024 * 1024);
  using file = Deno.openSync(path);
  for (let read = file.readSync(chunk); read !== null; read = file.readSync(chunk)) {
    hash.update(chunk.subarray(0, read));
  }
  return hash.digest("hex");
}

/**
 * A digest of exactly what the person is shown (the refusal's wording aside), and of the version
 * of each program file. Synchronous, so that concurrent identical calls find each other's open
 * question without a gap between look and set.
 */
export function subjectDigest(subject: ApprovalSubject): string {
  const env = Object.entries(subject.envAdditions).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const versions = subject.files.map(fileVersion);
  const shown = [subject.programs, versions, subject.argv, subject.cwd, env, subject.contained];
  return sha256().update(JSON.stringify(shown)).digest("hex");
}

function refused(subject: ApprovalSubject, why: string): InvalidCommandError {
  return new InvalidCommandError(`${subject.refusal} (${why})`);
}

/**
 * The approvals of one MCP session, asking through `desk` (seen by the console) and the client.
 *
 * @example Usage
 * ```ts ignore
 * const approvals = new SessionApprovals(manager.approvals, { timeoutMs: 180_000, consoleOpen });
 * const { how, digest } = await approvals.decide(subject, { elicit });
 * ```
 */
export class SessionApprovals {
  readonly #desk: ApprovalDesk;
  readonly #options: SessionApprovalsOptions;
  readonly #allowed = new Set<string>();
  readonly #denied = new Set<string>();
  readonly #open = new Map<string, Promise<QuestionOutcome>>();
  readonly #closers = new Set<() => void>();

  /** Creates a session's empty memory. */
  constructor(desk: ApprovalDesk, options: SessionApprovalsOptions) {
    this.#desk = desk;
    this.#options = options;
  }

  /**
   * How the person approved `subject`: at once when allowed for the session, else after asking
   * (or joining the open question about the same command). The digest returned is the one the
   * approval is for, so the caller can check that nothing changed while the person decided.
   *
   * @throws {InvalidCommandError} the allowlist's refusal, with why no approval came.
   */
  async decide(subject: ApprovalSubject, channel: AskChannel): Promise<Decision> {
    const digest = subjectDigest(subject);
    if (this.#allowed.has(digest)) return { how: "session", digest };
    if (this.#denied.has(digest)) {
      throw refused(subject, "the person denied this exact command earlier in this session");
    }
    let question = this.#open.get(digest);
    if (question === undefined) {
      if (channel.elicit === undefined && !this.#options.consoleOpen()) {
        throw refused(
          subject,
          "MCP_BG_APPROVAL=ask, but this client cannot ask its person (no elicitation " +
            "capability) and no console is open; ask the person to widen MCP_BG_ALLOWED_COMMANDS",
        );
      }
      if (this.#open.size >= MAX_OPEN_QUESTIONS) {
        throw refused(
          subject,
          `${MAX_OPEN_QUESTIONS} questions already wait for the person in this session; ` +
            "try again once they are answered",
        );
      }
      question = this.#ask(subject, channel).finally(() => this.#open.delete(digest));
      this.#open.set(digest, question);
    }
    const outcome = await question;
    if ("none" in outcome) {
      throw refused(subject, `not approved: ${outcome.none}; it may be asked again`);
    }
    if (outcome.answer === "deny") {
      this.#denied.add(digest);
      throw refused(subject, "the person denied it; it is not asked again in this session");
    }
    if (outcome.answer === "session") this.#allowed.add(digest);
    return { how: outcome.answer, digest };
  }

  /** Withdraws every open question (the session closed): each is refused. */
  close(): void {
    for (const close of [...this.#closers]) close();
  }

  /** Asks on the desk and through the client at once; the first answer wins. */
  #ask(subject: ApprovalSubject, channel: AskChannel): Promise<QuestionOutcome> {
    const asking = new AbortController();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: QuestionOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#closers.delete(close);
        this.#desk.withdraw(open.id);
        asking.abort();
        channel.waiting?.(false);
        resolve(outcome);
      };
      const close = () => finish({ none: "the session closed" });
      this.#closers.add(close);
      const open = this.#desk.post(subject, (answer) => finish({ answer }));
      const seconds = Math.round(this.#options.timeoutMs / 1000);
      const timer = setTimeout(
        () => finish({ none: `no answer within ${seconds} s (MCP_BG_APPROVAL_TIMEOUT)` }),
        this.#options.timeoutMs,
      );
      channel.waiting?.(true);
      channel.elicit?.(approvalElicitation(subject), asking.signal).then(
        (result) => finish(readElicitation(result)),
        (error: unknown) => {
          // Aborted by `finish`: settled already. Otherwise the console may still answer.
          if (asking.signal.aborted) return;
          if (!this.#options.consoleOpen()) {
            finish({ none: `the client could not ask: ${(error as Error).message}` });
          }
        },
      );
    });
  }
}
