/**
 * Classic BPF, as `seccomp(2)` runs it: a tiny assembler whose jumps name labels, turned into
 * the kernel's `struct sock_filter` array (8 bytes each: u16 code, u8 jt, u8 jf, u32 k).
 *
 * @module
 */

/** `BPF_LD | BPF_W | BPF_ABS`: load the 32-bit word at offset k of `struct seccomp_data`. */
export const LOAD_WORD = 0x20;
/** `BPF_ALU | BPF_AND | BPF_K`: A &= k. */
export const AND = 0x54;
/** `BPF_JMP | BPF_JEQ | BPF_K`: jump if A == k. */
export const JUMP_EQUAL = 0x15;
/** `BPF_JMP | BPF_JGE | BPF_K`: jump if A >= k (unsigned). */
export const JUMP_AT_LEAST = 0x35;
/** `BPF_JMP | BPF_JSET | BPF_K`: jump if A & k is not zero. */
export const JUMP_ANY_BIT = 0x45;
/** `BPF_RET | BPF_K`: end the filter with action k. */
export const RETURN = 0x06;

/** One instruction; a jump target is a label, or `undefined` for the next instruction. */
export interface Instruction {
  readonly code: number;
  readonly k: number;
  readonly ifTrue?: string;
  readonly ifFalse?: string;
}

/** A program: instructions and the labels that mark them (`{ label: "name" }`). */
export type Line = Instruction | { readonly label: string };

/**
 * Resolves the labels of `lines` and packs the instructions little-endian, as `x86_64` and
 * `aarch64` both read them.
 *
 * @throws {RangeError} when a label is missing, behind its jump, or more than 255 instructions on.
 *
 * @example Usage
 * ```ts
 * import { assemble, RETURN } from "./bpf.ts";
 * import assert from "node:assert/strict";
 * const allowAll = assemble([{ code: RETURN, k: 0x7fff0000 }]);
 * assert.deepEqual([...allowAll], [6, 0, 0, 0, 0, 0, 0xff, 0x7f]);
 * ```
 */
export function assemble(lines: readonly Line[]): Uint8Array {
  const places = new Map<string, number>();
  const instructions: Instruction[] = [];
  for (const line of lines) {
    if ("label" in line) places.set(line.label, instructions.length);
    else instructions.push(line);
  }
  const bytes = new Uint8Array(instructions.length * 8);
  const view = new DataView(bytes.buffer);
  instructions.forEach((instruction, index) => {
    const offset = (label: string | undefined): number => {
      if (label === undefined) return 0;
      const place = places.get(label);
      if (place === undefined) throw new RangeError(`Cannot assemble: no label "${label}"`);
      const distance = place - index - 1;
      if (distance < 0 || distance > 255) {
        throw new RangeError(`Cannot assemble: label "${label}" is ${distance} instructions on`);
      }
      return distance;
    };
    view.setUint16(index * 8, instruction.code, true);
    view.setUint8(index * 8 + 2, offset(instruction.ifTrue));
    view.setUint8(index * 8 + 3, offset(instruction.ifFalse));
    view.setUint32(index * 8 + 4, instruction.k >>> 0, true);
  });
  return bytes;
}
