/**
 * The watcher of uncontained jobs: one small `sh` process, in a session of its own, holding a
 * pipe from the service. The service tells it each uncontained job's process group as the job
 * starts and ends; when the pipe closes — the service exited, or was SIGKILLed — it kills every
 * group still listed. Contained jobs need none of this: bubblewrap's --die-with-parent ends them.
 *
 * @module
 */
import type { JobManager } from "../jobs/job_table.ts";

// Reads "add <pgid>" / "del <pgid>" lines; at end-of-file kills the groups still listed.
const WATCHER_SCRIPT = `
live=" "
while read -r word pgid; do
  case "$pgid" in *[!0-9]*|"") continue;; esac
  case "$word" in
    add) live="$live$pgid ";;
    del) case "$live" in *" $pgid "*) live="\${live%% $pgid *} \${live#* $pgid }";; esac;;
  esac
done
for pgid in $live; do kill -9 "-$pgid" 2>/dev/null; done
`;

/** A running watcher; {@linkcode JobWatcher.pid} for tests and logs. */
export interface JobWatcher {
  readonly pid: number;
  /** Stops following jobs and lets the watcher exit (killing what is still listed). */
  close(): Promise<void>;
}

/**
 * Starts the watcher and tells it about every uncontained job `manager` starts and ends.
 *
 * @throws {Error} when `sh` cannot be run (not installed, or not in `--allow-run`).
 */
export function watchJobs(manager: JobManager): JobWatcher {
  const child = new Deno.Command("sh", {
    args: ["-c", WATCHER_SCRIPT],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
    // Its own session: a signal to the service's group does not reach it.
    detached: true,
    clearEnv: true,
  }).spawn();
  child.unref();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let writes = Promise.resolve();
  const tell = (line: string) => {
    writes = writes.then(() => writer.write(encoder.encode(line))).catch((error) =>
      manager.logger.error("job watcher: could not tell it about a job", error)
    );
  };
  const stop = manager.onEvent(({ kind, job }) => {
    if (job.contained) return;
    if (kind === "started") tell(`add ${job.pid}\n`);
    if (kind === "ended") tell(`del ${job.pid}\n`);
  });
  return {
    pid: child.pid,
    async close() {
      stop();
      await writes;
      await writer.close().catch(() => {
        // The watcher already exited: nothing left to tell.
      });
      await child.status;
    },
  };
}
