/**
 * Private directories: created 0700 and, before every use, checked to belong to this user and to
 * let nobody else in. The service's socket and the ledger live only in such directories.
 *
 * @module
 */
import { StartupError } from "../errors.ts";

/** Mode bits a private directory may not have: any access for group or others. */
const SHARED_BITS = 0o077;

/**
 * Creates `path` (and its parents) with mode 0700 when missing, then checks that it is a real
 * directory (not a symlink) owned by this user with no access for anyone else. Returns `path`.
 *
 * @throws {StartupError} when the directory exists with another owner or a wider mode.
 *
 * @example Usage
 * ```ts
 * import { privateDirectory } from "./private_dir.ts";
 * import assert from "node:assert/strict";
 * const base = Deno.makeTempDirSync();
 * const dir = privateDirectory(`${base}/a/b`);
 * assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
 * Deno.removeSync(base, { recursive: true });
 * ```
 */
export function privateDirectory(path: string): string {
  try {
    Deno.mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    // Someone made it first: it is checked below like any existing directory.
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  checkPrivate(path);
  return path;
}

/**
 * Checks that `path` is a directory (not a symlink) owned by this user, closed to everyone else.
 *
 * @throws {StartupError} naming the path and what is wrong with it.
 */
export function checkPrivate(path: string): void {
  const info = Deno.lstatSync(path);
  const uid = Deno.uid();
  if (!info.isDirectory) {
    throw new StartupError(`${path} is not a directory (a symlink or a file is never trusted)`);
  }
  if (uid !== null && info.uid !== uid) {
    throw new StartupError(`${path} belongs to uid ${info.uid}, not to this user (uid ${uid})`);
  }
  const mode = (info.mode ?? 0) & 0o777;
  if ((mode & SHARED_BITS) !== 0) {
    throw new StartupError(
      `${path} has mode ${mode.toString(8)}: others could reach it; make it 700 (chmod 700)`,
    );
  }
}

/** Writes `text` to `path` with mode 0600 through a temporary file and a rename. */
export function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  Deno.writeTextFileSync(temporary, text, { mode: 0o600 });
  Deno.renameSync(temporary, path);
}
