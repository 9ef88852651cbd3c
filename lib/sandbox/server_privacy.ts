/**
 * Keeping the server's own descriptors, memory and environment from its jobs. An uncontained job
 * runs as the server's user, and `/proc/<server pid>/fd/0` would hand it the client's requests
 * (and `fd/1` a way to answer in the server's name). A process marked non-dumpable
 * (`prctl(PR_SET_DUMPABLE, 0)`) has those files owned by root: another process of the same,
 * unprivileged user can no longer open them. Deno reaches `prctl` only through FFI.
 *
 * @module
 */

/** Whether the server's `/proc` files are out of its jobs' reach, and why (or why not). */
export interface ServerPrivacy {
  readonly private: boolean;
  /** One sentence, for the start-up line and `--doctor`. */
  readonly reason: string;
}

const PR_SET_DUMPABLE = 4;
const PR_GET_DUMPABLE = 3;

function ffiGranted(): boolean {
  return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

/** `true` for root, `undefined` when the uid cannot be read (no `--allow-sys`). */
function runsAsRoot(): boolean | undefined {
  if (Deno.permissions.querySync({ name: "sys", kind: "uid" }).state !== "granted") {
    return undefined;
  }
  return Deno.uid() === 0;
}

const EXPOSED = "uncontained jobs (and other processes of this user) can read the MCP stream " +
  "through /proc/<server pid>/fd";

function verdict(marked: boolean): ServerPrivacy {
  if (!marked) {
    return {
      private: false,
      reason: `${EXPOSED}: marking the server non-dumpable needs --allow-ffi (or -A)`,
    };
  }
  if (runsAsRoot() === true) {
    return {
      private: false,
      reason: `${EXPOSED}: the server runs as root, and root reads any process's descriptors`,
    };
  }
  return {
    private: true,
    reason: "the server is non-dumpable: its /proc descriptors, memory and environment are " +
      "closed to other processes of its user",
  };
}

/**
 * Marks this process non-dumpable where FFI is permitted, and says what that protects.
 *
 * @example Usage
 * ```ts ignore
 * import { makeServerPrivate } from "./server_privacy.ts";
 * console.error(makeServerPrivate().reason);
 * ```
 */
export function makeServerPrivate(): ServerPrivacy {
  if (Deno.build.os !== "linux" || !ffiGranted()) return verdict(false);
  try {
    const libc = Deno.dlopen(
      "libc.so.6",
      {
        prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
      } as const,
    );
    try {
      libc.symbols.prctl(PR_SET_DUMPABLE, 0n, 0n, 0n, 0n);
      return verdict(libc.symbols.prctl(PR_GET_DUMPABLE, 0n, 0n, 0n, 0n) === 0);
    } finally {
      libc.close();
    }
  } catch {
    // No libc.so.6 (musl, an unusual layout): the server stays as it is, and says so.
    return verdict(false);
  }
}

/**
 * What {@linkcode makeServerPrivate} would achieve under this process's permissions, without
 * changing anything (for `--doctor`).
 *
 * @example Usage
 * ```ts
 * import { serverPrivacyOutlook } from "./server_privacy.ts";
 * console.log(serverPrivacyOutlook().reason);
 * ```
 */
export function serverPrivacyOutlook(): ServerPrivacy {
  return verdict(Deno.build.os === "linux" && ffiGranted());
}
