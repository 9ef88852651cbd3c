/**
 * Finds the file a program name would run: through `PATH` for a bare name, relative to the
 * working directory for a name with a slash, with symlinks followed for the real file.
 *
 * @module
 */

/** Where a program was found. */
export interface ProgramLocation {
  /** The path that would be executed, symlinks not followed (what `--allow-run` compares). */
  readonly path: string;
  /** The same file with every symlink followed. */
  readonly real: string;
  /** Found through a relative `PATH` entry (such as `.` or an empty entry). */
  readonly viaRelativePathEntry: boolean;
}

/** The last path segment: `basename("/usr/bin/ls")` is `ls`. */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Joins `path` onto `base` unless it is already absolute (no normalisation needed for lookups). */
export function resolvePath(base: string, path: string): string {
  return path.startsWith("/") ? path : `${base.replace(/\/+$/, "")}/${path}`;
}

// `node:fs`, whose loading costs a fresh server about 15 ms, is loaded once the server has
// answered its client (loadQuickFileChecks); until then a missing file is told by the thrown error.
let exists: ((path: string) => boolean) | undefined;

/**
 * Loads the quick test for a missing file that program lookups use from then on; nothing waits
 * for it at start-up.
 *
 * @example Usage
 * ```ts
 * import { loadQuickFileChecks, locateProgram } from "./program_path.ts";
 * await loadQuickFileChecks();
 * console.log(locateProgram("sh", { cwd: "/", searchPath: "/usr/bin:/bin" })?.path);
 * ```
 */
export async function loadQuickFileChecks(): Promise<void> {
  try {
    exists ??= (await import("node:fs")).existsSync;
  } catch {
    // No node:fs (a runtime without it): lookups keep telling a missing file by the error.
  }
}

function executableFile(path: string): string | undefined {
  // A missing file is the common case on a long PATH: a boolean is 4× cheaper than a thrown error.
  if (exists !== undefined && !exists(path)) return undefined;
  try {
    const info = Deno.statSync(path);
    if (!info.isFile || info.mode === null || (info.mode & 0o111) === 0) return undefined;
    return Deno.realPathSync(path);
  } catch (error) {
    // Missing, a dangling link or a loop, unreadable, below a file (a PATH entry that is a file):
    // not a program we can run, as `existsSync` says once it is loaded. Only Deno's own refusal
    // (a path outside --allow-read) is told, so that start-up can say which flag is missing.
    if (error instanceof Deno.errors.NotCapable) throw error;
    return undefined;
  }
}

/**
 * Locates `name` the way `execvp` would: a name with a `/` relative to `cwd`, a bare name in
 * the directories of `searchPath` (colon-separated; an empty entry means the working directory).
 *
 * @example Usage
 * ```ts
 * import { locateProgram } from "./program_path.ts";
 * import assert from "node:assert/strict";
 * const sh = locateProgram("sh", { cwd: "/", searchPath: "/usr/bin:/bin" });
 * assert.ok(sh !== undefined && sh.path.endsWith("/sh"));
 * ```
 */
export function locateProgram(
  name: string,
  options: { cwd: string; searchPath: string },
): ProgramLocation | undefined {
  if (name === "") return undefined;
  if (name.includes("/")) {
    const path = resolvePath(options.cwd, name);
    const real = executableFile(path);
    return real === undefined ? undefined : { path, real, viaRelativePathEntry: false };
  }
  for (const entry of options.searchPath.split(":")) {
    const relative = !entry.startsWith("/");
    const path = resolvePath(relative ? resolvePath(options.cwd, entry || ".") : entry, name);
    const real = executableFile(path);
    if (real !== undefined) return { path, real, viaRelativePathEntry: relative };
  }
  return undefined;
}

/**
 * Why `name` cannot be run where {@linkcode locateProgram} found nothing: `it is a directory`,
 * `it is not executable (no execute permission)`, or `program not found`.
 *
 * @example Usage
 * ```ts
 * import { unrunnableReason } from "./program_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(unrunnableReason("./", "/"), "it is a directory");
 * assert.equal(unrunnableReason("no-such-program", "/"), "program not found");
 * ```
 */
export function unrunnableReason(name: string, cwd: string): string {
  if (!name.includes("/")) return "program not found";
  try {
    const info = Deno.statSync(resolvePath(cwd, name));
    if (info.isDirectory) return "it is a directory";
    if (info.isFile && info.mode !== null && (info.mode & 0o111) === 0) {
      return "it is not executable (no execute permission)";
    }
  } catch (error) {
    // Missing or unreadable: nothing more to say than that it is not there.
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied)) {
      throw error;
    }
  }
  return "program not found";
}

/**
 * The interpreter the `#!` line of the file at `path` names (its first word), or `undefined`
 * for a file without one or that cannot be read.
 *
 * @example Usage
 * ```ts
 * import { shebangInterpreter } from "./program_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(shebangInterpreter("/no/such/file"), undefined);
 * ```
 */
export function shebangInterpreter(path: string): string | undefined {
  let head: string;
  try {
    using file = Deno.openSync(path);
    const bytes = new Uint8Array(256);
    head = new TextDecoder().decode(bytes.subarray(0, file.readSync(bytes) ?? 0));
  } catch {
    // Unreadable: nothing to say about its interpreter.
    return undefined;
  }
  if (!head.startsWith("#!")) return undefined;
  return head.slice(2).split("\n")[0].trim().split(/\s+/)[0] || undefined;
}
