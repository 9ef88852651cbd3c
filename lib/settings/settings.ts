/**
 * The table of every `MCP_BG_*` environment variable the server reads.
 *
 * @module
 */
import { custom, type Setting, wholeNumber } from "./setting.ts";
import { loadShell, type ShellConfig } from "../sandbox/shell_config.ts";
import type { ContainmentMode } from "../sandbox/containment_policy.ts";
import { ConfigError } from "../errors.ts";
import {
  DEFAULT_JOB_LIMITS,
  type JobLimits,
  parseJobLimits,
  showJobLimits,
} from "../sandbox/job_limits.ts";
import {
  containmentMode,
  containmentPaths,
  existingDirectory,
  outputSize,
  patterns,
  refuseWithoutContainment,
  tokenFile,
  writablePaths,
} from "./setting_values.ts";

export { parseByteSize } from "./setting_values.ts";

/** The longest job time limit in seconds: setTimeout fires at once for delays over 2^31-1 ms. */
export const MAX_TIMER_SECONDS = 2_147_483;

const DEFAULT_OUTPUT_SIZE = "10MB";
const DEFAULT_STATE_SIZE = "1GB";

/** `path` made absolute against `cwd`. */
function resolveFrom(cwd: string, path: string): string {
  return path.startsWith("/") ? path : `${cwd}/${path}`;
}

/** The variable that turns the HTTP token off, and the one value it accepts. */
export const NO_TOKEN_VARIABLE = "MCP_BG_HTTP_NO_TOKEN";
export const NO_TOKEN_CONSENT = "i-understand";

/** HTTP sessions open at once when `MCP_BG_HTTP_MAX_SESSIONS` is not set. */
export const DEFAULT_MAX_SESSIONS = 100;

/** Every value of `MCP_BG_APPROVAL`. */
export const APPROVAL_MODES = ["off", "ask"] as const;
/** `off`: an allowlist refusal is final; `ask`: the person may approve the command. */
export type ApprovalMode = typeof APPROVAL_MODES[number];

/** Finished jobs together keep this many streams' worth of output unless told otherwise. */
export const HELD_OUTPUT_STREAMS = 10;

/**
 * The validated, frozen configuration every other module reads: one field per entry of
 * {@linkcode SETTINGS}.
 */
export interface Config {
  /** Jobs allowed to run at once; finished jobs never hold a slot. */
  readonly maxJobs: number;
  /** Bytes kept per stream per job; the newest are kept. */
  readonly maxOutputSize: number;
  /** Bytes of output all finished jobs keep together; past it the oldest are dropped first. */
  readonly maxHeldOutput: number;
  /** Seconds after which a running job is killed, or `undefined` for no limit. */
  readonly jobTimeoutSeconds: number | undefined;
  /** Seconds a finished job is kept before it is dropped from memory. */
  readonly cleanupIntervalSeconds: number;
  /** Absolute directory jobs run in. */
  readonly workingDir: string;
  /** Allowlist patterns (as written); `undefined` allows every command. */
  readonly allowedCommands: readonly RegExp[] | undefined;
  /** `MCP_BG_APPROVAL`: `ask` turns an allowlist refusal into a question to the person. */
  readonly approval: ApprovalMode;
  /** Seconds a question to the person waits for an answer before the command is refused. */
  readonly approvalTimeoutSeconds: number;
  /** `MCP_BG_CONSOLE_INPUT`: whether the person may type into a tty job from the console. */
  readonly consoleInput: boolean;
  /** `MCP_BG_SHELL`: run each line as `<shell> -c <line>`; `undefined` runs argv directly. */
  readonly shell: ShellConfig | undefined;
  /** `MCP_BG_CONTAINMENT`: whether jobs run inside bubblewrap. */
  readonly containment: ContainmentMode;
  /** Paths a contained job may write (besides its working directory and /tmp); `undefined`: all. */
  readonly allowWrite: readonly string[] | undefined;
  /** Paths a contained job cannot read; `undefined`: none. */
  readonly denyRead: readonly string[] | undefined;
  /** `false`: contained jobs get no network but their own loopback. */
  readonly network: boolean;
  /** `MCP_BG_JOB_LIMITS` over the defaults: what each contained job may use. */
  readonly jobLimits: JobLimits;
  /** `--http` only: the bearer token every request must carry. */
  readonly httpToken: string | undefined;
  /** `--http` only: the bearer token read from the file `MCP_BG_HTTP_TOKEN_FILE` names. */
  readonly httpTokenFromFile: string | undefined;
  /** `--http` only: `MCP_BG_HTTP_NO_TOKEN=i-understand`, serve without any token. */
  readonly httpNoToken: true | undefined;
  /** `--http` only: host names accepted besides the loopback ones. */
  readonly httpAllowedHosts: readonly string[] | undefined;
  /** `--http` only: sessions open at once; a new one past it is refused with 503. */
  readonly httpMaxSessions: number;
  /** Where the ledger keeps jobs and their output across restarts; `undefined`: nowhere. */
  readonly stateDir: string | undefined;
  /** Bytes the ledger's files take together at most; past it the oldest jobs are dropped. */
  readonly stateMaxSize: number;
  /** `MCP_BG_SERVICE=on`: jobs belong to a per-user service; this process is a front to it. */
  readonly service: boolean;
  /** Seconds a service with no front and no running job waits before it exits. */
  readonly serviceIdleSeconds: number;
}

