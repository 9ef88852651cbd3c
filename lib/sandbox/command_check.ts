/**
 * Wall 1, applied: the one gate every command line passes before it runs. It turns the line
 * into the argv to spawn, or refuses it with the first of these rules that fails (SECURITY.md's
 * Wall 1 explains them, by the same numbers, for users). Rules 1 and 5 always hold;
 * the others apply when an allowlist is set, and fail closed.
 *
 * 1. The line is not blank and holds no NUL byte. (Then the line is split, or handed to the shell.)
 * 2. It holds no control character but tab.
 * 3. The client's environment additions change no program lookup or loading (`sensitive_env.ts`).
 * 4. Some pattern matches the raw line, searched as written (`allowlist.ts`).
 * 5. It matches no destructive shape of the denylist (`denylist.ts`), a safety net only.
 * 6. Some pattern names every program the line would run (`allowlist.ts`); in shell mode the
 *    programs are found by `shell_walker.ts`, which refuses what it cannot prove safe.
 * 7. A program written as a path is the file its name promises, and none is found through a
 *    relative `PATH` entry.
 * 8. A program that runs other programs (`program_runners.ts`) is named explicitly.
 *
 * @module
 */
import { InvalidCommandError, programNotFound, SpawnError } from "../errors.ts";
import { type Argv, quoteWord, splitCommandLine } from "./command_line.ts";
import { lineMatches, someNamesExplicitly, someNamesProgram } from "./allowlist.ts";
import { findDangerousPattern } from "./denylist.ts";
import { basename, locateProgram, type ProgramLocation, unrunnableReason } from "./program_path.ts";
import {
  isMultiCallBinary,
  possibleArgumentTriggers,
  programRunnerTriggers,
} from "./program_runners.ts";
import { shellParser } from "./shell_parser.ts";
import { isShellSensitive } from "./sensitive_env.ts";
import type { SandboxPolicy } from "./shell_config.ts";

