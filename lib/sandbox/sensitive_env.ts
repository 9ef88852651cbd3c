/**
 * Environment variables that change which program runs or make an allowed program run other
 * code. One list, used wherever a caller can set variables: a job's `env`, and assignments in a
 * shell-mode line.
 *
 * @module
 */

// Deno's own spawn check is case-insensitive on these prefixes, so this one is too.
const LOADER_VARIABLE = /^(LD_|DYLD_)/i;

/** Variables that make an interpreter or tool load or run code chosen by whoever sets them. */
const CODE_LOADING_VARIABLES = new Set([
  "PATH",
  "IFS",
  "ENV",
  "BASH_ENV",
  "SHELLOPTS",
  "BASHOPTS",
  "PS4",
  "PROMPT_COMMAND",
  "NODE_OPTIONS",
  "NODE_PATH",
  "PYTHONPATH",
  "PYTHONHOME",
  "PYTHONSTARTUP",
  "PYTHONINSPECT",
  "PERL5OPT",
  "PERL5LIB",
  "PERLLIB",
  "RUBYOPT",
  "RUBYLIB",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "GCONV_PATH",
  "GIT_SSH",
  "GIT_SSH_COMMAND",
  "GIT_EXEC_PATH",
  "GIT_EXTERNAL_DIFF",
  "GIT_PAGER",
  "GIT_EDITOR",
  "PAGER",
  "EDITOR",
  "VISUAL",
  "DENO_DIR",
]);

/**
 * Variables that change how a shell parses or finds what it runs (refused in shell lines).
 * `BASH_*` covers `BASH_CMDS` (the command hash table: `BASH_CMDS[ls]=./x` makes `ls` run `./x`),
 * `BASH_ALIASES`, `BASH_COMPAT`, `BASH_FUNC_*` and `BASH_LOADABLES_PATH`.
 */
const SHELL_BEHAVIOUR_VARIABLES =
  /^(CDPATH|HOME|PS[0-4]|GLOBIGNORE|BASH_.*|EXECIGNORE|FIGNORE|POSIXLY_CORRECT|HISTFILE|TMOUT|OPTIND|OPTERR|LANG|LC_.*|PYTHON.*|GIT_.*)$/i;

/**
 * Variables through which a tool is told to run a program or load code: `TAR_OPTIONS` turns
 * `tar -tf x.tar` into `tar --checkpoint-action=exec=...`, `CC`/`MAKEFLAGS` steer make, `HOME`,
 * `XDG_CONFIG_HOME` and `*RC` point at a configuration file a job may have written. Families by
 * shape (options, flags, commands, pagers, editors, remote shells, search paths, library dirs,
 * plugins, wrappers, configuration) plus the tool prefixes known to take such settings.
 * Refused with an allowlist, where a strict pattern must not be widened by the environment.
 */
const PROGRAM_CONFIG_VARIABLES = new RegExp(
  "^(" + [
    // shapes
    ".*(_OPTIONS|_OPTS|OPT|FLAGS|_COMMAND|_CMD|PAGER|EDITOR|RSH|ASKPASS|SHELL|PATH|LIB|_HOME)",
    ".*(_CONF|_CONFIG|RC|_INIT|_WRAPPER|_PROFILE|_PRELOAD|_HOOKS?|_PLUGINS?|_RUNNER|_ENGINES)",
    // tool families
    "NPM_CONFIG_.*|YARN_.*|PNPM_.*|BUN_.*|DENO_.*|CARGO_.*|RUSTC.*|RUSTDOC.*|RUSTUP_.*",
    "CGO_.*|PIP_.*|UV_.*|PERL.*|RUBY.*|GEM_.*|BUNDLE_.*|LUA_.*|PHP.*|DOTNET_.*|CORECLR_.*",
    "COMPLUS_.*|JAVA_.*|_JAVA_.*|JDK_.*|ERL_.*|TAR_.*|LESS.*|MAN.*|SSH_.*|OPENSSL_.*|XDG_.*",
    "DOCKER_.*|MAKE.*|R_.*",
    "GO(ROOT|TOOLCHAIN|ENV|BIN|WORK|EXPERIMENT|PROXY|CACHE|MODCACHE|PRIVATE|NOSUMDB|SUMDB)",
    // single names
    "HOME|ENV|BROWSER|TERMINAL|VISUAL|CC|CXX|CPP|LD|AR|AS|NM|RANLIB|STRIP|OBJCOPY|FC|INPUTRC",
    "TERMINFO|LOCPATH|NLSPATH|HOSTALIASES|GLIBC_TUNABLES|KUBECONFIG|ZDOTDIR|CLASSPATH",
    "ELECTRON_RUN_AS_NODE|NODE_OPTIONS|NODE_PATH|NODE_REPL_EXTERNAL_MODULE|TCLLIBPATH",
  ].join("|") + ")$",
  "i",
);

/** Whether `name` is a dynamic-loader variable (`LD_*`, `DYLD_*`, any case). */
export function isLoaderVariable(name: string): boolean {
  return LOADER_VARIABLE.test(name);
}

/**
 * Whether setting `name` could make a job run code the allowlist never saw: loader variables and
 * the variables interpreters and tools read code or commands from.
 *
 * @example Usage
 * ```ts
 * import { runsOtherCode } from "./sensitive_env.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runsOtherCode("NODE_OPTIONS"), true);
 * assert.equal(runsOtherCode("PORT"), false);
 * ```
 */
export function runsOtherCode(name: string): boolean {
  return isLoaderVariable(name) || CODE_LOADING_VARIABLES.has(name);
}

/**
 * {@linkcode runsOtherCode}, plus the variables that change how a shell parses and finds programs
 * and those that tell a tool which program to run or which configuration to load.
 */
export function isShellSensitive(name: string): boolean {
  return runsOtherCode(name) || SHELL_BEHAVIOUR_VARIABLES.test(name) ||
    PROGRAM_CONFIG_VARIABLES.test(name);
}
