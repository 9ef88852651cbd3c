/**
 * The server's own diagnostics: failures no client call is waiting to hear about (a listener
 * that threw, a kill that failed). They go to a {@linkcode Logger} handed down from `main.ts`
 * through the job table, never to stdout, which carries MCP messages over stdio.
 *
 * @module
 */

/** Where diagnostics go. */
export interface Logger {
  /** Reports `what` failed, with the error or reason that caused it. */
  error(what: string, cause: unknown): void;
}

/**
 * The default: one line per failure on stderr, prefixed with the server's name, the cause's stack
 * when it has one.
 *
 * @example Usage
 * ```ts
 * import { JobManager } from "./jobs/job_table.ts";
 * import { loadConfig } from "./settings/config.ts";
 * import { stderrLogger } from "./logger.ts";
 * // What a JobManager uses when given no logger.
 * const manager = new JobManager(loadConfig({}, Deno.cwd()), { logger: stderrLogger });
 * await manager.shutdown();
 * ```
 */
export const stderrLogger: Logger = {
  error(what, cause) {
    console.error(`[mcp-background-job] ${what}:`, cause);
  },
};

/**
 * A logger that keeps every report, for tests and embedders that check what was logged.
 *
 * @example Usage
 * ```ts
 * import { MemoryLogger } from "./logger.ts";
 * import assert from "node:assert/strict";
 * const logger = new MemoryLogger();
 * logger.error("kill failed", new Error("gone"));
 * assert.deepEqual(logger.lines, ["kill failed: gone"]);
 * ```
 */
export class MemoryLogger implements Logger {
  /** Each report as `what: cause message`. */
  readonly lines: string[] = [];

  /** Keeps the report. */
  error(what: string, cause: unknown): void {
    this.lines.push(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