/** Where and with what the line would run. */
export interface CommandCheckOptions {
  /** The job's working directory: relative program paths are resolved against it. */
  readonly cwd: string;
  /** `PATH` as the job will see it: bare program names are found through it. */
  readonly searchPath: string;
  /** Variables the caller adds to the job's environment (checked against the allowlist). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * What the check found: the argv to spawn, the files the line's programs are, and, when the
 * caller asked to go past them, the allowlist's refusal (rules 4, 6 and 8: no pattern names the
 * line or a program). Every other rule has held when this is returned.
 */
export interface CheckedCommand {
  readonly argv: Argv;
  /**
   * Each program the line runs: its path, and the real file when that is a link (`/usr/bin/sh (a
   * link to /usr/bin/dash)`); its name when not found (a shell builtin).
   */
  readonly programs: readonly string[];
  /** The real files of the programs found (for an approval bound to the files themselves). */
  readonly files: readonly string[];
  /** Why the allowlist refuses the line (wall 1), when it does. */
  readonly allowlistRefusal?: InvalidCommandError;
}

/** Where a refusal by the allowlist alone goes: thrown, or kept while the other rules are checked. */
type AllowlistRefusal = (error: InvalidCommandError) => void;

/** One program the line would run, as the allowlist sees it. */
interface Program {
  /** The program word's value, e.g. `ls` or `./build.sh`. */
  readonly name: string;
  readonly args: readonly string[];
  /** The program's own command as written (name then arguments). */
  readonly text: string;
  /** The program word as it appears at the start of `text`. */
  readonly nameText: string;
  /** In shell mode a name not on PATH may be a builtin; the shell reports it if it is neither. */
  readonly mayBeBuiltin: boolean;
  /** `false` when some argument is only known once the shell expands it (not in `args`). */
  readonly argsComplete: boolean;
}

// C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph separators: a
// pattern written for one line must never see a second one, and no program name holds these.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/;

function programRefused(program: Program, why: string): InvalidCommandError {
  return new InvalidCommandError(`Program "${program.name}" is not allowed: ${why}`);
}

/** Rule 7: refuses a program found through a relative PATH entry, or not found where nothing can be checked. */
function checkLocation(program: Program, found: ProgramLocation | undefined, cwd: string): void {
  if (found?.viaRelativePathEntry) {
    throw programRefused(program, "it was found through a relative PATH entry");
  }
  if (found === undefined && (program.name.includes("/") || !program.mayBeBuiltin)) {
    // Nothing to check, and nothing would run: say so the way a failed spawn does.
    const reason = unrunnableReason(program.name, cwd);
    if (reason === "program not found") throw programNotFound(program.name);
    throw new SpawnError(`Cannot start "${program.name}": ${reason}`);
  }
}

/**
 * Rule 7: a program written as a path must be the file its name promises: `/bin/ls` is `ls`, but a
 * link `./ls` to `rm` is not, unless a pattern names the target itself.
 */
function assertNotDisguised(
  program: Program,
  found: ProgramLocation,
  patterns: readonly RegExp[],
  options: CommandCheckOptions,
): void {
  if (!program.name.includes("/") || basename(found.real) === basename(program.name)) return;
  if (isSameAsOnPath(found, program.name, options)) return;
  const targetText = [found.real, ...program.args].map(quoteWord).join(" ");
  if (someNamesProgram(patterns, targetText, quoteWord(found.real))) return;
  throw programRefused(
    program,
    `it is a link to "${found.real}", not the "${basename(program.name)}" its name suggests`,
  );
}

/** Whether `path` is the very file its last segment finds through PATH (`/bin/ls` and `ls`). */
function isSameAsOnPath(
  found: ProgramLocation,
  path: string,
  options: CommandCheckOptions,
): boolean {
  const onPath = locateProgram(basename(path), { ...options, cwd: "/" });
  return onPath !== undefined && !onPath.viaRelativePathEntry && onPath.real === found.real;
}

/**
 * Rule 6: whether a pattern names the program: as written, or, for a path to the same file its name
 * finds through PATH, by that name (so a loose `ls` names `/usr/bin/ls`, never `/tmp/ls`).
 * Any other path (a file in the project, perhaps written by an earlier job) is named only by a
 * pattern that spells its file name: `.*` or `\S+` never name `./x`, a copy of a shell.
 * `found` is where a path leads (`undefined` for a bare name, or a path to nothing).
 */
function isNamed(
  program: Program,
  found: ProgramLocation | undefined,
  patterns: readonly RegExp[],
  options: CommandCheckOptions,
): boolean {
  if (!program.name.includes("/")) {
    return someNamesProgram(patterns, program.text, program.nameText);
  }
  const name = basename(program.name);
  if (found === undefined || !isSameAsOnPath(found, program.name, options)) {
    return someNamesExplicitly(patterns, program.text, program.nameText, [name]);
  }
  if (someNamesProgram(patterns, program.text, program.nameText)) return true;
  // The same command with the name alone: arguments as written, so a strict pattern still holds.
  const text = quoteWord(name) + program.text.slice(program.nameText.length);
  return someNamesProgram(patterns, text, quoteWord(name));
}

/** Names that decide whether the program runs other programs (rule 8): as written and as really run. */
function identities(program: Program, found: ProgramLocation | undefined): string[] {
  const written = basename(program.name);
  if (found === undefined) return [written];
  const real = basename(found.real);
  // A multi-call binary acts as the program it was started as, unless started by its own name.
  if (isMultiCallBinary(real) && written !== real) return [written];
  return written === real ? [written] : [written, real];
}

/** Rules 6, 7 and 8 for one program of the line; returns where it was found, if it was. */
function checkProgram(
  program: Program,
  patterns: readonly RegExp[],
  options: CommandCheckOptions,
  refuse: AllowlistRefusal,
): ProgramLocation | undefined {
  const isPath = program.name.includes("/");
  // A path's file decides whether a pattern names it, so it is looked up first (and only once).
  const pathFound = isPath ? locateProgram(program.name, options) : undefined;
  if (!isNamed(program, pathFound, patterns, options)) {
    const spell = isPath ? " (a pattern must spell a path's file name)" : "";
    refuse(programRefused(program, `no allowed pattern names it${spell} in: ${program.text}`));
  }
  const found = isPath ? pathFound : locateProgram(program.name, options);
  checkLocation(program, found, options.cwd);
  if (found !== undefined) assertNotDisguised(program, found, patterns, options);
  const names = identities(program, found);
  const known = names.flatMap((name) => programRunnerTriggers(name, program.args));
  // An argument the check cannot read may turn out to be `-exec`: fail closed.
  const possible = program.argsComplete ? [] : names.flatMap(possibleArgumentTriggers);
  const triggers = [...known, ...possible];
  if (
    triggers.length > 0 &&
    !someNamesExplicitly(patterns, program.text, program.nameText, triggers)
  ) {
    const why = known.length > 0
      ? `"${known[0]}" runs other programs`
      : `an argument only the shell expands may be "${possible[0]}", which runs other programs`;
    refuse(programRefused(program, `${why}, so a pattern must name it explicitly`));
  }
  return found;
}

/** Where a program is, as a person reads it: its path, and its real file when it is a link. */
function shownLocation(found: ProgramLocation): string {
  return found.path === found.real ? found.real : `${found.path} (a link to ${found.real})`;
}

/** Rule 3. */
function assertEnvironmentAllowed(env: Readonly<Record<string, string>> | undefined): void {
  for (const name of Object.keys(env ?? {})) {
    if (isShellSensitive(name)) {
      throw new InvalidCommandError(
        `Environment variable "${name}" changes which programs run, and an allowlist is set`,
      );
    }
  }
}

function directPrograms(argv: Argv): Program[] {
  const [name, ...args] = argv;
  return [{
    name,
    args,
    text: argv.map(quoteWord).join(" "),
    nameText: quoteWord(name),
    mayBeBuiltin: false,
    argsComplete: true,
  }];
}

/**
 * The longest shell line the allowlist parses. The parser takes time quadratic in some inputs
 * (64 KiB of `$(` took 1.7 s, 640 KiB 51 s, all of it blocking the server), and a real shell
 * line, which needs no newline here, is far shorter.
 */
export const MAX_CHECKED_SHELL_LINE = 16 * 1024;

function shellPrograms(line: string, config: SandboxPolicy): Program[] {
  if (line.length > MAX_CHECKED_SHELL_LINE) {
    throw new InvalidCommandError(
      `Shell line is too long to check (${line.length} characters, at most ${MAX_CHECKED_SHELL_LINE})`,
    );
  }
  const { commands, unsafe } = shellParser()(line, config.shell?.grammar ?? "sh");
  if (unsafe.length > 0) {
    throw new InvalidCommandError(`Shell line cannot be proven safe (${unsafe[0]}): ${line}`);
  }
  return commands.map((command) => ({
    name: command.argv[0] ?? "",
    args: command.argv.slice(1),
    text: command.text,
    nameText: command.nameText,
    mayBeBuiltin: true,
    argsComplete: command.complete,
  }));
}

/**
 * The gate: checks `line` against `config` by rules 1–8 (see the module documentation), each
 * once, and returns the argv to spawn: the split line, or `[shell, "-c", line]` in shell mode.
 *
 * @example Usage
 * ```ts
 * import { prepareCommand } from "./command_check.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^echo " }, "/");
 * const options = { cwd: "/", searchPath: "/usr/bin:/bin" };
 * assert.deepEqual(prepareCommand("echo hi", config, options), ["echo", "hi"]);
 * assert.throws(() => prepareCommand("rm -rf x", config, options));
 * ```
 *
 * @throws {InvalidCommandError} when the line is blank, unbalanced or breaks a rule.
 * @throws {SpawnError} when, with an allowlist, a program to check does not exist.
 */
export function prepareCommand(
  line: string,
  config: SandboxPolicy,
  options: CommandCheckOptions,
): Argv {
  return checkCommand(line, config, options).argv;
}

/**
 * {@linkcode prepareCommand}, with `pastAllowlist` set: a refusal by the allowlist alone (rules
 * 4, 6, 8) is returned as `allowlistRefusal` once every other rule has held, so that a person
 * may be asked about it; any other refusal is thrown as before. Without it, the first failing
 * rule throws, in the numbered order.
 *
 * @example Usage
 * ```ts
 * import { checkCommand } from "./command_check.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^echo " }, "/");
 * const options = { cwd: "/", searchPath: "/usr/bin:/bin", pastAllowlist: true };
 * const checked = checkCommand("ls /", config, options);
 * assert.match(checked.allowlistRefusal!.message, /not in allowed patterns/);
 * assert.throws(() => checkCommand("rm -rf /", config, options), /dangerous pattern/);
 * ```
 *
 * @throws {InvalidCommandError} when the line is blank, unbalanced or breaks a rule.
 * @throws {SpawnError} when, with an allowlist, a program to check does not exist.
 */
export function checkCommand(
  line: string,
  config: SandboxPolicy,
  options: CommandCheckOptions & { readonly pastAllowlist?: boolean },
): CheckedCommand {
  let allowlistRefusal: InvalidCommandError | undefined;
  const refuse: AllowlistRefusal = (error) => {
    if (!options.pastAllowlist) throw error;
    allowlistRefusal ??= error;
  };
  // Rule 1.
  if (line.trim() === "") throw new InvalidCommandError("Command cannot be empty");
  if (line.includes("\0")) throw new InvalidCommandError("Command contains a NUL byte");
  const [program, ...args] = config.shell === undefined
    ? splitCommandLine(line)
    : [config.shell.path, "-c", line];
  // Not blank, so the split finds a word: a blank line is the only one without.
  const argv: Argv = [program!, ...args];
  const patterns = config.allowedCommands;
  if (patterns !== undefined) {
    // Rule 2.
    const control = CONTROL_CHARACTER.exec(line)?.[0];
    if (control !== undefined) {
      throw new InvalidCommandError(
        `Command contains control character ${JSON.stringify(control)}`,
      );
    }
    assertEnvironmentAllowed(options.env);
    // Rule 4.
    if (!lineMatches(line, patterns)) {
      refuse(new InvalidCommandError(`Command not in allowed patterns: ${line}`));
    }
  }
  // Rule 5.
  if (findDangerousPattern(line) !== undefined) {
    throw new InvalidCommandError(`Command contains dangerous pattern and is not allowed: ${line}`);
  }
  if (patterns === undefined) return { argv, programs: [], files: [] };
  const programs = config.shell === undefined ? directPrograms(argv) : shellPrograms(line, config);
  const found = programs.map((program) => checkProgram(program, patterns, options, refuse));
  return {
    argv,
    programs: found.map((at, i) => at === undefined ? programs[i]!.name : shownLocation(at)),
    files: found.flatMap((at) => at === undefined ? [] : [at.real]),
    ...(allowlistRefusal && { allowlistRefusal }),
  };
}
