/**
 * `--doctor`: what this machine and configuration give the server, in a few lines — the first
 * thing to run when something does not work, and what a bug report should contain.
 *
 * @module
 */
import { terminalBlocker } from "../jobs/terminal_support.ts";
import {
  type Config,
  loadConfig,
  showConfig,
  unknownVariableWarnings,
} from "../settings/config.ts";
import { ConfigError } from "../errors.ts";
import { detectGroupSignalMethod, type GroupSignalMethod } from "../jobs/process_group.ts";
import { VERSION } from "../version.ts";
import { containmentAvailability, createExecutor } from "../jobs/containment.ts";
import { portDetection } from "../jobs/listening.ts";
import { serverPrivacyOutlook } from "../sandbox/server_privacy.ts";
import { showJobLimits } from "../sandbox/job_limits.ts";

/** The report, and whether the server would start with these permissions and this configuration. */
export interface DoctorReport {
  readonly lines: readonly string[];
  readonly wouldStart: boolean;
}

const GROUP_KILL: Record<GroupSignalMethod, string> = {
  "deno-kill": "Deno.kill signals each job's whole process group",
  "kill-program": "the kill program signals each job's whole process group (scoped --allow-run)",
  "leader-only": "only each job's first process can be signalled",
};

const PERMISSIONS = ["env", "read", "run", "write", "net"] as const;

function permissionSummary(): string {
  return PERMISSIONS.map((name) => {
    const { state } = Deno.permissions.querySync({ name });
    // "prompt" covers both a scoped grant (--allow-read=/x) and none at all.
    return `${name} ${state === "prompt" ? "scoped or not granted" : state}`;
  }).join(", ");
}

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** Whether jobs can be contained on this machine, and why (bubblewrap found, permitted, working). */
export function containmentLine(): string {
  const { available, reason } = containmentAvailability();
  return `${available ? "available" : "unavailable"}: ${reason}`;
}

/** cgroup v2 could bound a job's whole tree; whether this machine offers it (it is not used). */
function cgroupState(): string {
  try {
    Deno.statSync("/sys/fs/cgroup/cgroup.controllers");
    return "cgroup v2 is mounted, but the server does not use it (no per-job cgroups yet)";
  } catch {
    return "cgroup v2 is not mounted here (cgroup v1 or none): nothing to delegate";
  }
}

/** The limits contained jobs get, how they are applied, and what does not hold here. */
function limitsLine(config: Config | undefined): string {
  if (config === undefined) return "unknown (configuration not loaded)";
  const { available, prlimit } = containmentAvailability();
  if (!available) return `not applied: jobs are not contained; ${cgroupState()}`;
  const how = prlimit === undefined
    ? "tmp through bwrap --size, the others by the server's sh (ulimit) when it is dash; " +
      "prlimit not found on PATH (util-linux), so with another sh, or a value dash cannot say, " +
      "jobs run without them"
    : "tmp through bwrap --size, the others by the server's sh (ulimit) when it is dash, else " +
      "by prlimit, inside the sandbox";
  const root = granted({ name: "sys", kind: "uid" }) && Deno.uid() === 0
    ? "; processes does not bind: the kernel exempts root from RLIMIT_NPROC"
    : "";
  return `${showJobLimits(config.jobLimits)} (${how}${root}); ${cgroupState()}`;
}

/** Whether a started server could close its /proc descriptors to its jobs, and why (not). */
function privacyLine(): string {
  const { private: closed, reason } = serverPrivacyOutlook();
  return `${closed ? "private" : "exposed"}: ${reason}`;
}

// Readiness (listening, wait_for_job port) needs /proc, which Deno opens only under -A.
function portLine(): string {
  const { available, reason } = portDetection();
  return `${available ? "available" : "unavailable"}: ${reason}`;
}

// The addon is not loaded here: that would cost every --doctor run what tty jobs cost once.
function ttyLine(): string {
  const blocker = terminalBlocker();
  return blocker === undefined
    ? "available: --allow-ffi granted; the pseudo-terminal addon loads with the first tty job"
    : `unavailable: ${blocker}`;
}

function whoRuns(): string {
  if (!granted({ name: "sys", kind: "uid" })) return "";
  const uid = Deno.uid();
  return uid === null ? "" : `, uid ${uid}${uid === 0 ? " (root)" : ""}`;
}

/**
 * Builds the `--doctor` report for this process: Deno version, permissions granted, how process
 * groups are signalled, containment, the effective configuration, and every warning.
 *
 * @example Usage
 * ```ts
 * import { doctorReport } from "./doctor.ts";
 * import assert from "node:assert/strict";
 * const report = doctorReport();
 * assert.match(report.lines.join("\n"), /^group kill: /m);
 * ```
 */
export function doctorReport(): DoctorReport {
  const warnings: string[] = [];
  let config: Config | undefined;
  if (!granted({ name: "env" })) {
    warnings.push("no --allow-env: the server cannot read MCP_BG_* variables and will not start");
  } else {
    const env = Deno.env.toObject();
    try {
      config = loadConfig(env, Deno.cwd());
      // Containment required (or a rule set) where it is unavailable stops the start too.
      createExecutor(config);
    } catch (error) {
      config = undefined;
      if (!(error instanceof ConfigError || error instanceof Deno.errors.NotCapable)) throw error;
      warnings.push(`the server will not start: ${error.message}`);
    }
    warnings.push(...unknownVariableWarnings(env));
  }
  if (!granted({ name: "read" })) {
    warnings.push("no unscoped --allow-read: programs may not be found through PATH");
  }
  const method = detectGroupSignalMethod();
  if (method === "leader-only") {
    warnings.push(
      "a job's children outlive kill_job and shutdown: add kill to --allow-run (or use -A)",
    );
  }
  const lines = [
    `mcp-background-job ${VERSION}`,
    `deno: ${Deno.version.deno} (V8 ${Deno.version.v8}), ${Deno.build.target}${whoRuns()}`,
    `permissions: ${permissionSummary()}`,
    `group kill: ${method}: ${GROUP_KILL[method]}`,
    `containment: ${containmentLine()}`,
    `listening ports: ${portLine()}`,
    `server descriptors: ${privacyLine()}`,
    `tty jobs: ${ttyLine()}`,
    `job limits: ${limitsLine(config)}`,
    `configuration: ${
      config === undefined ? "not loaded" : showConfig(config, { brief: false }).join(" ")
    }`,
    ...(warnings.length === 0 ? ["warnings: none"] : warnings.map((text) => `warning: ${text}`)),
  ];
  return { lines, wouldStart: config !== undefined };
}
