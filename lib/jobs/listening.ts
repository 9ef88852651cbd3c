/**
 * The TCP ports a job's processes listen on, read from `/proc` (Linux): the job's process tree
 * (grandchildren included, as in npm → node → vite), the socket inodes among their open file
 * descriptors, and the LISTEN entries of `/proc/<pid>/net/tcp{,6}` with those inodes. The tables
 * are read through a job process, not `/proc/net`, because they belong to a network namespace:
 * a sandboxed job with its own network is only visible from inside it.
 *
 * @module
 */

/** A socket a job listens on. */
export interface ListeningSocket {
  readonly port: number;
  /** The local address, e.g. `127.0.0.1`, `0.0.0.0`, `::` or `::1`. */
  readonly address: string;
}

// The state column of /proc/net/tcp for a listening socket.
const TCP_LISTEN = "0A";
const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/** Whether this process can read ports from `/proc`, and why not when it cannot. */
export interface PortDetection {
  readonly available: boolean;
  readonly reason: string;
}

let detection: PortDetection | undefined;

/**
 * Whether listening ports can be read here, checked once: Deno opens `/proc` only under
 * `--allow-all`, and other systems have no `/proc`.
 *
 * @example Usage
 * ```ts
 * import { portDetection } from "./listening.ts";
 * import assert from "node:assert/strict";
 * assert.equal(typeof portDetection().available, "boolean");
 * ```
 */
export function portDetection(): PortDetection {
  return detection ??= probeProc();
}

function probeProc(): PortDetection {
  try {
    Deno.readTextFileSync("/proc/self/stat");
    return { available: true, reason: "read from /proc" };
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      return { available: false, reason: "Deno reads /proc only when run with -A (--allow-all)" };
    }
    return { available: false, reason: "this system has no readable /proc" };
  }
}

/**
 * The TCP sockets the process `pid` and its descendants listen on, sorted by port; empty when
 * there are none, when the processes are gone, or where `/proc` cannot be read.
 *
 * @example Usage
 * ```ts
 * import { listeningSockets } from "./listening.ts";
 * import assert from "node:assert/strict";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const sockets = listeningSockets(Deno.pid);
 * assert.ok(sockets.some((s) => s.port === listener.addr.port && s.address === "127.0.0.1"));
 * listener.close();
 * ```
 */
export function listeningSockets(pid: number, proc = "/proc"): ListeningSocket[] {
  const pids = processTree(pid, proc);
  const inodes = new Set<string>();
  for (const member of pids) socketInodes(member, proc, inodes);
  if (inodes.size === 0) return [];
  const found = new Map<string, ListeningSocket>();
  const namespaces = new Set<string>();
  for (const member of pids) {
    // One read per network namespace: processes that share one see the same table.
    const namespace = readLink(`${proc}/${member}/ns/net`) ?? `pid ${member}`;
    if (namespaces.has(namespace)) continue;
    namespaces.add(namespace);
    for (const table of ["tcp", "tcp6"]) {
      for (const socket of listeningIn(readText(`${proc}/${member}/net/${table}`), inodes)) {
        found.set(`${socket.address} ${socket.port}`, socket);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

/**
 * {@linkcode listeningSockets} of one process tree, looked up again only once `maxAgeMs` have
 * passed: reading `/proc/<pid>/net/tcp` walks the kernel's whole connection table (milliseconds
 * on a busy host), too slow to repeat for every status call of every job.
 *
 * @example Usage
 * ```ts
 * import { ListeningCache } from "./listening.ts";
 * import assert from "node:assert/strict";
 * const cache = new ListeningCache(1000);
 * assert.equal(cache.of(Deno.pid), cache.of(Deno.pid)); // the second is the first, cached
 * ```
 */
export class ListeningCache {
  readonly #maxAgeMs: number;
  #lookedUp = -Infinity;
  #sockets: ListeningSocket[] = [];

  /** A cache whose answer is at most `maxAgeMs` old. */
  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** The sockets `pid`'s tree listens on, as of at most `maxAgeMs` ago, or now when `fresh`. */
  of(pid: number, fresh = false): ListeningSocket[] {
    const now = performance.now();
    if (fresh || now - this.#lookedUp >= this.#maxAgeMs) {
      this.#sockets = listeningSockets(pid);
      this.#lookedUp = now;
    }
    return this.#sockets;
  }
}

/** `pid` and every process descended from it, from the `children` files of its threads. */
function processTree(pid: number, proc: string): number[] {
  const seen = new Set<number>([pid]);
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.pop()!;
    for (const task of readDir(`${proc}/${parent}/task`)) {
      const children = readText(`${proc}/${parent}/task/${task}/children`) ?? "";
      for (const word of children.split(" ")) {
        const child = Number.parseInt(word, 10);
        if (Number.isInteger(child) && !seen.has(child)) {
          seen.add(child);
          queue.push(child);
        }
      }
    }
  }
  return [...seen];
}

/** Adds the inode of every socket `pid` has open to `into`. */
function socketInodes(pid: number, proc: string, into: Set<string>): void {
  for (const fd of readDir(`${proc}/${pid}/fd`)) {
    const inode = SOCKET_LINK.exec(readLink(`${proc}/${pid}/fd/${fd}`) ?? "")?.[1];
    if (inode !== undefined) into.add(inode);
  }
}

/**
 * The LISTEN entries of one `/proc/net/tcp` or `tcp6` table whose inode is in `inodes`.
 *
 * @example Usage
 * ```ts
 * import { listeningIn } from "./listening.ts";
 * import assert from "node:assert/strict";
 * const table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" +
 *   "   uid  timeout inode\n" +
 *   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 4242\n";
 * assert.deepEqual(listeningIn(table, new Set(["4242"])), [{ port: 8080, address: "127.0.0.1" }]);
 * ```
 */
export function listeningIn(table: string | undefined, inodes: ReadonlySet<string>) {
  const sockets: ListeningSocket[] = [];
  for (const line of (table ?? "").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== TCP_LISTEN || !inodes.has(fields[9] ?? "")) continue;
    const [address, port] = fields[1]!.split(":");
    sockets.push({ port: Number.parseInt(port!, 16), address: formatAddress(address!) });
  }
  return sockets;
}

/** An address as /proc writes it (32-bit words in host byte order, little-endian here) as text. */
function formatAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let i = 6; i >= 0; i -= 2) {
      bytes.push(Number.parseInt(hex.slice(word + i, word + i + 2), 16));
    }
  }
  if (bytes.length === 4) return bytes.join(".");
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff &&
    bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join(".")}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The longest run of two or more zero groups becomes "::".
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8;) {
    let end = start;
    while (end < 8 && groups[end] === "0") end++;
    if (end - start > best.length) best = { start, length: end - start };
    start = end > start ? end : start + 1;
  }
  if (best.start < 0) return groups.join(":");
  const head = groups.slice(0, best.start).join(":");
  const tail = groups.slice(best.start + best.length).join(":");
  return `${head}::${tail}`;
}

// /proc entries vanish as processes exit and may be unreadable (permissions, no /proc): each
// read below treats that as "nothing there".
function readDir(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((entry) => entry.name);
  } catch {
    // Gone, not permitted, or not Linux.
    return [];
  }
}

function readLink(path: string): string | undefined {
  try {
    return Deno.readLinkSync(path);
  } catch {
    // The fd was closed or the process exited between listing and reading.
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    // The process exited, or /proc is not readable here.
    return undefined;
  }
}
