/**
 * Jobs as MCP resources: `job://{job_id}/stdout`, `…/stderr` and `…/status`, listed while the job
 * is in memory, with `resources/subscribe` so a client can watch a job without polling.
 *
 * @module
 */
import {
  McpError,
  type McpServer,
  onServerClose,
  ResourceTemplate,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "./sdk.ts";
import type { JobManager } from "../jobs/job_table.ts";
import type { Job } from "../jobs/job.ts";
import { describeJob } from "./job_view.ts";
import type { Logger } from "../logger.ts";
import { DEFAULT_MAX_BYTES, streamText } from "./output_view.ts";

/** The three resources every job has. */
export type JobResourceKind = "stdout" | "stderr" | "status";

const KINDS: readonly JobResourceKind[] = ["stdout", "stderr", "status"];
const MIME_TYPES: Record<JobResourceKind, string> = {
  stdout: "text/plain",
  stderr: "text/plain",
  status: "application/json",
};
// JSON-RPC error code the MCP specification gives to an unknown resource.
const RESOURCE_NOT_FOUND = -32002;
const URI_PATTERN = /^job:\/\/([^/]+)\/(stdout|stderr|status)$/;

/** Options for {@linkcode registerJobResources}. */
export interface JobResourceOptions {
  /** Least milliseconds between two `updated` notifications for one resource. Default 250. */
  readonly updateIntervalMs?: number;
}

/**
 * The URI of one of a job's resources.
 *
 * @example Usage
 * ```ts
 * import { jobResourceUri } from "./resources.ts";
 * import assert from "node:assert/strict";
 * assert.equal(jobResourceUri("abc", "stdout"), "job://abc/stdout");
 * ```
 */
export function jobResourceUri(jobId: string, kind: JobResourceKind): string {
  return `job://${jobId}/${kind}`;
}

function parseUri(uri: string): { jobId: string; kind: JobResourceKind } | undefined {
  const match = URI_PATTERN.exec(uri);
  if (match === null) return undefined;
  return { jobId: decodeURIComponent(match[1]), kind: match[2] as JobResourceKind };
}

function findJob(manager: JobManager, uri: string): { job: Job; kind: JobResourceKind } {
  const parsed = parseUri(uri);
  const job = parsed && manager.find(parsed.jobId);
  if (parsed === undefined || job === undefined) {
    throw new McpError(RESOURCE_NOT_FOUND, `Resource "${uri}" not found`, { uri });
  }
  return { job, kind: parsed.kind };
}

function readJob(job: Job, kind: JobResourceKind, uri: string) {
  if (kind === "status") {
    return {
      contents: [{
        uri,
        mimeType: MIME_TYPES.status,
        text: JSON.stringify(describeJob(job)),
      }],
    };
  }
  const { text } = streamText(job[kind], kind);
  return { contents: [{ uri, mimeType: MIME_TYPES[kind], text }] };
}

const DESCRIPTIONS: Record<JobResourceKind, string> = {
  stdout:
    `A job's standard output: its newest ${DEFAULT_MAX_BYTES} bytes, cleaned of colour codes.`,
  stderr: `A job's standard error: its newest ${DEFAULT_MAX_BYTES} bytes, cleaned of colour codes.`,
  status: "A job's status as get_job_status reports it, as JSON.",
};

/**
 * Registers the job resources and `resources/subscribe` on `server`. Subscribed resources get
 * `notifications/resources/updated` as output arrives (at most one per `updateIntervalMs`) and at
 * once when the job ends; every client gets `notifications/resources/list_changed` when a job is
 * added or dropped.
 */
export function registerJobResources(
  server: McpServer,
  manager: JobManager,
  options: JobResourceOptions = {},
): void {
  for (const kind of KINDS) {
    const template = new ResourceTemplate(`job://{job_id}/${kind}`, {
      list: () => ({
        resources: manager.list().map((job) => ({
          uri: jobResourceUri(job.id, kind),
          name: `${job.id}/${kind}`,
          title: `${kind} of ${job.command}`,
          mimeType: MIME_TYPES[kind],
        })),
      }),
    });
    server.registerResource(`job-${kind}`, template, {
      title: `Job ${kind}`,
      description: DESCRIPTIONS[kind],
      mimeType: MIME_TYPES[kind],
    }, (uri) => {
      const found = findJob(manager, uri.href);
      return readJob(found.job, found.kind, uri.href);
    });
  }

  const subscriptions = new Subscriptions(server, {
    intervalMs: options.updateIntervalMs ?? 250,
    logger: manager.logger,
  });
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscriptions.add(findJob(manager, request.params.uri).job, request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.remove(request.params.uri);
    return {};
  });
  const stopListening = manager.onEvent((event) => {
    if (event.kind === "dropped") subscriptions.removeJob(event.job.id);
    if (event.kind !== "ended") server.sendResourceListChanged();
  });
  onServerClose(server, () => {
    stopListening();
    subscriptions.clear();
  });
}

interface Subscription {
  readonly job: Job;
  readonly stopListening: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  lastSent: number;
  endSent: boolean;
}

/** One client's subscribed resources, each with its own throttle timer. */
class Subscriptions {
  readonly #server: McpServer;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #byUri = new Map<string, Subscription>();

  constructor(server: McpServer, options: { intervalMs: number; logger: Logger }) {
    this.#server = server;
    this.#intervalMs = options.intervalMs;
    this.#logger = options.logger;
  }

  add(job: Job, uri: string): void {
    if (this.#byUri.has(uri)) return;
    const subscription: Subscription = {
      job,
      stopListening: job.onChange(() => this.#changed(uri, subscription)),
      timer: undefined,
      lastSent: 0,
      endSent: job.status !== "running",
    };
    this.#byUri.set(uri, subscription);
  }

  remove(uri: string): void {
    const subscription = this.#byUri.get(uri);
    if (subscription === undefined) return;
    clearTimeout(subscription.timer);
    subscription.stopListening();
    this.#byUri.delete(uri);
  }

  removeJob(jobId: string): void {
    for (const [uri, subscription] of this.#byUri) {
      if (subscription.job.id === jobId) this.remove(uri);
    }
  }

  clear(): void {
    for (const uri of [...this.#byUri.keys()]) this.remove(uri);
  }

  #changed(uri: string, subscription: Subscription): void {
    // The end is news a client waits for: it goes out at once, never throttled.
    if (subscription.job.status !== "running" && !subscription.endSent) {
      subscription.endSent = true;
      clearTimeout(subscription.timer);
      subscription.timer = undefined;
      this.#send(uri, subscription);
      return;
    }
    if (subscription.timer !== undefined) return;
    const wait = subscription.lastSent + this.#intervalMs - Date.now();
    if (wait <= 0) {
      this.#send(uri, subscription);
      return;
    }
    subscription.timer = setTimeout(() => {
      subscription.timer = undefined;
      this.#send(uri, subscription);
    }, wait);
  }

  #send(uri: string, subscription: Subscription): void {
    subscription.lastSent = Date.now();
    if (!this.#server.isConnected()) return;
    this.#server.server.sendResourceUpdated({ uri }).catch((error: unknown) => {
      this.#logger.error(`could not notify an update of "${uri}"`, error);
    });
  }
}
