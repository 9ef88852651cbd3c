/**
 * The seccomp filter every contained job runs under (bubblewrap loads it, `--seccomp FD`, into
 * the sandbox's init and the job): the system calls that would reach past the sandbox's walls.
 *
 * - Always: `io_uring_*` (its operations skip seccomp), namespace creation (`unshare`, `clone`
 *   with a `CLONE_NEW*` flag, `setns`; `clone3` hides its flags in memory, so it reports ENOSYS
 *   and C libraries fall back to `clone`), and the kernel keyring (`keyctl`, `add_key`,
 *   `request_key`: not fully namespaced).
 * - Network off: `socket` for any family but `AF_INET`, `AF_INET6` and `AF_NETLINK` (those reach
 *   only the job's own network namespace), so no Unix socket on disk can be dialled, nor `AF_VSOCK`;
 *   `socketpair` keeps working for streams and sequenced packets (a datagram pair could `sendto`
 *   any socket path, so it is refused).
 *
 * Any architecture but `x86_64` and `aarch64` (a 32-bit program, the x32 ABI) is killed: its
 * system call numbers differ and it could reach `socket` another way (`socketcall`).
 *
 * @module
 */
import {
  AND,
  assemble,
  JUMP_ANY_BIT,
  JUMP_AT_LEAST,
  JUMP_EQUAL,
  type Line,
  LOAD_WORD,
  RETURN,
} from "./bpf.ts";

/** What the filter is built for. */
export interface JobFilterOptions {
  /** `false` (`MCP_BG_NETWORK=off`): refuse every socket family that leaves the namespace. */
  readonly network: boolean;
}

// struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian).
const NUMBER = 0;
const ARCH = 4;
const FIRST_ARGUMENT = 16;
const SECOND_ARGUMENT = 24;

const KILL_PROCESS = 0x80000000;
const ALLOW = 0x7fff0000;
const ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

// Every CLONE_NEW* flag: NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
const NEW_NAMESPACE_FLAGS = 0x80 | 0x20000 | 0x02000000 | 0x04000000 | 0x08000000 |
  0x10000000 | 0x20000000 | 0x40000000;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const SOCK_TYPE_MASK = 0xf;
const SOCK_STREAM = 1;
const SOCK_SEQPACKET = 5;
// x32 programs run with the x86_64 audit arch and this bit set in their call numbers.
const X32_BIT = 0x40000000;

/** The system calls the filter names, by architecture. */
interface Numbers {
  readonly socket: number;
  readonly socketpair: number;
  readonly clone: number;
  readonly clone3: number;
  readonly unshare: number;
  readonly setns: number;
  readonly ioUring: readonly number[];
  readonly keyring: readonly number[];
}

const ARCHITECTURES: readonly { audit: number; name: string; numbers: Numbers }[] = [
  {
    audit: 0xc000003e, // AUDIT_ARCH_X86_64
    name: "x86_64",
    numbers: {
      socket: 41,
      socketpair: 53,
      clone: 56,
      clone3: 435,
      unshare: 272,
      setns: 308,
      ioUring: [425, 426, 427],
      keyring: [248, 249, 250],
    },
  },
  {
    audit: 0xc00000b7, // AUDIT_ARCH_AARCH64
    name: "aarch64",
    numbers: {
      socket: 198,
      socketpair: 199,
      clone: 220,
      clone3: 435,
      unshare: 97,
      setns: 268,
      ioUring: [425, 426, 427],
      keyring: [217, 218, 219],
    },
  },
];

const load = (offset: number): Line => ({ code: LOAD_WORD, k: offset });
const ret = (action: number): Line => ({ code: RETURN, k: action });
const jumpIf = (k: number, ifTrue?: string, ifFalse?: string): Line => ({
  code: JUMP_EQUAL,
  k,
  ifTrue,
  ifFalse,
});

/** The rules for one architecture; the call number is in A on entry. */
function rules(name: string, numbers: Numbers, options: JobFilterOptions): Line[] {
  const next = (rule: string) => `${name}:${rule}:end`;
  const lines: Line[] = [];
  for (const call of numbers.ioUring) lines.push(jumpIf(call, "enosys"));
  lines.push(jumpIf(numbers.clone3, "enosys"));
  for (const call of [...numbers.keyring, numbers.setns]) lines.push(jumpIf(call, "eperm"));
  for (const call of [numbers.clone, numbers.unshare]) {
    lines.push(
      jumpIf(call, undefined, next(`${call}`)),
      load(FIRST_ARGUMENT),
      { code: JUMP_ANY_BIT, k: NEW_NAMESPACE_FLAGS, ifTrue: "eperm", ifFalse: "allow" },
      { label: next(`${call}`) },
    );
  }
  if (!options.network) {
    lines.push(
      jumpIf(numbers.socket, undefined, next("socket")),
      load(FIRST_ARGUMENT),
      jumpIf(AF_INET, "allow"),
      jumpIf(AF_INET6, "allow"),
      jumpIf(AF_NETLINK, "allow"),
      ret(ERRNO | EPERM),
      { label: next("socket") },
      jumpIf(numbers.socketpair, undefined, "allow"),
      load(SECOND_ARGUMENT),
      { code: AND, k: SOCK_TYPE_MASK },
      jumpIf(SOCK_STREAM, "allow"),
      jumpIf(SOCK_SEQPACKET, "allow"),
      ret(ERRNO | EPERM),
    );
  }
  lines.push(ret(ALLOW));
  return lines;
}

/**
 * The filter for a job, as bubblewrap's `--seccomp` reads it (an array of `struct sock_filter`).
 *
 * @example Usage
 * ```ts
 * import { jobFilter } from "./job_filter.ts";
 * import assert from "node:assert/strict";
 * const filter = jobFilter({ network: false });
 * assert.equal(filter.length % 8, 0);
 * ```
 */
export function jobFilter(options: JobFilterOptions): Uint8Array {
  const lines: Line[] = [load(ARCH)];
  for (const { audit, name } of ARCHITECTURES) lines.push(jumpIf(audit, name));
  lines.push(ret(KILL_PROCESS));
  for (const { name, numbers } of ARCHITECTURES) {
    lines.push({ label: name }, load(NUMBER));
    if (name === "x86_64") lines.push({ code: JUMP_AT_LEAST, k: X32_BIT, ifTrue: "kill" });
    lines.push(...rules(name, numbers, options));
  }
  lines.push(
    { label: "kill" },
    ret(KILL_PROCESS),
    { label: "eperm" },
    ret(ERRNO | EPERM),
    { label: "enosys" },
    ret(ERRNO | ENOSYS),
    { label: "allow" },
    ret(ALLOW),
  );
  return assemble(lines);
}
