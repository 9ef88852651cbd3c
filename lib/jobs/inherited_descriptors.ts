/**
 * Descriptors the server inherited from whoever started it. Deno opens its own close-on-exec, but
 * one its starter left open (a shell's script file, a terminal, a socket, a directory) stays
 * inheritable, and would reach every job: past a sandbox's mounts too, since a descriptor is not
 * a path (a directory's lets `openat` reach what the sandbox hides). bubblewrap closes none.
 *
 * @module
 */
import { openCloseOnExec, openMarkAllFrom } from "./close_on_exec.ts";

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
 * keepInheritedDescriptorsFromJobs();
 * ```
 */
export function keepInheritedDescriptorsFromJobs(): void {
  // Without FFI nothing can be marked (SECURITY.md says so).
  if (Deno.build.os !== "linux" || !granted({ name: "ffi" })) return;
  // One call where the kernel and C library have close_range: no view of /proc needed.
  if (openMarkAllFrom()?.(3) === true) return;
  let closeOnExec;
  try {
    closeOnExec = openCloseOnExec();
  } catch {
    return; // no C library known here
  }
  let open: number[];
  try {
    // Listed first: the listing's own descriptor is closed once the spread is done.
    open = [...Deno.readDirSync("/proc/self/fd")].map((entry) => Number(entry.name));
  } catch {
    return; // /proc/self/fd needs -A under Deno's permissions, or there is no /proc
  }
  for (const fd of open) if (fd > 2) closeOnExec(fd);
}
