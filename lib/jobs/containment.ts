/**
 * Choosing how jobs run: contained by bubblewrap when `MCP_BG_CONTAINMENT` asks for it and it
 * works here, else in plain process groups — never silently without a rule the user set.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Config } from "../settings/config.ts";
import { ConfigError } from "../errors.ts";
import type { Executor } from "./executor.ts";
import { policyVariables, uncontainedExecutor } from "./executor_choice.ts";
import { createContainedExecutor } from "./contained_executor.ts";
import { createGroupSignaller, type GroupSignaller } from "./process_group.ts";
import { bwrapArguments, OPEN_POLICY } from "../sandbox/containment_policy.ts";
import { locateProgram } from "../sandbox/program_path.ts";
import { type ContainmentAvailability, findContainmentPrograms } from "./containment_programs.ts";
import { tokenDirectory } from "../settings/generated_token.ts";

export type { ContainmentAvailability };

let cached: ContainmentAvailability | undefined;

/** How long the trial sandbox may take before bubblewrap counts as not working here. */
export const TRIAL_TIMEOUT_MS = 10_000;

/** One real sandbox, as jobs get it (network off needs one more namespace, so try that too). */
function trialSandbox(bwrap: string): Deno.Command {
  const args = bwrapArguments({ ...OPEN_POLICY, network: false }, { workingDir: "/", cwd: "/" });
  return new Deno.Command(bwrap, {
    args: [...args, "--", "true"],
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
}

function judgeTrial(
  { bwrap, sh }: { bwrap: string; sh: string },
  run: () => Deno.CommandOutput,
): ContainmentAvailability {
  try {
    const { success, stderr } = run();
    if (success) {
      const prlimit = locateProgram("prlimit", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" })
        ?.path;
      return { available: true, reason: `bubblewrap works here: ${bwrap}`, bwrap, sh, prlimit };
    }
    const why = new TextDecoder().decode(stderr).trim().split("\n")[0] || "it failed";
    return { available: false, reason: `bwrap cannot make a sandbox here: ${why}`, bwrap };
  } catch (error) {
    return { available: false, reason: `bwrap cannot run: ${(error as Error).message}`, bwrap };
  }
}

function probe(): ContainmentAvailability {
  const found = findContainmentPrograms();
  if ("available" in found) return found;
  return judgeTrial(found, () => trialSandbox(found.bwrap).outputSync());
}

/**
 * {@linkcode containmentAvailability} without blocking the event loop during the trial run. A
 * trial still running after {@linkcode TRIAL_TIMEOUT_MS} is killed, and bubblewrap counts as not
 * working. When `signal` aborts (the server is shutting down), the answer is given at once and not
 * kept, and the trial is left to end by itself: bwrap killed while it sets a sandbox up strands
 * its own child, which waits on it for ever, while a trial left alone ends within milliseconds.
 */
export async function containmentAvailabilityInBackground(
  signal?: AbortSignal,
): Promise<ContainmentAvailability> {
  if (cached !== undefined) return cached;
  const found = findContainmentPrograms();
  if ("available" in found) return cached ??= found;
  const notTried = { available: false, reason: "bwrap was not tried: the server stopped first" };
  if (signal?.aborted) return { ...notTried, ...found };
  let child: Deno.ChildProcess;
  try {
    child = trialSandbox(found.bwrap).spawn();
  } catch (error) {
    return cached ??= judgeTrial(found, () => {
      throw error;
    });
  }
  const ran = child.output().then(
    (output) => () => output,
    (error: Error) => () => {
      throw error;
    },
  );
  const { promise: interrupted, resolve: interrupt } = Promise.withResolvers<"timeout" | "stop">();
  const timer = setTimeout(() => interrupt("timeout"), TRIAL_TIMEOUT_MS);
  const stop = () => interrupt("stop");
  signal?.addEventListener("abort", stop, { once: true });
  const first = await Promise.race([ran, interrupted]);
  clearTimeout(timer);
  signal?.removeEventListener("abort", stop);
  if (first === "stop") return { ...notTried, ...found };
  if (first === "timeout") {
    try {
      child.kill("SIGKILL");
    } catch {
      // It ended meanwhile.
    }
    const reason = `bwrap made no sandbox within ${TRIAL_TIMEOUT_MS / 1000} s`;
    return cached ??= { available: false, reason, bwrap: found.bwrap };
  }
  return cached ??= judgeTrial(found, first);
}

/**
 * Whether jobs can be contained here (bubblewrap on `PATH`, permitted, and able to make a
 * sandbox), with the reason; tried once per process.
 *
 * @example Usage
 * ```ts
 * import { containmentAvailability } from "./containment.ts";
 * const { available, reason } = containmentAvailability();
 * console.log(available ? "contained" : `not contained: ${reason}`);
 * ```
 */
export function containmentAvailability(): ContainmentAvailability {
  return cached ??= probe();
}

/**
 * The server's own secrets on disk, hidden from every contained job: the HTTP token file the user
 * named, and the directory where the server keeps the token it generates.
 */
function serverSecretPaths(): string[] {
  if (Deno.permissions.querySync({ name: "env" }).state !== "granted") return [];
  const file = Deno.env.get("MCP_BG_HTTP_TOKEN_FILE");
  const generated = tokenDirectory(Deno.env.toObject());
  return [...file ? [resolve(Deno.cwd(), file)] : [], ...generated ? [generated] : []];
}

/**
 * The executor `config` asks for: contained (`auto` when available, `required`), or local.
 * Contained jobs cannot see the `hidden` paths (the server's own directories).
 *
 * @throws {ConfigError} when containment is required, or a containment rule is set, and
 * containment is unavailable.
 */
export function createExecutor(
  config: Config,
  signaller: GroupSignaller = createGroupSignaller(),
  hidden: readonly string[] = [],
): Executor {
  if (config.containment === "off") {
    return uncontainedExecutor("MCP_BG_CONTAINMENT=off", signaller);
  }
  return executorFor(config, containmentAvailability(), signaller, hidden);
}

/**
 * {@linkcode createExecutor} with its trial sandbox run in the background; when `signal` aborts,
 * it stops waiting for the trial (see {@linkcode containmentAvailabilityInBackground}).
 *
 * @throws {ConfigError} as `createExecutor` does.
 */
export async function createExecutorInBackground(
  config: Config,
  hidden: readonly string[] = [],
  signal?: AbortSignal,
): Promise<Executor> {
  if (config.containment === "off") return uncontainedExecutor("MCP_BG_CONTAINMENT=off");
  const availability = await containmentAvailabilityInBackground(signal);
  return executorFor(config, availability, createGroupSignaller(), hidden);
}

function executorFor(
  config: Config,
  availability: ContainmentAvailability,
  signaller: GroupSignaller,
  hidden: readonly string[],
): Executor {
  if (!availability.available) {
    if (config.containment === "required") {
      throw new ConfigError(
        "MCP_BG_CONTAINMENT",
        "required",
        `a machine where bubblewrap works, but ${availability.reason}; or set MCP_BG_CONTAINMENT=auto`,
      );
    }
    const [rule] = policyVariables(config);
    if (rule !== undefined) {
      throw new ConfigError(
        rule,
        Deno.env.get(rule) ?? "",
        `no value: containment, which enforces it, is unavailable (${availability.reason})`,
      );
    }
    return uncontainedExecutor(availability.reason, signaller);
  }
  const executor = createContainedExecutor({
    bwrap: availability.bwrap!,
    sh: availability.sh!,
    prlimit: availability.prlimit,
    policy: {
      allowWrite: config.allowWrite,
      // The server's own files (secrets, the ledger, the service's socket) are hidden from jobs.
      denyRead: [...config.denyRead ?? [], ...serverSecretPaths(), ...hidden],
      network: config.network,
      limits: config.jobLimits,
    },
    workingDir: config.workingDir,
    signaller,
  });
  return { ...executor, containment: { contained: true, reason: availability.reason } };
}
