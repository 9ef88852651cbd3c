/**
 * The job filter's verdicts, read by a BPF interpreter: the escape calls are refused on both
 * architectures, everything else passes, and an unknown architecture or ABI is killed.
 */
import assert from "node:assert/strict";
import { jobFilter } from "../../lib/sandbox/seccomp/job_filter.ts";
import { runFilter } from "../helpers/seccomp_run.ts";

const X86_64 = 0xc000003e;
const AARCH64 = 0xc00000b7;
const I386 = 0x40000003;
const KILL = 0x80000000;
const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_VSOCK = 40;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0x80000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_THREAD_FLAGS = 0x3d0f00;

const NUMBERS: Record<number, Record<string, number>> = {
  [X86_64]: {
    read: 0,
    socket: 41,
    socketpair: 53,
    clone: 56,
    clone3: 435,
    unshare: 272,
    setns: 308,
    keyctl: 250,
  },
  [AARCH64]: {
    read: 63,
    socket: 198,
    socketpair: 199,
    clone: 220,
    clone3: 435,
    unshare: 97,
    setns: 268,
    keyctl: 219,
  },
};

for (const arch of [X86_64, AARCH64]) {
  const n = NUMBERS[arch];
  const name = arch === X86_64 ? "x86_64" : "aarch64";
  Deno.test(`jobFilter() on ${name} refuses the escape calls and passes the rest`, () => {
    for (const network of [true, false]) {
      const verdict = (nr: number, ...args: number[]) =>
        runFilter(jobFilter({ network }), { arch, nr, args });
      assert.equal(verdict(n.read), ALLOW);
      assert.equal(verdict(425), ENOSYS, "io_uring_setup");
      assert.equal(verdict(426), ENOSYS, "io_uring_enter");
      assert.equal(verdict(427), ENOSYS, "io_uring_register");
      assert.equal(verdict(n.clone3), ENOSYS, "clone3: its flags cannot be read");
      assert.equal(verdict(n.clone, CLONE_THREAD_FLAGS), ALLOW, "threads and forks");
      assert.equal(verdict(n.clone, CLONE_NEWUSER), EPERM);
      assert.equal(verdict(n.unshare, 0x400), ALLOW, "CLONE_FILES creates no namespace");
      assert.equal(verdict(n.unshare, CLONE_NEWUSER | 0x20000), EPERM);
      assert.equal(verdict(n.setns), EPERM);
      assert.equal(verdict(n.keyctl), EPERM);
      assert.equal(verdict(n.socket, AF_INET, SOCK_STREAM), ALLOW);
      assert.equal(verdict(n.socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC), ALLOW);
      const closed = network ? ALLOW : EPERM;
      assert.equal(verdict(n.socket, AF_UNIX, SOCK_STREAM), closed, `network ${network}`);
      assert.equal(verdict(n.socket, AF_VSOCK, SOCK_STREAM), closed);
      assert.equal(verdict(n.socketpair, AF_UNIX, SOCK_DGRAM), closed, "sendto any path");
    }
  });
}

Deno.test("jobFilter() kills a call from an unknown architecture or the x32 ABI", () => {
  for (const network of [true, false]) {
    const filter = jobFilter({ network });
    assert.equal(runFilter(filter, { arch: I386, nr: 3 }), KILL);
    assert.equal(runFilter(filter, { arch: 0xdeadbeef, nr: 0 }), KILL);
    assert.equal(runFilter(filter, { arch: X86_64, nr: 0x40000000 + 41, args: [AF_UNIX] }), KILL);
  }
});
