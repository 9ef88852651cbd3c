/**
 * Descriptors the server inherited from whoever started it. Deno opens its own close-on-exec, but
 * one its starter left open (a shell's script file, a terminal, a socket, a directory) stays
 * inheritable, and would reach every job: past a sandbox's mounts too, since a descriptor is not
 * a path (a directory's lets `openat` reach what the sandbox hides). bubblewrap closes none.
 *
 * @module
 */
import { openCloseOnExec } from "./close_on_exec.ts";

/** What {@linkcode keepInheritedDescriptorsFromJobs} did. */
export interface InheritedDescriptors {
  /** Descriptors beyond 0-2 that are now close-on-exec. */
  readonly marked: number;
  /** Why none could be looked at (no `--allow-ffi`, no read of `/proc/self/fd`), if so. */
  readonly skipped?: string;
}

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/**
 * Marks every open descriptor beyond stdin, stdout and stderr close-on-exec, once at start-up
 * before any job: descriptors opened later are the runtime's, close-on-exec already.
 *
 * @example Usage
 * ```ts ignore
 * import { keepInheritedDescriptorsFromJobs } from "./inherited_descriptors.ts";
 * console.error(keepInheritedDescriptorsFromJobs());
 * ```
 */
export function keepInheritedDescriptorsFromJobs(): InheritedDescriptors {
  if (Deno.build.os !== "linux") return { marked: 0, skipped: "not Linux" };
  if (!granted({ name: "ffi" })) return { marked: 0, skipped: "no --allow-ffi" };
  if (!granted({ name: "read", path: "/proc/self/fd" })) {
    return { marked: 0, skipped: "no read of /proc/self/fd" };
  }
  let closeOnExec;
  try {
    closeOnExec = openCloseOnExec();
  } catch (error) {
    return { marked: 0, skipped: `no C library: ${(error as Error).message}` };
  }
  // Listed first: the listing's own descriptor is closed once the spread is done.
  const open = [...Deno.readDirSync("/proc/self/fd")].map((entry) => Number(entry.name));
  return { marked: open.filter((fd) => fd > 2 && closeOnExec(fd)).length };
}
