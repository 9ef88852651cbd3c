/**
 * The console's server-sent events: the job list whenever it changes, the questions waiting for
 * the person (`MCP_BG_APPROVAL=ask`), and one job's output as it arrives. Pull-driven: nothing is read from a job until the page has taken the previous event.
 *
 * @module
 */
import type { JobManager } from "../jobs/job_table.ts";
import type { Job } from "../jobs/job.ts";
import { describeJob } from "../mcp/job_view.ts";
import { raceTimeout } from "../timers.ts";
import { OutputFeed } from "./output_feed.ts";

/** The most jobs one list event carries, newest first. */
export const MAX_LISTED_JOBS = 500;
// Output changes a job's last line and sizes; the list is re-sent for that at most this often.
const LIST_INTERVAL_MS = 1000;
// A comment line this often keeps proxies and the browser from timing the stream out.
const KEEPALIVE_MS = 15_000;
const encoder = new TextEncoder();

/** A one-slot wake-up: `notify` before `wait` is not lost. */
class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;

  notify(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  /** Resolves `true` when notified, `false` after `ms`. */
  async wait(ms: number): Promise<boolean> {
    if (!this.#pending) {
      const notified = new Promise<void>((resolve) => this.#resolve = resolve);
      await raceTimeout(notified, ms, undefined);
      this.#resolve = undefined;
    }
    const woke = this.#pending;
    this.#pending = false;
    return woke;
  }
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** What one events stream follows. */
export interface ConsoleEventsOptions {
  /** The job whose output is sent; without it, only the list. */
  readonly jobId?: string;
  /** Called once when the stream ends, from either side. */
  readonly onClose?: () => void;
}

/** An events stream and the way to end it from the server's side. */
export interface ConsoleEvents {
  readonly body: ReadableStream<Uint8Array>;
  /** Ends the stream (the server is closing). */
  close(): void;
}

/**
 * Opens an events stream on `manager`: a `jobs` event at once and after every change, and `output`
 * events for `options.jobId`.
 *
 * @example Usage
 * ```ts
 * import { openConsoleEvents } from "./events.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * const events = openConsoleEvents(manager);
 * const reader = events.body.getReader();
 * const first = new TextDecoder().decode((await reader.read()).value);
 * assert.match(first, /^event: jobs\n/);
 * await reader.cancel();
 * await manager.shutdown();
 * ```
 */
export function openConsoleEvents(
  manager: JobManager,
  options: ConsoleEventsOptions = {},
): ConsoleEvents {
  const wake = new Wakeup();
  const followed = options.jobId === undefined ? undefined : manager.find(options.jobId);
  const feed = followed === undefined ? undefined : new OutputFeed(followed);
  let listChanged = true;
  let outputChanged = false;
  let feedChanged = feed !== undefined;
  let lastList = 0;
  let questionsChanged = true;
  let closed = false;
  let cancelled = false;

  const watched = new Map<Job, () => void>();
  const watch = (job: Job) => {
    watched.set(
      job,
      job.onChange(() => {
        outputChanged = true;
        if (job === followed) feedChanged = true;
        wake.notify();
      }),
    );
  };
  for (const job of manager.list()) if (job.status === "running") watch(job);
  const unsubscribe = manager.onEvent(({ kind, job }) => {
    if (kind === "started") watch(job);
    if (kind !== "started") {
      watched.get(job)?.();
      watched.delete(job);
    }
    listChanged = true;
    if (job === followed) feedChanged = true;
    wake.notify();
  });

  const offDesk = manager.approvals.onChange(() => {
    questionsChanged = true;
    wake.notify();
  });

  let controller: ReadableStreamDefaultController<Uint8Array>;
  const stop = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    offDesk();
    for (const off of watched.values()) off();
    watched.clear();
    wake.notify();
    options.onClose?.();
  };

  const nextEvents = (): string => {
    let text = "";
    const now = Date.now();
    if (listChanged || (outputChanged && now - lastList >= LIST_INTERVAL_MS)) {
      const jobs = manager.list();
      text += event("jobs", {
        jobs: jobs.slice(0, MAX_LISTED_JOBS).map(describeJob),
        total: jobs.length,
        followed: options.jobId ?? null,
        // Whether the person may type into a tty job (MCP_BG_CONSOLE_INPUT).
        input: manager.config.consoleInput,
      });
      listChanged = outputChanged = false;
      lastList = now;
    }
    if (questionsChanged) {
      questionsChanged = false;
      text += event("approvals", { questions: manager.approvals.list() });
    }
    if (feed !== undefined && feedChanged) {
      feedChanged = false;
      for (const chunk of feed.read()) text += event("output", chunk);
    }
    return text;
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull() {
      while (!closed) {
        const text = nextEvents();
        if (text !== "") return controller.enqueue(encoder.encode(text));
        const listDue = outputChanged ? LIST_INTERVAL_MS - (Date.now() - lastList) : KEEPALIVE_MS;
        const woke = await wake.wait(Math.max(1, listDue));
        if (!woke && !outputChanged && !closed) {
          return controller.enqueue(encoder.encode(": keepalive\n\n"));
        }
      }
      // A stream the page cancelled is closed already.
      if (!cancelled) controller.close();
    },
    cancel() {
      cancelled = true;
      stop();
    },
  });
  return { body, close: stop };
}
