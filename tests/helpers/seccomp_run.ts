/**
 * A classic-BPF interpreter for seccomp filters, enough to check a filter's verdicts without a
 * kernel: loads of `struct seccomp_data` words, AND, JEQ/JGE/JSET and RET.
 *
 * @module
 */

/** One system call as the kernel shows it to a filter. */
export interface SyscallData {
  readonly arch: number;
  readonly nr: number;
  /** Up to six arguments (only their low 32 bits are read here). */
  readonly args?: readonly number[];
}

/** What `filter` returns for `call`: the kernel's action word. */
export function runFilter(filter: Uint8Array, call: SyscallData): number {
  const view = new DataView(filter.buffer, filter.byteOffset, filter.byteLength);
  const data = new DataView(new ArrayBuffer(64));
  data.setInt32(0, call.nr, true);
  data.setUint32(4, call.arch, true);
  (call.args ?? []).forEach((value, i) => data.setUint32(16 + 8 * i, value >>> 0, true));
  let a = 0;
  for (let pc = 0; pc * 8 < filter.length; pc++) {
    const code = view.getUint16(pc * 8, true);
    const jt = view.getUint8(pc * 8 + 2);
    const jf = view.getUint8(pc * 8 + 3);
    const k = view.getUint32(pc * 8 + 4, true);
    switch (code) {
      case 0x20:
        a = data.getUint32(k, true);
        break;
      case 0x54:
        a = (a & k) >>> 0;
        break;
      case 0x15:
        pc += a === k ? jt : jf;
        break;
      case 0x35:
        pc += a >= k ? jt : jf;
        break;
      case 0x45:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case 0x06:
        return k;
      default:
        throw new Error(`unknown BPF code 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("the filter ran off its end");
}
