/**
 * Wall 3, containment: what a job may touch once it runs, turned into bubblewrap (`bwrap`)
 * arguments. Walls 1 and 2 decide which program starts; this decides what it (and everything it
 * starts) can write, read and reach, and makes its processes end with the job.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { pinnedAncestors, type ResolvedPath, trackedTargets } from "./rule_paths.ts";
import { hostStrayKernelMounts } from "./kernel_mounts.ts";
import type { JobLimits } from "./job_limits.ts";

export { type ResolvedPath, RulePathMoved } from "./rule_paths.ts";

/** Every {@linkcode ContainmentMode}, for validation and help. */
export const CONTAINMENT_MODES = ["auto", "required", "off"] as const;
/** `auto`: contained when bubblewrap works here; `required`: refuse to start without it. */
export type ContainmentMode = typeof CONTAINMENT_MODES[number];

/** What a contained job may touch. */
export interface ContainmentPolicy {
  /**
   * The only paths a job may write besides the working directory and a private `/tmp`;
   * `undefined` leaves writes as they are without containment.
   */
  readonly allowWrite: readonly string[] | undefined;
  /** Paths that appear empty (directories) or unreadable (files) inside. */
  readonly denyRead: readonly string[];
  /** `false`: the job gets its own network namespace with only its own loopback. */
  readonly network: boolean;
  /** Sizes of the in-memory file systems (`tmp`); the rest is set inside (shell_limits.ts). */
  readonly limits?: JobLimits;
}

/** The policy with nothing set: processes are contained, files and network are as outside. */
export const OPEN_POLICY: ContainmentPolicy = Object.freeze({
  allowWrite: undefined,
  denyRead: [],
  network: true,
});

/**
 * Splits a comma-separated list of paths, expanding a leading `~` to `home` and joining relative
 * entries onto `base`; blank entries are dropped.
 *
 * @example Usage
 * ```ts
 * import { parsePathList } from "./containment_policy.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parsePathList("~/.ssh, out", { home: "/home/me", base: "/work" }), [
 *   "/home/me/.ssh",
 *   "/work/out",
 * ]);
 * ```
 */
export function parsePathList(raw: string, options: { home?: string; base: string }): string[] {
  return raw.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "").map(
    (entry) => {
      if ((entry === "~" || entry.startsWith("~/")) && options.home !== undefined) {
        return join(options.home, entry.slice(1));
      }
      return isAbsolute(entry) ? entry : join(options.base, entry);
    },
  );
}

/** How many components `path` has (`/` has none). */
function depth(path: string): number {
  return path.split("/").filter((part) => part !== "").length;
}

/**
 * The `bwrap` options (everything before `--`) that run one job under `policy` with `cwd` as
 * its directory. Each job gets its own PID, IPC and user namespaces, no capabilities and no way
 * to make more namespaces, a new session, a fresh `/proc` and a private `/dev`, with `/proc/sys`
 * and `/sys` read-only; bubblewrap ends it when the server dies. Paths are resolved through
 * symlinks here, on the host, so that a link cannot move a rule; with `rulePathsSeen`, a rule's
 * path that moved since it was first seen throws {@linkcode RulePathMoved}.
 *
 * @example Usage
 * ```ts
 * import { bwrapArguments, OPEN_POLICY } from "./containment_policy.ts";
 * import assert from "node:assert/strict";
 * const args = bwrapArguments(OPEN_POLICY, { workingDir: "/", cwd: "/" });
 * assert.ok(args.includes("--unshare-pid") && args.includes("--die-with-parent"));
 * ```
 */
export function bwrapArguments(
  policy: ContainmentPolicy,
  where: {
    workingDir: string;
    cwd: string;
    /** Where each rule's path led when first seen, kept across jobs (see `RulePathMoved`). */
    rulePathsSeen?: Map<string, ResolvedPath>;
    /** Default true; false for a terminal job, whose terminal must stay its controlling one. */
    newSession?: boolean;
  },
): string[] {
  const args = [
    "--die-with-parent",
    // Its own session: the job's processes form one group the server can signal from outside,
    // and no terminal of the server's is theirs to type into (TIOCSTI).
    ...(where.newSession === false ? [] : ["--new-session"]),
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-user",
    // A nested user namespace could otherwise regain the capabilities to undo the mounts below.
    "--disable-userns",
    "--cap-drop",
    "ALL",
  ];
  if (!policy.network) args.push("--unshare-net");
  const writable = policy.allowWrite === undefined ? ["/"] : [
    ...trackedTargets([where.workingDir], where.rulePathsSeen, "MCP_BG_WORKING_DIR"),
    ...trackedTargets(policy.allowWrite, where.rulePathsSeen, "MCP_BG_ALLOW_WRITE"),
  ].map((found) => found.real);
  const denied = trackedTargets(policy.denyRead, where.rulePathsSeen, "MCP_BG_DENY_READ");
  // Each directory above a rule's path, where a job could write, becomes a mount point of its
  // own: one a job cannot rename or replace, so the path keeps leading where it did. Bound
  // shallowest first, so that every one stays a mount point.
  const pinned = pinnedAncestors([...writable, ...denied.map((found) => found.real)], writable);
  const binds = [...new Set([...writable, ...pinned])].sort((a, b) => depth(a) - depth(b));
  // In-memory file systems take the host's RAM: each gets the tmp limit as its size.
  const tmp = policy.limits?.tmp;
  const sized = tmp === undefined ? [] : ["--size", `${tmp}`];
  if (policy.allowWrite !== undefined) {
    args.push("--ro-bind", "/", "/", ...sized, "--tmpfs", "/tmp");
  }
  for (const dir of binds) args.push("--bind", dir, dir);
  args.push("--dev", "/dev", ...sized, "--tmpfs", "/dev/shm", "--proc", "/proc");
  // Kernel settings stay read-only whatever the policy: to a server run as root, the job's uid 0
  // is the host's, and files like /proc/sys/kernel/core_pattern or /sys/kernel/uevent_helper
  // name a program the kernel runs as root outside every sandbox (bubblewrap leaves /proc/sys
  // writable then, as the directory itself is not).
  args.push("--ro-bind", "/proc/sys", "/proc/sys", "--ro-bind", "/sys", "/sys");
  // Another /proc (a chroot's) would show every host process, and their roots past every rule.
  for (const point of hostStrayKernelMounts()) args.push("--tmpfs", point, "--remount-ro", point);
  for (const found of denied) {
    if (found.directory) args.push("--tmpfs", found.real, "--remount-ro", found.real);
    else args.push("--ro-bind", "/dev/null", found.real);
  }
  args.push("--chdir", where.cwd);
  return args;
}
