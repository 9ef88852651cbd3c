/**
 * Marking a descriptor close-on-exec. The pseudo-terminal addon leaves each terminal's master
 * side inheritable: every program started after it (any job, contained or not) would hold it and
 * could type into, and read, another job's terminal, and keep it open after the server died.
 *
 * @module
 */

const F_SETFD = 2;
const F_GETFD = 1;
const FD_CLOEXEC = 1;

const LIBC: Partial<Record<typeof Deno.build.os, string>> = {
  linux: "libc.so.6",
  darwin: "libSystem.B.dylib",
};

/** Sets `FD_CLOEXEC` on a descriptor; returns whether it is now set. */
export type CloseOnExec = (fd: number) => boolean;

/**
 * Opens the C library once and returns the function that marks a descriptor close-on-exec.
 *
 * @throws {Error} when the C library cannot be opened (needs `--allow-ffi`).
 *
 * @example Usage
 * ```ts ignore
 * import { openCloseOnExec } from "./close_on_exec.ts";
 * const closeOnExec = openCloseOnExec();
 * console.log(closeOnExec(0));
 * ```
 */
export function openCloseOnExec(): CloseOnExec {
  const name = LIBC[Deno.build.os];
  if (name === undefined) throw new Error(`no C library known on ${Deno.build.os}`);
  const libc = Deno.dlopen(
    name,
    {
      fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
    } as const,
  );
  return (fd) => {
    const flags = libc.symbols.fcntl(fd, F_GETFD, 0);
    if (flags < 0) return false;
    libc.symbols.fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    return (libc.symbols.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC) !== 0;
  };
}

const CLOSE_RANGE_CLOEXEC = 4;

/**
 * Opens the C library's `close_range` (glibc 2.34, Linux 5.11) and returns the function that marks
 * every descriptor from `first` up close-on-exec in one call, or `undefined` where it is missing.
 *
 * @example Usage
 * ```ts ignore
 * import { openMarkAllFrom } from "./close_on_exec.ts";
 * console.log(openMarkAllFrom()?.(3));
 * ```
 */
export function openMarkAllFrom(): ((first: number) => boolean) | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let libc;
  try {
    libc = Deno.dlopen(
      LIBC.linux!,
      { close_range: { parameters: ["u32", "u32", "i32"], result: "i32" } } as const,
    );
  } catch {
    return undefined; // a C library without close_range
  }
  const symbols = libc.symbols;
  return (first) => symbols.close_range(first, 0xffff_ffff, CLOSE_RANGE_CLOEXEC) === 0;
}
