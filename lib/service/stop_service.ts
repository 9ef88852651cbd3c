/**
 * `--stop-service`: stops every job service of this user (each stops its jobs), and says what it
 * stopped.
 *
 * @module
 */
import { serviceBase } from "./service_paths.ts";
import type { ServiceStatus } from "./service.ts";
import { RECORD_FILE } from "./job_recorder.ts";

/** One line per service found: what was stopped, or why it was not. */
export async function stopServices(
  env: Readonly<Record<string, string | undefined>>,
  options: { timeoutMs?: number } = {},
): Promise<string[]> {
  const base = serviceBase(env);
  const lines: string[] = [];
  for (const entry of Deno.readDirSync(base)) {
    if (!entry.isDirectory) continue;
    let status: ServiceStatus;
    try {
      status = JSON.parse(Deno.readTextFileSync(`${base}/${entry.name}/status.json`));
    } catch {
      // No status file: no service runs for this key (it stopped, or never started).
      continue;
    }
    if (!isService(status.pid)) continue;
    const running = runningJobs(status.ledger);
    Deno.kill(status.pid, "SIGTERM");
    const gone = await waitGone(status.pid, options.timeoutMs ?? 15_000);
    lines.push(
      `${gone ? "stopped" : "asked to stop (still exiting)"} the job service for ` +
        `${status.working_dir} (pid ${status.pid}, started ${status.started}): ` +
        `${running} running job(s) stopped; ended jobs stay in ${status.ledger}`,
    );
  }
  if (lines.length === 0) lines.push(`no job service is running (looked in ${base})`);
  return lines;
}

/** Whether `pid` is a live job service (not a process that took a dead service's pid). */
function isService(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").includes("--service");
  } catch {
    // No such process: that service has died.
    return false;
  }
}

function runningJobs(ledger: string): number {
  let count = 0;
  try {
    for (const entry of Deno.readDirSync(`${ledger}/jobs`)) {
      try {
        const record = JSON.parse(
          Deno.readTextFileSync(`${ledger}/jobs/${entry.name}/${RECORD_FILE}`),
        );
        if (record.status === "running") count++;
      } catch {
        // A job folder whose record is not written yet counts as none.
      }
    }
  } catch {
    // No ledger folder yet: no job ever ran.
  }
  return count;
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isService(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
