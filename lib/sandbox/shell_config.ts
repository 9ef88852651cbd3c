/**
 * `MCP_BG_SHELL`: the opt-in shell that runs each command line as `<shell> -c <line>`.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { basename, locateProgram } from "./program_path.ts";
import type { ShellGrammar } from "./shell_walker.ts";
import type { ContainmentMode } from "./containment_policy.ts";

/** The configured shell. */
export interface ShellConfig {
  /** The shell's path as found (absolute), run as `<path> -c <line>`. */
  readonly path: string;
  /** The grammar the allowlist checks lines with; `undefined` when it is neither bash nor POSIX sh. */
  readonly grammar: ShellGrammar | undefined;
}

/**
 * The part of the configuration the sandbox reads. The server's `Config` has these fields, and
 * the sandbox asks for no more, so it depends on nothing above it.
 */
export interface SandboxPolicy {
  /** Allowlist patterns (as written); `undefined` allows every command. */
  readonly allowedCommands: readonly RegExp[] | undefined;
  /** `MCP_BG_SHELL`, or `undefined` to run argv directly. */
  readonly shell: ShellConfig | undefined;
  /** Absolute directory jobs run in. */
  readonly workingDir: string;
  /** `MCP_BG_CONTAINMENT` (default `auto`): unless `off`, bubblewrap runs the jobs. */
  readonly containment?: ContainmentMode;
  /** `MCP_BG_STATE_DIR`: the ledger's folder, which the server writes. */
  readonly stateDir?: string;
  /** `MCP_BG_SERVICE=on`: a front that starts the service with its own flags. */
  readonly service?: boolean;
}

const POSIX_SHELLS = new Set(["sh", "dash", "ash", "posh"]);

/** Which grammar the allowlist may check a line with before `shell -c` runs it. */
function grammarOf(path: string, real: string): ShellGrammar | undefined {
  const written = basename(path);
  // A POSIX name first: bash started as `sh` still accepts bash syntax, but refusing it is safe.
  if (POSIX_SHELLS.has(written) || POSIX_SHELLS.has(basename(real))) return "sh";
  if (written === "bash" || basename(real) === "bash") return "bash";
  return undefined;
}

/**
 * Reads `MCP_BG_SHELL` (a name found through `PATH`, or a path); `undefined` when unset.
 * With an allowlist, only bash or a POSIX sh are accepted: lines in other shells' grammars
 * (zsh, fish, ...) cannot be checked.
 *
 * @throws {ConfigError} when the shell is missing, not executable, or cannot be checked.
 */
export function loadShell(
  env: Record<string, string | undefined>,
  options: { cwd: string; allowlist: boolean },
): ShellConfig | undefined {
  const name = "MCP_BG_SHELL";
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const found = locateProgram(raw, { cwd: options.cwd, searchPath: env.PATH ?? "" });
  if (found === undefined || found.viaRelativePathEntry) {
    throw new ConfigError(name, raw, "an executable shell, by absolute path or a name on PATH");
  }
  const grammar = grammarOf(found.path, found.real);
  if (grammar === undefined && options.allowlist) {
    throw new ConfigError(
      name,
      raw,
      "bash or a POSIX sh (sh, dash, ash) when MCP_BG_ALLOWED_COMMANDS is set",
    );
  }
  return { path: found.path, grammar };
}