/**
 * Every environment variable, keyed by the {@linkcode Config} field it fills. `loadConfig`,
 * `--help`, the start-up line and `--doctor` are all driven by this table, in this order.
 *
 * To add a variable, add one entry here (its parser, default and help text) and its typed field
 * to `Config` above (the compiler refuses one without the other; JSR wants the type written out).
 * Validation, `--help`, the start-up summary and `--doctor` then follow from the entry alone.
 * An entry may read entries above it through `context.env` (the shell checks the allowlist).
 */
export const SETTINGS: { readonly [K in keyof Config]: Setting<Config[K]> } = {
  maxJobs: wholeNumber({
    variable: "MCP_BG_MAX_JOBS",
    help: "Jobs running at once",
    min: 1,
    max: 100,
    default: 10,
  }),
  maxOutputSize: custom({
    variable: "MCP_BG_MAX_OUTPUT_SIZE",
    help: "Bytes kept per stream per job, newest kept (bytes or KB/MB/GB, 1KB-1GB).",
    default: DEFAULT_OUTPUT_SIZE,
    blankIsUnset: true,
    parse: (raw) => outputSize("MCP_BG_MAX_OUTPUT_SIZE", raw ?? DEFAULT_OUTPUT_SIZE),
    show: (bytes) => `max_output_size=${bytes}B`,
  }),
  maxHeldOutput: custom({
    variable: "MCP_BG_MAX_HELD_OUTPUT",
    help: "Bytes of output all finished jobs keep together, oldest dropped first " +
      "(bytes or KB/MB/GB, 1KB-1024GB).",
    default: `${HELD_OUTPUT_STREAMS} x MCP_BG_MAX_OUTPUT_SIZE`,
    blankIsUnset: true,
    // The default follows the per-stream cap, read again from the entry above.
    parse: (raw, context) =>
      raw === undefined
        ? HELD_OUTPUT_STREAMS *
          SETTINGS.maxOutputSize.read(context.env.MCP_BG_MAX_OUTPUT_SIZE, context)
        : outputSize("MCP_BG_MAX_HELD_OUTPUT", raw, 1024),
    show: (bytes) => `max_held_output=${bytes}B`,
  }),
  jobTimeoutSeconds: wholeNumber({
    variable: "MCP_BG_JOB_TIMEOUT",
    help: "Seconds after which a running job is killed",
    min: 1,
    max: MAX_TIMER_SECONDS,
    unset: "none",
    unit: "s",
  }),
  cleanupIntervalSeconds: wholeNumber({
    variable: "MCP_BG_CLEANUP_INTERVAL",
    help: "Seconds a finished job is kept before it is dropped",
    min: 10,
    max: 86400,
    default: 300,
    unit: "s",
  }),
  workingDir: custom({
    variable: "MCP_BG_WORKING_DIR",
    help: "Directory jobs run in (an existing directory).",
    default: "the server's working directory",
    parse: (raw, { cwd }) =>
      raw === undefined || raw === "" ? cwd : existingDirectory("MCP_BG_WORKING_DIR", raw),
  }),
  allowedCommands: custom({
    variable: "MCP_BG_ALLOWED_COMMANDS",
    help: "Comma-separated regular expressions; a command runs only if one matches.",
    default: "unset, every command allowed",
    parse: (raw): readonly RegExp[] | undefined =>
      raw === undefined ? undefined : patterns("MCP_BG_ALLOWED_COMMANDS", raw),
    show: (list) => `allowlist=${list === undefined ? "off" : `${list.length} pattern(s)`}`,
  }),
  approval: custom({
    variable: "MCP_BG_APPROVAL",
    help: "off, or ask: a command only the allowlist refuses is put to the person " +
      "(MCP elicitation, or the console) to allow once, allow for the session, or deny.",
    default: "off",
    blankIsUnset: true,
    parse: (raw): ApprovalMode => {
      const value = (raw ?? "off").trim();
      if (!(APPROVAL_MODES as readonly string[]).includes(value)) {
        throw new ConfigError("MCP_BG_APPROVAL", raw!, "off or ask");
      }
      return value as ApprovalMode;
    },
  }),
  consoleInput: custom({
    variable: "MCP_BG_CONSOLE_INPUT",
    help: "off, or on: the person may type into a tty job from the console's terminal view " +
      "(same protections as its Stop button).",
    default: "off",
    blankIsUnset: true,
    parse: (raw): boolean => {
      const value = (raw ?? "off").trim();
      if (value !== "on" && value !== "off") {
        throw new ConfigError("MCP_BG_CONSOLE_INPUT", raw!, "off or on");
      }
      return value === "on";
    },
    show: (on) => `console_input=${on ? "on" : "off"}`,
  }),
  approvalTimeoutSeconds: {
    ...wholeNumber({
      variable: "MCP_BG_APPROVAL_TIMEOUT",
      help: "Seconds a question to the person waits for an answer; then the command is refused",
      min: 1,
      max: 86400,
      default: 180,
      unit: "s",
    }),
    brief: false,
  },
  shell: custom({
    variable: "MCP_BG_SHELL",
    help: "Run each line with this shell (`bash`, `sh`, or a path); checked by a shell parser.",
    default: "unset, no shell: argv split with POSIX quoting",
    parse: (_raw, { env, cwd }) =>
      loadShell(env, { cwd, allowlist: env.MCP_BG_ALLOWED_COMMANDS !== undefined }),
    show: (shell) => `shell=${shell?.path ?? "none"}`,
    brief: false,
  }),
  containment: custom({
    variable: "MCP_BG_CONTAINMENT",
    help: "auto: run each job inside bubblewrap when it works here, else without; " +
      "required: refuse to start without it; off.",
    default: "auto",
    blankIsUnset: true,
    parse: containmentMode,
  }),
  allowWrite: custom({
    variable: "MCP_BG_ALLOW_WRITE",
    help: "Contained jobs write only to these comma-separated paths, their working directory " +
      "and a private /tmp (~ is home, relative paths are in the working directory).",
    default: "unset, writes unrestricted",
    blankIsUnset: true,
    parse: (raw, context): readonly string[] | undefined =>
      raw === undefined ? undefined : writablePaths(raw, context),
    show: (paths) => `allow_write=${paths?.join(",") ?? "anywhere"}`,
    brief: false,
  }),
  denyRead: custom({
    variable: "MCP_BG_DENY_READ",
    help: "Comma-separated paths a contained job cannot read (they look empty inside).",
    default: "unset",
    blankIsUnset: true,
    parse: (raw, context): readonly string[] | undefined =>
      raw === undefined ? undefined : containmentPaths("MCP_BG_DENY_READ", raw, context),
    show: (paths) => `deny_read=${paths?.join(",") ?? "none"}`,
    brief: false,
  }),
  network: custom({
    variable: "MCP_BG_NETWORK",
    help: "on, or off: a contained job gets its own network namespace with only a loopback.",
    default: "on",
    blankIsUnset: true,
    parse: (raw, { env }) => {
      const value = (raw ?? "on").trim();
      if (value !== "on" && value !== "off") {
        throw new ConfigError("MCP_BG_NETWORK", raw!, "on or off");
      }
      if (value === "off") refuseWithoutContainment("MCP_BG_NETWORK", raw!, env);
      return value === "on";
    },
    show: (on) => `network=${on ? "on" : "off"}`,
    brief: false,
  }),
  jobLimits: custom<JobLimits>({
    variable: "MCP_BG_JOB_LIMITS",
    help: "Limits for each contained job, e.g. memory=2G,processes=1024,cpu=3600,file-size=4G," +
      "tmp=512M (memory: address space per process; processes: per user, not enforced for " +
      "root; cpu: seconds per process; tmp: private /tmp and /dev/shm each; unlimited lifts one).",
    default: showJobLimits(DEFAULT_JOB_LIMITS),
    blankIsUnset: true,
    parse: (raw) => {
      if (raw === undefined) return DEFAULT_JOB_LIMITS;
      try {
        return parseJobLimits(raw);
      } catch (error) {
        throw new ConfigError(
          "MCP_BG_JOB_LIMITS",
          raw.slice(0, 80),
          `key=value pairs of memory, processes, cpu, file-size, tmp: ${(error as Error).message}`,
        );
      }
    },
    show: (limits) => `job_limits=${showJobLimits(limits)}`,
    brief: false,
  }),
  httpToken: custom({
    variable: "MCP_BG_HTTP_TOKEN",
    help: "With --http, the token every request needs as `Authorization: Bearer <token>`.",
    default: "unset: one is generated and kept in $XDG_RUNTIME_DIR/mcp-background-job/http-token " +
      "(else ~/.local/state/mcp-background-job/)",
    parse: (raw) => raw || undefined,
    show: (token) => `http_token=${token === undefined ? "unset" : "set"}`,
    brief: false,
    secret: true,
  }),
  httpTokenFromFile: custom({
    variable: "MCP_BG_HTTP_TOKEN_FILE",
    help: "With --http, read the token from this file instead (surrounding whitespace ignored), " +
      "so that it need not be in the environment.",
    default: "unset",
    parse: (raw, { env, cwd }) =>
      raw === undefined || raw === "" ? undefined : tokenFile(raw, env, cwd),
    show: (token) => `http_token_file=${token === undefined ? "unset" : "set"}`,
    brief: false,
    secret: true,
  }),
  httpNoToken: custom({
    variable: NO_TOKEN_VARIABLE,
    help: `With --http, serve with no token at all, only when set to \`${NO_TOKEN_CONSENT}\`: ` +
      "every local process of every user, jobs included, can then run commands.",
    default: "unset: a token is always required",
    parse: (raw, { env }): true | undefined => {
      if (raw === undefined || raw === "") return undefined;
      if (raw !== NO_TOKEN_CONSENT) {
        throw new ConfigError(NO_TOKEN_VARIABLE, raw, `${NO_TOKEN_CONSENT}, or unset`);
      }
      if (env.MCP_BG_HTTP_TOKEN || env.MCP_BG_HTTP_TOKEN_FILE) {
        throw new ConfigError(NO_TOKEN_VARIABLE, raw, "unset while a token is set (give one)");
      }
      return true;
    },
    show: (none) => `http_no_token=${none === true ? "yes" : "no"}`,
    brief: false,
  }),
  httpAllowedHosts: custom({
    variable: "MCP_BG_HTTP_ALLOWED_HOSTS",
    help: "With --http, extra comma-separated Host names accepted besides localhost.",
    default: "unset",
    parse: (raw): readonly string[] | undefined => raw?.split(",").filter((host) => host !== ""),
    show: (hosts) => `http_allowed_hosts=${hosts?.join(",") || "none"}`,
    brief: false,
  }),
  stateDir: custom({
    variable: "MCP_BG_STATE_DIR",
    help: "Keep every job's record and output in this private (0700) directory, so they are " +
      "listed and readable after a restart (service mode keeps one of its own).",
    default: "unset, nothing written to disk",
    blankIsUnset: true,
    parse: (raw, { cwd }) => raw === undefined ? undefined : resolveFrom(cwd, raw.trim()),
    show: (dir) => `state_dir=${dir ?? "none"}`,
    brief: false,
  }),
  stateMaxSize: custom({
    variable: "MCP_BG_STATE_MAX_SIZE",
    help: "Bytes the ledger's files take together, oldest jobs dropped first " +
      "(bytes or KB/MB/GB, 1KB-1024GB).",
    default: DEFAULT_STATE_SIZE,
    blankIsUnset: true,
    parse: (raw) => outputSize("MCP_BG_STATE_MAX_SIZE", raw ?? DEFAULT_STATE_SIZE, 1024),
    show: (bytes) => `state_max_size=${bytes}B`,
    brief: false,
  }),
  service: custom({
    variable: "MCP_BG_SERVICE",
    help: "on: jobs belong to a per-user service that outlives this process (which becomes a " +
      "front to it); off.",
    default: "off",
    blankIsUnset: true,
    parse: (raw) => {
      const value = (raw ?? "off").trim();
      if (value !== "on" && value !== "off") {
        throw new ConfigError("MCP_BG_SERVICE", raw!, "on or off");
      }
      return value === "on";
    },
    show: (on) => `service=${on ? "on" : "off"}`,
    brief: false,
  }),
  serviceIdleSeconds: {
    ...wholeNumber({
      variable: "MCP_BG_SERVICE_IDLE",
      help: "Seconds a service with no front connected and no job running waits, then exits",
      min: 1,
      max: MAX_TIMER_SECONDS,
      default: 3600,
      unit: "s",
    }),
    brief: false,
  },
  httpMaxSessions: {
    ...wholeNumber({
      variable: "MCP_BG_HTTP_MAX_SESSIONS",
      help: "With --http, sessions open at once; past it a new client gets 503",
      min: 1,
      max: 100_000,
      default: DEFAULT_MAX_SESSIONS,
    }),
    brief: false,
  },
};
