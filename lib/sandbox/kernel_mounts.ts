/**
 * Kernel file systems mounted on the host outside `/proc`, `/sys` and `/dev` (a chroot's
 * `/proc`, a second `sysfs`): a sandbox built from the host's `/` would show them, and with
 * them every host process (`<mount>/<pid>/root` leads past every hidden path) and, for a server
 * run as root, writable kernel settings. Each job gets them hidden.
 *
 * @module
 */

/** File system types that show the kernel's or other processes' state. */
const KERNEL_TYPES = new Set([
  "proc",
  "sysfs",
  "debugfs",
  "tracefs",
  "securityfs",
  "configfs",
  "bpf",
  "binfmt_misc",
  "efivarfs",
  "pstore",
  "cgroup",
  "cgroup2",
]);

// The sandbox makes these afresh or read-only itself.
const OWN_TREES = ["/proc", "/sys", "/dev"];

/** A mount point as `/proc/self/mountinfo` writes it, with `\040`-style escapes undone. */
function unescape(field: string): string {
  return field.replace(
    /\\([0-7]{3})/g,
    (_, octal: string) => String.fromCharCode(parseInt(octal, 8)),
  );
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * The outermost kernel-file-system mount points in `mountinfo` (the text of
 * `/proc/self/mountinfo`) outside `/proc`, `/sys` and `/dev`.
 *
 * @example Usage
 * ```ts
 * import { strayKernelMounts } from "./kernel_mounts.ts";
 * import assert from "node:assert/strict";
 * const mountinfo = [
 *   "22 1 0:5 / /proc rw - proc proc rw",
 *   "40 1 0:5 / /srv/chroot/proc rw - proc proc rw",
 *   "41 40 0:9 / /srv/chroot/proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt_misc rw",
 *   "42 1 8:1 / /data rw - ext4 /dev/sda1 rw",
 * ].join("\n");
 * assert.deepEqual(strayKernelMounts(mountinfo), ["/srv/chroot/proc"]);
 * ```
 */
export function strayKernelMounts(mountinfo: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    const point = before?.split(" ")[4];
    const type = after?.split(" ")[0];
    if (point === undefined || type === undefined || !KERNEL_TYPES.has(type)) continue;
    const path = unescape(point);
    if (!OWN_TREES.some((dir) => under(path, dir))) points.push(path);
  }
  return points.filter((path) => !points.some((other) => other !== path && under(path, other)));
}

/**
 * {@linkcode strayKernelMounts} of the server's own mount table; empty when it cannot be read
 * (Deno reads `/proc` only under `--allow-all`).
 */
export function hostStrayKernelMounts(): string[] {
  try {
    return strayKernelMounts(Deno.readTextFileSync("/proc/self/mountinfo"));
  } catch {
    // Not Linux, or /proc not permitted: nothing known to hide (SECURITY.md says so).
    return [];
  }
}
