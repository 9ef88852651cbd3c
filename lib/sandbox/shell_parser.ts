/**
 * The shell parser (unbash, read by `shell_walker.ts`) is needed only when an allowlist checks
 * shell lines, which the configuration says at start-up, so it is loaded then, and only then: a
 * server without that pair never pays for it (about 0.7 MiB of heap). Command checking stays
 * synchronous, so it asks for the parser already loaded.
 *
 * @module
 */
import type { analyzeShellLine } from "./shell_walker.ts";
import type { SandboxPolicy } from "./shell_config.ts";

let analyzer: typeof analyzeShellLine | undefined;

/**
 * Whether `policy` checks shell lines: an allowlist and `MCP_BG_SHELL` together.
 *
 * @example Usage
 * ```ts
 * import { needsShellParser } from "./shell_parser.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * assert.equal(needsShellParser(loadConfig({ MCP_BG_SHELL: "/bin/sh" }, "/")), false);
 * const env = { MCP_BG_SHELL: "/bin/sh", MCP_BG_ALLOWED_COMMANDS: "^ls" };
 * assert.equal(needsShellParser(loadConfig(env, "/")), true);
 * ```
 */
export function needsShellParser(
  policy: Pick<SandboxPolicy, "allowedCommands" | "shell">,
): boolean {
  return policy.allowedCommands !== undefined && policy.shell !== undefined;
}

/**
 * Loads the shell parser; call it before checking commands of a policy that
 * {@linkcode needsShellParser}. Later calls return at once.
 *
 * @example Usage
 * ```ts
 * import { loadShellParser, shellParser } from "./shell_parser.ts";
 * import assert from "node:assert/strict";
 * await loadShellParser();
 * assert.deepEqual(shellParser()("ls | wc -l").commands.map((command) => command.nameText), ["ls", "wc"]);
 * ```
 */
export async function loadShellParser(): Promise<void> {
  analyzer ??= (await import("./shell_walker.ts")).analyzeShellLine;
}

/**
 * The loaded parser's `analyzeShellLine`.
 *
 * @throws {Error} when {@linkcode loadShellParser} has not run: the command is refused, not
 * waved through.
 */
export function shellParser(): typeof analyzeShellLine {
  if (analyzer === undefined) {
    throw new Error(
      "The shell parser is not loaded: an allowlist in shell mode needs loadShellParser() first",
    );
  }
  return analyzer;
}
