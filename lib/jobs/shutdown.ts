/**
 * Ending the server: every path out (client gone, SIGTERM, SIGINT) stops every job and its
 * descendants first, exactly once.
 *
 * @module
 */
import type { JobManager } from "./job_table.ts";

/** What else to end on the way out. */
export interface ShutdownOptions {
  /** Runs after every job has ended, before the process exits (e.g. close HTTP sessions). */
  readonly afterJobs?: () => Promise<void>;
}

/**
 * Returns a function that shuts `manager` down and exits, logging `why` (by default, that the
 * client disconnected); signals are wired to it too.
 */
export function installShutdown(
  manager: JobManager,
  log: (line: string) => void,
  options: ShutdownOptions = {},
): (why?: string) => void {
  let shuttingDown = false;
  const shutdown = (why: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const running = manager.runningCount;
    log(`shutting down (${why}): stopping ${running} running job(s)`);
    manager.shutdown()
      .then(() => options.afterJobs?.())
      .catch((error) => log(`shutdown error: ${error}`))
      .finally(() => Deno.exit(0));
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    Deno.addSignalListener(signal, () => shutdown(signal));
  }
  return (why = "client disconnected") => shutdown(why);
}
