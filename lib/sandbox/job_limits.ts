/**
 * Resource limits for contained jobs (`MCP_BG_JOB_LIMITS`): the size of the sandbox's in-memory
 * file systems (its private `/tmp` and `/dev/shm`, bubblewrap's `--size`) and the kernel's
 * per-process limits (`setrlimit`, set by the shell that starts the job with `ulimit`, see
 * shell_limits.ts, or else by `prlimit` as the sandbox's first program, and inherited by every
 * process the job starts).
 *
 * What each measures: `memory` is RLIMIT_AS, each process's address space (virtual, not
 * resident: a runtime that reserves much more than it uses, like V8 or a JVM, needs a generous
 * value); `processes` is RLIMIT_NPROC, the processes of the job's user in the job's user
 * namespace (the kernel exempts root, so it binds only a server not run as root); `cpu` is
 * RLIMIT_CPU, CPU seconds of each process (SIGXCPU, then SIGKILL 5 s later); `file-size` is
 * RLIMIT_FSIZE, the size of any one file written (SIGXFSZ); `tmp` bounds `/tmp` (when private)
 * and `/dev/shm` each.
 *
 * @module
 */

/** The limits a contained job runs under; `undefined` is the host's own. */
export interface JobLimits {
  readonly memory?: number;
  readonly processes?: number;
  readonly cpu?: number;
  readonly fileSize?: number;
  readonly tmp?: number;
}

/** What a job gets when `MCP_BG_JOB_LIMITS` says nothing of a limit. */
export const DEFAULT_JOB_LIMITS: JobLimits = Object.freeze({
  processes: 1024,
  tmp: 512 * 1024 ** 2,
});

const KEYS = {
  memory: "size",
  processes: "count",
  cpu: "seconds",
  "file-size": "size",
  tmp: "size",
} as const;
type Key = keyof typeof KEYS;

const FIELDS: Record<Key, keyof JobLimits> = {
  memory: "memory",
  processes: "processes",
  cpu: "cpu",
  "file-size": "fileSize",
  tmp: "tmp",
};

const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** A size like `512M`, `2G`, `4GB` or `65536`, in bytes; `undefined` when it is none. */
function size(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)B?$/i.exec(text);
  if (match === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
  // Past 2^53 a number is no longer exact, and the shell or prlimit would get another value.
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

function count(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Reads `memory=2G,processes=1024,cpu=3600,file-size=4G,tmp=512M` (any subset; `unlimited`
 * lifts a default) over {@linkcode DEFAULT_JOB_LIMITS}.
 *
 * @throws {RangeError} naming the entry that is not a known key with a valid value.
 *
 * @example Usage
 * ```ts
 * import { parseJobLimits } from "./job_limits.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseJobLimits("memory=2G, processes=unlimited"), {
 *   memory: 2 * 1024 ** 3,
 *   processes: undefined,
 *   tmp: 512 * 1024 ** 2,
 * });
 * ```
 */
export function parseJobLimits(raw: string): JobLimits {
  const limits: Record<string, number | undefined> = { ...DEFAULT_JOB_LIMITS };
  for (const entry of raw.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const [key, value = ""] = entry.split("=").map((part) => part.trim());
    if (!(key! in KEYS)) {
      throw new RangeError(
        `unknown limit "${key!.slice(0, 40)}" (known: ${Object.keys(KEYS).join(", ")})`,
      );
    }
    const kind = KEYS[key as Key];
    const parsed = value === "unlimited" ? undefined : kind === "size" ? size(value) : count(value);
    if (parsed === undefined && value !== "unlimited") {
      throw new RangeError(`${key} needs a ${kind} or "unlimited", not "${value.slice(0, 40)}"`);
    }
    limits[FIELDS[key as Key]] = parsed;
  }
  return limits as JobLimits;
}

function shown(bytes: number): string {
  for (const unit of ["T", "G", "M", "K"]) {
    if (bytes % UNITS[unit]! === 0) return `${bytes / UNITS[unit]!}${unit}`;
  }
  return `${bytes}`;
}

/**
 * `limits` as `MCP_BG_JOB_LIMITS` would write them, for the start-up line and `--doctor`.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_JOB_LIMITS, showJobLimits } from "./job_limits.ts";
 * import assert from "node:assert/strict";
 * assert.equal(showJobLimits(DEFAULT_JOB_LIMITS), "processes=1024,tmp=512M");
 * ```
 */
export function showJobLimits(limits: JobLimits): string {
  const parts = (Object.keys(KEYS) as Key[]).flatMap((key) => {
    const value = limits[FIELDS[key]];
    if (value === undefined) return [];
    return [`${key}=${KEYS[key] === "size" ? shown(value) : value}`];
  });
  return parts.length === 0 ? "none" : parts.join(",");
}

/** The `prlimit` options that set `limits`' per-process limits (soft and hard alike). */
export function prlimitOptions(limits: JobLimits): string[] {
  const options: string[] = [];
  if (limits.memory !== undefined) options.push(`--as=${limits.memory}`);
  if (limits.processes !== undefined) options.push(`--nproc=${limits.processes}`);
  // The soft limit sends SIGXCPU, which says why the job ended; the hard one is the backstop.
  if (limits.cpu !== undefined) options.push(`--cpu=${limits.cpu}:${limits.cpu + 5}`);
  if (limits.fileSize !== undefined) options.push(`--fsize=${limits.fileSize}`);
  return options;
}
