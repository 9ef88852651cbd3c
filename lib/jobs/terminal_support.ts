/**
 * Loading what terminal jobs need, once and only when the first one starts: the native
 * pseudo-terminal addon (`@lydell/node-pty`) and the headless terminal emulator
 * (`@xterm/headless`). A server that never starts a terminal job never loads either.
 *
 * @module
 */
import type * as NodePty from "@lydell/node-pty";
import type { Terminal as HeadlessTerminal } from "@xterm/headless";
import { ToolError } from "../errors.ts";
import { type CloseOnExec, openCloseOnExec } from "./close_on_exec.ts";

/** The pseudo-terminal module, as `@lydell/node-pty` exports it. */
export type PtyModule = typeof NodePty;
/** The headless terminal class of `@xterm/headless`. */
export type TerminalClass = typeof HeadlessTerminal;

/** What a terminal job is started and rendered with. */
export interface TerminalSupport {
  readonly pty: PtyModule;
  readonly Terminal: TerminalClass;
  /** Keeps a terminal's master side out of every program started later. */
  readonly closeOnExec: CloseOnExec;
}

/** Terminal jobs cannot run here; the message says why and what would make them work. */
export class TerminalUnavailableError extends ToolError {}

/**
 * Why terminal jobs cannot run in this process, when that is known without loading anything
 * (the platform, Deno's permissions); `undefined` when loading may work.
 *
 * @example Usage
 * ```ts
 * import { terminalBlocker } from "./terminal_support.ts";
 * console.log(terminalBlocker() ?? "tty jobs may work here");
 * ```
 */
export function terminalBlocker(): string | undefined {
  if (Deno.build.os === "windows") return "tty jobs need Linux or macOS";
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "tty jobs need --allow-ffi (the pseudo-terminal is a native addon); run with -A or " +
      "add --allow-ffi";
  }
  return undefined;
}

let loading: Promise<TerminalSupport> | undefined;

async function load(): Promise<TerminalSupport> {
  const blocker = terminalBlocker();
  if (blocker !== undefined) {
    throw new TerminalUnavailableError(`Cannot start a tty job: ${blocker}`);
  }
  try {
    // Named through variables: a bundle (which cannot carry a native addon) leaves them out and
    // refuses tty jobs, instead of failing to build.
    const names = ["@lydell/node-pty", "@xterm/headless"];
    const [pty, xterm] = await Promise.all(names.map((name) => import(name)));
    // The CommonJS modules arrive as a default export under Deno.
    const ptyModule = ((pty as { default?: PtyModule }).default ?? pty) as PtyModule;
    const xtermModule = (xterm as { default?: { Terminal: TerminalClass } }).default ?? xterm;
    return { pty: ptyModule, Terminal: xtermModule.Terminal, closeOnExec: openCloseOnExec() };
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new TerminalUnavailableError(
      `Cannot start a tty job: the pseudo-terminal addon did not load (${reason}); a compiled ` +
        "binary cannot load it, run the server with deno run -A instead",
      { cause: error },
    );
  }
}

/**
 * Loads the terminal modules on first use and keeps them (or the failure) for every later call.
 *
 * @throws {TerminalUnavailableError} when they cannot load here, saying why.
 */
export function loadTerminalSupport(): Promise<TerminalSupport> {
  loading ??= load().then((support) => loaded = support);
  return loading;
}

let loaded: TerminalSupport | undefined;

/** The terminal modules once {@linkcode loadTerminalSupport} has loaded them, else `undefined`. */
export function loadedTerminalSupport(): TerminalSupport | undefined {
  return loaded;
}

/** Whether the terminal modules were ever loaded in this process (for start-up measurements). */
export function terminalSupportLoaded(): boolean {
  return loading !== undefined;
}
