/**
 * Wall 2 made easy: the tightest `deno run` permission flags for a configuration, so a user
 * does not have to write the allowlist twice (`main.ts --print-permissions`).
 *
 * @module
 */
import { quoteWord } from "./command_line.ts";
import { resolvePath } from "./program_path.ts";
import type { SandboxPolicy } from "./shell_config.ts";

/** The flags, and what the user should know about them. */
export interface DerivedPermissions {
  readonly flags: readonly string[];
  /** Why a flag is wider than it could be, or which patterns need a hand-written entry. */
  readonly notes: readonly string[];
}

// A literal program word in a regex: plain characters, or escaped punctuation.
const LITERAL_NAME = String.raw`((?:[A-Za-z0-9_/-]|\\[.\-/+_])+)`;
const ALTERNATIVES = String.raw`\((?:\?:)?(${LITERAL_NAME.slice(1, -1)}(?:\|${
  LITERAL_NAME.slice(1, -1)
})*)\)`;
// What may follow the name so that it is a whole word: the end, a space, \s, \b, $, or a group
// starting with one of those.
const BOUNDARY = String.raw`(?:$| |\\s|\\b|\$|\((?:\?:)?(?: |\\s|\$))`;
const NAMED_PROGRAMS = new RegExp(String.raw`^\^(?:${LITERAL_NAME}|${ALTERNATIVES})${BOUNDARY}`);

/**
 * The programs a pattern lets run, when it names them literally at its start:
 * `^ls `, `^git( |$)`, `^(npm|npx)\s`, `^\./gradlew ` — else `undefined`.
 *
 * @example Usage
 * ```ts
 * import { programsNamedBy } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(programsNamedBy(/^(npm|node) /), ["npm", "node"]);
 * assert.equal(programsNamedBy(/ls/), undefined);
 * ```
 */
export function programsNamedBy(pattern: RegExp): string[] | undefined {
  const match = NAMED_PROGRAMS.exec(pattern.source);
  if (match === null) return undefined;
  const names = match[1] ?? match[2]!;
  return names.split("|").map((name) => name.replace(/\\(.)/g, "$1"));
}

function allowRun(config: SandboxPolicy, notes: string[]): string {
  if (config.shell !== undefined) {
    notes.push(
      `shell mode: Deno can only gate the shell itself (${config.shell.path}); the commands ` +
        "inside a line are checked by the allowlist alone",
    );
    const programs = new Set([config.shell.path, "kill", ...containmentRun(config, notes)]);
    return `--allow-run=${[...programs].join(",")}`;
  }
  if (config.allowedCommands === undefined) {
    notes.push("no MCP_BG_ALLOWED_COMMANDS: every program may run, so --allow-run is unscoped");
    return "--allow-run";
  }
  const programs = new Set<string>();
  for (const pattern of config.allowedCommands) {
    const named = programsNamedBy(pattern);
    if (named === undefined) {
      notes.push(`pattern /${pattern.source}/ names no literal program: add its programs by hand`);
    }
    for (const name of named ?? []) {
      programs.add(
        name.includes("/") ? resolvePath(config.workingDir, name.replace(/^\.\//, "")) : name,
      );
    }
  }
  // kill signals a job's whole process group where Deno.kill is refused.
  programs.add("kill");
  return `--allow-run=${[...new Set([...programs, ...containmentRun(config, notes)])].join(",")}`;
}

/**
 * `bwrap` when jobs may be contained (it runs each job; the server checks what it runs), and
 * `cat`, which reads a sandbox's process ids from /proc, where Deno wants `--allow-all`.
 */
function containmentRun(config: SandboxPolicy, notes: string[]): string[] {
  if (config.containment === "off") return [];
  notes.push(
    "containment: bwrap starts every job, so it is allowed; the program inside is still " +
      "checked against this list before bwrap runs it; sh starts bwrap (it hands the job its " +
      "stdin past bwrap); cat finds a sandbox's processes so that send_signal reaches the program",
  );
  return ["bwrap", "sh", "cat"];
}

/**
 * Derives the `deno run` flags for `config`: `--allow-env` (jobs get the server's environment),
 * `--allow-read` (programs are found through PATH and their links followed), and
 * `--allow-run` limited to the programs the allowlist names plus `kill`.
 */
export function derivePermissions(config: SandboxPolicy): DerivedPermissions {
  const notes: string[] = [];
  const flags = ["--allow-env", "--allow-read", allowRun(config, notes)];
  notes.push(
    "tty jobs (tty: true) also need --allow-ffi: the pseudo-terminal is a native addon that " +
      "starts programs itself (each is still checked against --allow-run first); without it " +
      "they are refused and everything else works",
  );
  if (config.stateDir !== undefined) flags.push(`--allow-write=${config.stateDir}`);
  if (config.service === true) {
    notes.push(
      "service mode: the front starts the service with these same flags, so --allow-run must " +
        "also name the deno executable and sh (the watcher of uncontained jobs), and " +
        "--allow-write the service folders ($XDG_RUNTIME_DIR/mcp-background-job, " +
        "~/.local/state/mcp-background-job); see docs/service.md",
    );
  }
  return { flags, notes };
}

/** The whole `deno run` line for `mainModule` under `config`. */
export function denoRunLine(config: SandboxPolicy, mainModule: string): DerivedPermissions & {
  line: string;
} {
  const permissions = derivePermissions(config);
  const words = ["deno", "run", ...permissions.flags, mainModule].map(quoteWord);
  return { ...permissions, line: words.join(" ") };
}
