/**
 * `execute_command`'s description, written from the configuration in force: whether a shell runs
 * the line, where jobs run, and which commands the allowlist lets through. An agent that reads a
 * generic text ("use `sh -c`") under a configuration that refuses `sh -c` wastes turns on it.
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import { basename } from "../sandbox/program_path.ts";

/** Allowlist patterns longer than this in all are counted, not shown. */
export const MAX_SHOWN_PATTERN_CHARS = 200;

/**
 * The description of `execute_command` under `config`.
 *
 * @example Usage
 * ```ts
 * import { describeExecuteCommand } from "./command_description.ts";
 * import assert from "node:assert/strict";
 * const text = describeExecuteCommand({
 *   shell: undefined,
 *   workingDir: "/srv/app",
 *   allowedCommands: [/^npm /],
 * });
 * assert.match(text, /without a shell/);
 * assert.match(text, /Runs in \/srv\/app/);
 * assert.match(text, /\^npm /);
 * ```
 */
export function describeExecuteCommand(
  config: Pick<Config, "shell" | "workingDir" | "allowedCommands">,
): string {
  const parts = ["Start a background job; returns its job_id at once."];
  const allowlist = config.allowedCommands;
  if (config.shell === undefined) {
    parts.push(
      "Split with shell quoting, run without a shell: | ; && > $VAR are plain arguments " +
        (allowlist === undefined
          ? '(write sh -c "...").'
          : '(sh -c "..." only if the allowlist allows sh and each inner command).'),
    );
  } else {
    parts.push(`The line runs as ${basename(config.shell.path)} -c <line>: pipes and && work.`);
  }
  parts.push(`Runs in ${config.workingDir}.`);
  if (allowlist !== undefined) {
    const shown = allowlist.map((pattern) => JSON.stringify(pattern.source)).join(", ");
    parts.push(
      shown.length <= MAX_SHOWN_PATTERN_CHARS
        ? `Allowlist: the line and each program it runs must match one of ${shown}.`
        : `An allowlist of ${allowlist.length} patterns applies to the line and each program.`,
    );
  }
  parts.push("REPLs: python3 -i, node -i; stdbuf -oL for output held in a pipe.");
  return parts.join(" ");
}
