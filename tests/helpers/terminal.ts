/**
 * Test helpers for terminal jobs: start one, wait on its screen, end it.
 *
 * @module
 */
import type { ToolClient } from "./mcp_client.ts";
import { waitUntilGone } from "./processes.ts";

/** What `get_job_output` with `screen: true` returns. */
export interface Screen {
  readonly screen: string;
  readonly cursor: { readonly row: number; readonly col: number };
  readonly cols: number;
  readonly rows: number;
}

/** Starts `command` as a tty job (with `extra` start options) and returns its id. */
export async function startTty(
  client: ToolClient,
  command: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const started = await client.ok<{ job_id: string }>("execute_command", {
    command,
    tty: true,
    ...extra,
  });
  return started.job_id;
}

/** Polls the job's screen until `predicate` holds for it (an event the test waits on). */
export async function waitForScreen(
  client: ToolClient,
  jobId: string,
  predicate: (screen: Screen) => boolean,
  timeoutMs = 20_000,
): Promise<Screen> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const screen = await client.ok<Screen>("get_job_output", { job_id: jobId, screen: true });
    if (predicate(screen)) return screen;
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId}: the screen never matched:\n${screen.screen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Kills the job (if it still runs) and checks that its leading process is gone. */
export async function killAndCheckGone(client: ToolClient, jobId: string): Promise<void> {
  const { pid } = await client.ok<{ pid: number }>("get_job_status", { job_id: jobId });
  await client.ok("kill_job", { job_id: jobId });
  await waitUntilGone(pid);
}
