/**
 * The seccomp filter as a file, so that the shell which starts bubblewrap can open it as fd 3
 * itself: a descriptor handed down by Deno would make it fork the whole server for every job
 * instead of `posix_spawn`ing (106 ms against 43 ms of blocking per spawn, measured).
 *
 * One file per distinct filter (they depend only on the policy), written once into a directory
 * of the server's own (mode 0700, the file 0400) and removed when the server exits. Every
 * server's directory sits in one directory per user (`mcp-bg-seccomp-u<uid>` in the temporary
 * directory, 0700), and every sandbox hides that whole directory like a deny rule: a contained job
 * of one server must not reach another server's filter files, which it could otherwise swap
 * between that server's check and bubblewrap's read (same user, so modes do not stop it). The
 * directory is made when the first contained job starts; a killed server's directory is removed
 * by the next server that makes one (see filter_dir_owner.ts). A process of the same user outside
 * every sandbox could still rewrite a file, so its bytes and inode are compared before each use
 * (one `lstat`, one read of under a kilobyte) and a changed file is replaced.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { FILTER_DIR_PREFIX, ownPrefix, removeAbandoned } from "./filter_dir_owner.ts";

/** A filter's file: where it is, what it must hold, and the inode it was written to. */
interface Written {
  readonly path: string;
  readonly bytes: Uint8Array;
  ino: number | null;
}

let directory: string | null | undefined;
let directoryIno: number | null = null;
const files = new Map<string, Written>();

/** Thrown when the filter's file was replaced and cannot be written again. */
export class FilterFileTampered extends Error {
  override name = "FilterFileTampered";
}

/**
 * Whether `root` is the user's own directory of filter directories: a directory (not a link),
 * owned by `uid`, open to no one else.
 */
function usersOwn(root: string, uid: number | null): boolean {
  const info = Deno.lstatSync(root);
  return info.isDirectory && info.uid === uid && (info.mode! & 0o077) === 0;
}

/**
 * Makes this server's directory and moves it into the user's one (`mcp-bg-seccomp-u<uid>`, made
 * if missing). The directory is made first so that its owner tells the user id without
 * `--allow-sys`. `undefined` when the user's directory's name is taken by anything but the user's
 * own 0700 directory (another user may have made it first in a shared temporary directory).
 */
function makeDirectory(): string | undefined {
  const tempDir = Deno.env.get("TMPDIR") || "/tmp";
  const made = Deno.makeTempDirSync({ prefix: ownPrefix() });
  try {
    Deno.chmodSync(made, 0o700);
    const uid = Deno.lstatSync(made).uid;
    const root = join(tempDir, `${FILTER_DIR_PREFIX}u${uid}`);
    // A few times: another server removes the user's directory when it leaves it empty.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        Deno.mkdirSync(root, { mode: 0o700 });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
      try {
        if (!usersOwn(root, uid)) break;
        const own = join(root, basename(made));
        Deno.renameSync(made, own);
        return own;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    Deno.removeSync(made, { recursive: true });
    return undefined;
  } catch (error) {
    Deno.removeSync(made, { recursive: true });
    throw error;
  }
}

/** The server's private directory for filter files, made on first use; `undefined` when Deno may not write there. */
export function filterDirectory(): string | undefined {
  if (directory === undefined) {
    try {
      const made = makeDirectory();
      if (made === undefined) return undefined;
      directoryIno = Deno.lstatSync(made).ino;
      removeAbandoned(dirname(made), basename(made));
      // Nothing stays on disk once the server is gone (Deno.exit dispatches "unload" too).
      globalThis.addEventListener("unload", () => removeOwn(made));
      directory = made;
    } catch (error) {
      if (
        !(error instanceof Deno.errors.NotCapable) &&
        !(error instanceof Deno.errors.PermissionDenied)
      ) {
        throw error;
      }
      directory = null;
    }
  }
  return directory ?? undefined;
}

/** Removes `own`, and the user's directory too when no other server's is left in it. */
function removeOwn(own: string): void {
  try {
    Deno.removeSync(own, { recursive: true });
    Deno.removeSync(dirname(own));
  } catch { /* gone already, or another server's directory is still there */ }
}

/**
 * What every sandbox hides for `filterPath`: the user's directory that holds every server's
 * filter directory, so that no contained job reaches any server's filter files.
 */
export function hiddenFilterDirectory(filterPath: string): string {
  return dirname(dirname(filterPath));
}

/** A short name for `bytes` (FNV-1a): files of different filters never share a path. */
function nameOf(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `filter-${hash.toString(16).padStart(8, "0")}-${bytes.length}.bpf`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Whether `dir` is still the directory made for the filters. */
function directoryIntact(dir: string): boolean {
  try {
    const info = Deno.lstatSync(dir);
    return info.isDirectory && info.ino === directoryIno;
  } catch {
    return false;
  }
}

/** Whether the file at `written.path` is the one written, with its bytes unchanged. */
function intact(written: Written): boolean {
  try {
    const info = Deno.lstatSync(written.path);
    if (!info.isFile || info.ino !== written.ino) return false;
    return sameBytes(Deno.readFileSync(written.path), written.bytes);
  } catch {
    return false;
  }
}

/** (Re)writes the file: anything at its path is removed, and the new one must be created afresh. */
function write(written: Written): void {
  try {
    Deno.removeSync(written.path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    // createNew: a link or file planted in between makes this fail instead of being followed.
    Deno.writeFileSync(written.path, written.bytes, { createNew: true, mode: 0o400 });
  } catch (error) {
    throw new FilterFileTampered(
      `the seccomp filter's file ${written.path} was replaced while it was rewritten`,
      { cause: error },
    );
  }
  written.ino = Deno.lstatSync(written.path).ino;
}

/**
 * The path of a file holding exactly `filter`, checked (and rewritten if it changed) now;
 * `undefined` when no filter directory can be made.
 *
 * @throws {FilterFileTampered} when the file keeps being replaced under the server.
 *
 * @example Usage
 * ```ts
 * import { filterFile } from "./filter_file.ts";
 * import assert from "node:assert/strict";
 * const path = filterFile(new Uint8Array([6, 0, 0, 0, 0, 0, 0xff, 0x7f]));
 * if (path !== undefined) assert.equal(Deno.readFileSync(path).length, 8);
 * ```
 */
export function filterFile(filter: Uint8Array): string | undefined {
  const dir = filterDirectory();
  if (dir === undefined) return undefined;
  if (!directoryIntact(dir)) {
    // Gone (removed by hand, or by a cleaner of the temporary directory): made afresh.
    if (!exists(dir)) {
      directory = undefined;
      files.clear();
      return filterFile(filter);
    }
    throw new FilterFileTampered(`the seccomp filters' directory ${dir} was replaced`);
  }
  const name = nameOf(filter);
  let written = files.get(name);
  if (written === undefined) {
    written = { path: join(dir, name), bytes: filter.slice(), ino: null };
    files.set(name, written);
    write(written);
    return written.path;
  }
  if (!intact(written)) write(written);
  return written.path;
}
