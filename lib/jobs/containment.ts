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
import { tokenDirectory } from "../settings/generated_token.ts";

/** Whether containment works on this machine, and the reason either way. */
export interface ContainmentAvailability {
  readonly available: boolean;
  /** One sentence: what works, or what is missing and how to get it. */
  readonly reason: string;
  /** The `bwrap` found on `PATH`, when there is one. */
  readonly bwrap?: string;
  /** The `sh` found on `PATH`, which starts bwrap with the job's stdin out of its reach. */
  readonly sh?: string;
  /** The `prlimit` found on `PATH` (util-linux), which sets a job's limits inside its sandbox. */
  readonly prlimit?: string;
}

const INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)";

let cached: ContainmentAvailability | undefined;

/** What is found before trying a sandbox: an answer already, or the programs to try it with. */
type Found = ContainmentAvailability | { readonly bwrap: string; readonly sh: string };

function findPrograms(): Found {
  if (Deno.build.os !== "linux") {
    return {
      available: false,
      reason: `containment uses bubblewrap, which needs Linux; on ${Deno.build.os} it is ` +
        "unavailable (a Seatbelt sandbox for macOS is not built yet)",
    };
  }
  if (Deno.permissions.querySync({ name: "env", variable: "PATH" }).state !== "granted") {
    return { available: false, reason: "no --allow-env: PATH cannot be read to find bwrap" };
  }
  const found = locateProgram("bwrap", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" });
  if (found === undefined) {
    return { available: false, reason: `bwrap not found on PATH: ${INSTALL_HINT}` };
  }
  const bwrap = found.path;
  if (Deno.permissions.querySync({ name: "run", command: bwrap }).state !== "granted") {
    return { available: false, reason: "--allow-run does not include bwrap", bwrap };
  }
  const sh = locateProgram("sh", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" })?.path;
  if (sh === undefined) {
    return { available: false, reason: "sh not found on PATH: it starts bwrap", bwrap };
  }
  if (Deno.permissions.querySync({ name: "run", command: sh }).state !== "granted") {
    return { available: false, reason: "--allow-run does not include sh (it starts bwrap)", bwrap };
  }
  return { bwrap, sh };
}

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
  const found = findPrograms();
  if ("available" in found) return found;
  return judgeTrial(found, () => trialSandbox(found.bwrap).outputSync());
}

/** {@linkcode containmentAvailability} without blocking the event loop during the trial run. */
export async function containmentAvailabilityInBackground(): Promise<ContainmentAvailability> {
  if (cached !== undefined) return cached;
  const found = findPrograms();
  if ("available" in found) return cached ??= found;
  let output: Deno.CommandOutput | Error;
  try {
    output = await trialSandbox(found.bwrap).output();
  } catch (error) {
    output = error as Error;
  }
  return cached ??= judgeTrial(found, () => {
    if (output instanceof Error) throw output;
    return output;
  });
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
 * {@linkcode createExecutor} with its trial sandbox run in the background.
 *
 * @throws {ConfigError} as `createExecutor` does.
 */
export async function createExecutorInBackground(
  config: Config,
  hidden: readonly string[] = [],
): Promise<Executor> {
  if (config.containment === "off") return uncontainedExecutor("MCP_BG_CONTAINMENT=off");
  const availability = await containmentAvailabilityInBackground();
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
