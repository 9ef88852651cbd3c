/**
 * Ending with the launcher. `npx -y deno@… run …` starts the real `deno` two levels down
 * (`npm exec` → `sh -c deno …` → deno), and npm's `deno` wrapper script one level down (node →
 * deno). A client that stops such a launcher by its pid reaches only the launcher: the server
 * went on running (an `--http` one went on serving) with nobody left to stop it. This finds the
 * launchers above the server when it starts and reports the first one that ends.
 *
 * A server started any other way (by a client directly, by a shell, by a service manager) has
 * no launcher above it and is not watched: leaving its parent is its own business.
 *
 * @module
 */

import { statFields } from "../proc_stat.ts";

/** A process above the server that started it on someone else's behalf. */
export interface Launcher {
  readonly pid: number;
  /** Its start time from /proc (clock ticks since boot), so a reused pid is not mistaken for it. */
  readonly startTime: string;
  /** Its command line, for the log line. */
  readonly command: string;
}

const SHELLS = new Set(["sh", "dash", "bash", "ash"]);
const NODES = new Set(["node", "nodejs"]);
const NPM_SCRIPTS = /(^|\/)(npm|npx|npm-cli\.js|npx-cli\.js)$/;
// npm's `deno` package: its bin script runs the real binary with spawnSync.
const DENO_WRAPPER = /(^|\/)deno\/bin\.cjs$/;
// `sh -c 'deno' run …` as npm writes it for a package's bin, or a path to that bin.
const RUNS_DENO = /^['"]?(\S*\/)?deno['"]?(\s|$)/;

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * Whether a process with this command line (`/proc/<pid>/cmdline`, NUL-separated) launches deno
 * for someone else: `npm exec`/`npx`, npm's `deno` wrapper under node, or a `sh -c deno …` they
 * run. npm retitles itself (`npm exec deno@2.9.6 run …`), so the first word may hold spaces.
 *
 * @example Usage
 * ```ts
 * import { isLauncher } from "./launcher_watch.ts";
 * import assert from "node:assert/strict";
 * assert.ok(isLauncher("npm exec deno@2.9.6 run -A main.ts"));
 * assert.ok(isLauncher("sh\0-c\0'deno' run -A main.ts"));
 * assert.ok(isLauncher("node\0/usr/lib/node_modules/deno/bin.cjs\0run\0main.ts"));
 * assert.ok(!isLauncher("node\0/usr/bin/claude"));
 * assert.ok(!isLauncher("bash\0-l"));
 * ```
 */
export function isLauncher(cmdline: string): boolean {
  const argv = cmdline.split("\0").filter((word) => word !== "");
  const words = (argv[0] ?? "").split(" ");
  const name = basename(words[0]!);
  if (name === "npm" || name === "npx") return true;
  if (NODES.has(name)) {
    return argv.slice(1).some((arg) => NPM_SCRIPTS.test(arg) || DENO_WRAPPER.test(arg));
  }
  if (SHELLS.has(name)) return argv[1] === "-c" && RUNS_DENO.test(argv[2] ?? "");
  return false;
}

/** `/proc/<pid>/stat`'s parent pid and start time, or `undefined` when the process is gone. */
function statOf(pid: number): { parent: number; startTime: string } | undefined {
  const fields = statFields(pid);
  // state, ppid, …, starttime (field 22).
  return fields && { parent: Number(fields[1]), startTime: fields[19]! };
}

function commandLineOf(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`);
  } catch (error) {
    // It has exited since its stat was read.
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

/**
 * The launchers directly above `pid`, nearest first: its parent if that is a launcher, then that
 * one's parent, and so on. Empty when /proc cannot be read (not Linux, or Deno's permissions
 * short of `--allow-all`, which /proc needs).
 */
export function launchersAbove(pid: number): Launcher[] {
  const found: Launcher[] = [];
  try {
    let parent = statOf(pid)?.parent;
    while (parent !== undefined && parent > 1) {
      const stat = statOf(parent);
      const command = commandLineOf(parent);
      if (stat === undefined || !isLauncher(command)) break;
      found.push({
        pid: parent,
        startTime: stat.startTime,
        command: command.replaceAll("\0", " "),
      });
      parent = stat.parent;
    }
  } catch (error) {
    // No /proc here, or not readable under these permissions: nothing is watched.
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return [];
    }
    throw error;
  }
  return found;
}

/** Whether `launcher` is still the process it was. */
function isRunning(launcher: Launcher): boolean {
  return statOf(launcher.pid)?.startTime === launcher.startTime;
}

/**
 * Calls `onGone` once, with the first of `launchers` found ended (or when this process has been
 * given another parent), checking every `intervalMs`. The timer does not keep the process alive.
 * Returns a function that stops watching.
 */
export function watchLaunchers(
  launchers: readonly Launcher[],
  onGone: (launcher: Launcher) => void,
  intervalMs = 1000,
): () => void {
  if (launchers.length === 0) return () => {};
  const parent = Deno.ppid;
  const timer = setInterval(() => {
    const gone = Deno.ppid !== parent ? launchers[0] : launchers.find((one) => !isRunning(one));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
