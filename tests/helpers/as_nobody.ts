/**
 * Test helper: running the server of this checkout as the unprivileged user nobody (uid 65534).
 *
 * A checkout may sit where nobody cannot enter (a clone in `mktemp -d` is 0700, a home 0750):
 * tests that start `main.ts` as nobody are then ignored, saying why, instead of failing.
 *
 * @module
 */
import { run } from "./processes.ts";
import { DENO_RUN, MAIN } from "./server_entry.ts";
import { TestServer } from "./mcp_client.ts";

/** The `setpriv` program, or "" where it is missing. */
export const SETPRIV = (await run("sh", ["-c", "command -v setpriv"])).stdout.trim();

/** `setpriv` arguments that run a command as nobody, without root's groups. */
export const AS_NOBODY: readonly string[] = ["--reuid=65534", "--regid=65534", "--clear-groups"];

/** Whether this run can switch to nobody at all: root, with `setpriv`. */
export const CAN_BE_NOBODY = Deno.uid() === 0 && SETPRIV !== "";

/** Why nobody cannot start `main.ts` of this checkout, or "" when it can. */
export const checkoutHiddenFromNobody = CAN_BE_NOBODY &&
    (await run(SETPRIV, [...AS_NOBODY, "test", "-r", MAIN])).code !== 0
  ? `nobody cannot read ${MAIN} (the checkout is in a directory closed to other users)`
  : "";

/**
 * Whether a test that starts `main.ts` as nobody must be ignored here; prints the reason once
 * per test file when it is the checkout's place.
 */
export function ignoreAsNobody(what: string): boolean {
  if (!CAN_BE_NOBODY) return true;
  if (checkoutHiddenFromNobody !== "") {
    console.log(`${what}: ignored, ${checkoutHiddenFromNobody}`);
    return true;
  }
  return false;
}

/**
 * Starts this checkout's server as nobody, contained or not as `env` says: `home` is its HOME,
 * and `work` (default `home`, which nobody must be able to write) its working directory, jobs'
 * working directory and Deno cache.
 */
export function startServerAsNobody(
  options: { home: string; work?: string; env: Record<string, string> },
): Promise<TestServer> {
  const work = options.work ?? options.home;
  return TestServer.start({
    command: SETPRIV,
    args: [...AS_NOBODY, Deno.execPath(), ...DENO_RUN, "-A", MAIN],
    env: { HOME: options.home, DENO_DIR: `${work}/deno`, MCP_BG_WORKING_DIR: work, ...options.env },
    cwd: work,
  });
}
