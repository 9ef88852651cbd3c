/**
 * The HTTP token the server makes for itself when none is set: random, kept in a file only its
 * user can read (mode 0600, in a 0700 directory), reused by the next start so that a client set
 * up once keeps working.
 *
 * @module
 */
import { join } from "node:path";
import { StartupError } from "../errors.ts";

/** The name of the server's own directory inside the base directory. */
const DIRECTORY_NAME = "mcp-background-job";
/** The token file's name inside it. */
const FILE_NAME = "http-token";
// 32 random bytes in base64url: 43 characters.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A token the server generated or read back from where it keeps one. */
export interface GeneratedToken {
  readonly token: string;
  /** The file it is kept in (mode 0600). */
  readonly file: string;
  /** `true` when made now; `false` when the file held one from an earlier start. */
  readonly fresh: boolean;
}

/**
 * The directory the generated token is kept in: `$XDG_RUNTIME_DIR/mcp-background-job` (a per-user
 * 0700 directory the login session owns), else `$XDG_STATE_HOME/mcp-background-job`, else
 * `~/.local/state/mcp-background-job`; `undefined` when none of them is known. Relative values are
 * ignored, as the XDG specification asks.
 *
 * @example Usage
 * ```ts
 * import { tokenDirectory } from "./generated_token.ts";
 * import assert from "node:assert/strict";
 * assert.equal(tokenDirectory({ XDG_RUNTIME_DIR: "/run/user/1000" }), "/run/user/1000/mcp-background-job");
 * assert.equal(tokenDirectory({ HOME: "/home/ann" }), "/home/ann/.local/state/mcp-background-job");
 * ```
 */
export function tokenDirectory(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const absolute = (path: string | undefined) => path?.startsWith("/") ? path : undefined;
  const base = absolute(env.XDG_RUNTIME_DIR) ?? absolute(env.XDG_STATE_HOME) ??
    (absolute(env.HOME) === undefined ? undefined : join(env.HOME!, ".local", "state"));
  return base === undefined ? undefined : join(base, DIRECTORY_NAME);
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** This process's user id, when Deno may tell (`--allow-sys`); else `undefined`. */
function ownUid(): number | undefined {
  try {
    return Deno.uid() ?? undefined;
  } catch {
    return undefined;
  }
}

function failure(what: string, error?: unknown): StartupError {
  const why = error instanceof Error ? ` (${error.message})` : "";
  return new StartupError(
    `no HTTP token is set and the server cannot keep one of its own: ${what}${why}. Set ` +
      "MCP_BG_HTTP_TOKEN or MCP_BG_HTTP_TOKEN_FILE, or let the server write its token there " +
      "(--allow-write for that directory; XDG_RUNTIME_DIR chooses where)",
    { cause: error },
  );
}

/** Makes `dir` (0700) if needed and checks only this user can use it. */
function privateDirectory(dir: string, uid: number | undefined): void {
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw failure(`${dir} cannot be made`, error);
  }
  const info = Deno.lstatSync(dir);
  if (!info.isDirectory) throw failure(`${dir} is not a directory (a symbolic link?)`);
  if (uid !== undefined && info.uid !== uid) {
    throw failure(`${dir} belongs to another user (uid ${info.uid})`);
  }
  // Ours, but open to others (made by hand, or under a loose umask): close it.
  if (((info.mode ?? 0) & 0o077) !== 0) Deno.chmodSync(dir, 0o700);
}

/** The token in `file` when it is one of ours and private; else `undefined`. */
function readBack(file: string, uid: number | undefined): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw failure(`${file} cannot be read`, error);
  }
  const private_ = info.isFile && ((info.mode ?? 0) & 0o777) === 0o600 &&
    (uid === undefined || info.uid === uid);
  if (!private_) return undefined;
  const token = Deno.readTextFileSync(file).trim();
  return TOKEN_SHAPE.test(token) ? token : undefined;
}

/**
 * The token kept in `dir`: read back when a private one is there, else made now and written
 * (to a new 0600 file, then moved into place, so a reader never sees half a token and two
 * servers starting at once agree on one).
 *
 * @throws {StartupError} when the directory cannot be made private or the file cannot be written.
 */
export function generatedToken(dir: string): GeneratedToken {
  const uid = ownUid();
  privateDirectory(dir, uid);
  const file = join(dir, FILE_NAME);
  const kept = readBack(file, uid);
  if (kept !== undefined) return { token: kept, file, fresh: false };
  const token = randomToken();
  const temporary = join(dir, `.${FILE_NAME}.${randomToken().slice(0, 12)}`);
  try {
    Deno.writeTextFileSync(temporary, `${token}\n`, { createNew: true, mode: 0o600 });
    // The mode given to open() is narrowed by the umask, never widened; make it exact anyway.
    Deno.chmodSync(temporary, 0o600);
    try {
      // A hard link fails when the name exists: a server starting at the same moment won.
      Deno.linkSync(temporary, file);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      const theirs = readBack(file, uid);
      if (theirs !== undefined) return { token: theirs, file, fresh: false };
      // A file that is not a private token of ours (readable by others, say): replaced.
      Deno.renameSync(temporary, file);
    }
  } catch (error) {
    throw failure(`${file} cannot be written`, error);
  } finally {
    try {
      Deno.removeSync(temporary);
    } catch {
      // Already moved into place.
    }
  }
  return { token, file, fresh: true };
}
