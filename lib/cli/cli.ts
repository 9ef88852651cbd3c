/**
 * The command line: one table of flags, a parser built on `node:util` `parseArgs`, and the
 * `--help` text generated from the flags and the environment variables' table (`settings.ts`).
 *
 * To add a flag, add one entry to {@linkcode FLAGS}; the parser, the `--help` text and the
 * type of {@linkcode CliValues} follow from it.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { VERSION } from "../version.ts";
import { closestName } from "../settings/closest_name.ts";
import { SETTING_LIST } from "../settings/config.ts";
import {
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
} from "../transports/http_defaults.ts";

/** One command-line flag: how it is parsed and how `--help` describes it. */
export interface FlagSpec {
  /** `boolean` for a switch, `string` for a flag that takes a value (`--name value` or `--name=value`). */
  readonly type: "boolean" | "string";
  /** A one-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
  /** The value used when the flag is absent (string flags only). */
  readonly default?: string;
  /** What the value is, shown in `--help` as `--name <value>` (string flags only). */
  readonly valueName?: string;
  /** One line for `--help`, in sentence case. */
  readonly help: string;
  /** Another flag this one means nothing without; giving it alone is a usage error. */
  readonly requires?: string;
  /** A flag this one means nothing with, e.g. `http` for `console` (the console is at `/` there). */
  readonly excludes?: string;
}

/** Every flag the server accepts, keyed by its long name. */
export const FLAGS = {
  help: { type: "boolean", short: "h", help: "Print this help and exit." },
  version: { type: "boolean", short: "V", help: "Print the version and exit." },
  http: { type: "boolean", help: "Serve MCP over Streamable HTTP at /mcp instead of stdio." },
  port: {
    type: "string",
    valueName: "number",
    default: String(DEFAULT_HTTP_PORT),
    help: "Port for --http (0 picks a free one).",
    requires: "http",
  },
  host: {
    type: "string",
    valueName: "address",
    default: DEFAULT_HTTP_HOST,
    help: "Address for --http; a non-loopback one needs MCP_BG_HTTP_TOKEN(_FILE).",
    requires: "http",
  },
  "idle-timeout": {
    type: "string",
    valueName: "seconds",
    default: String(DEFAULT_IDLE_TIMEOUT_SECONDS),
    help: "Close an HTTP session after this long without requests or open streams.",
    requires: "http",
  },
  console: {
    type: "boolean",
    excludes: "http",
    help:
      "Over stdio, also serve the live console on a free loopback port; its URL goes to stderr.",
  },
  "print-permissions": {
    type: "boolean",
    help: "Print the least-privilege `deno run` line for this configuration and exit.",
  },
  doctor: {
    type: "boolean",
    help: "Print what this machine and configuration give (for a bug report) and exit.",
  },
  "stop-service": {
    type: "boolean",
    help: "Stop this user's job services (MCP_BG_SERVICE=on) and their jobs, say what stopped.",
  },
  service: {
    type: "boolean",
    excludes: "http",
    help: "Run as the job service itself (a front starts it; not for clients).",
  },
} as const satisfies Record<string, FlagSpec>;

/** One `MCP_BG_*` environment variable as `--help` describes it. */
export interface EnvSpec {
  /** The variable's name. */
  readonly name: string;
  /** What it controls and which values are valid. */
  readonly help: string;
  /** The value used when it is unset, as a user would write it. */
  readonly default: string;
}

/** Every environment variable the server reads, from the table in `settings.ts`. */
export const ENV_VARIABLES: readonly EnvSpec[] = SETTING_LIST.map((setting) => ({
  name: setting.variable,
  help: setting.help,
  default: setting.default,
}));

/** The flags that have a default, so always have a value once parsed. */
type DefaultedFlag = {
  [K in keyof typeof FLAGS]: (typeof FLAGS)[K] extends { default: string } ? K : never;
}[keyof typeof FLAGS];

/** The parsed flags: `true`/a string when given (or defaulted), `undefined` otherwise. */
export type CliValues =
  & {
    readonly [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]["type"] extends "boolean" ? boolean
      : string;
  }
  & { readonly [K in DefaultedFlag]: string };

/** A command line the server cannot accept; `main.ts` prints it and exits with code 2. */
export class UsageError extends Error {
  /** Creates the error; `message` already ends with a hint when one helps. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` against {@linkcode FLAGS}.
 *
 * @example Usage
 * ```ts
 * import { parseCli } from "./cli.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseCli(["--version"]).version, true);
 * assert.throws(() => parseCli(["--verison"]), /did you mean --version/);
 * assert.throws(() => parseCli(["--port", "8080"]), /--port applies only with --http/);
 * ```
 *
 * @throws {UsageError} for an unknown flag, a positional argument, a malformed value, or a flag
 * given without the flag it `requires` or with one it `excludes`.
 */
export function parseCli(args: readonly string[]): CliValues {
  const options = Object.fromEntries(
    Object.entries(FLAGS as Record<string, FlagSpec>).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        // parseArgs rejects `short: undefined`, so absent properties are left out.
        ...(spec.short === undefined ? {} : { short: spec.short }),
        ...(spec.default === undefined ? {} : { default: spec.default }),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch (error) {
    if (!(error instanceof TypeError) || !("code" in error)) throw error;
    throw new UsageError(usageMessage(error), { cause: error });
  }
  const values = parsed.values as Record<string, unknown>;
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const excludes = (FLAGS as Record<string, FlagSpec>)[token.name]?.excludes;
    if (excludes !== undefined && values[excludes] !== undefined) {
      throw new UsageError(
        `${token.rawName} does nothing with --${excludes}; leave one of them out`,
      );
    }
    const requires = (FLAGS as Record<string, FlagSpec>)[token.name]?.requires;
    if (requires !== undefined && values[requires] === undefined) {
      throw new UsageError(
        `${token.rawName} applies only with --${requires}; add --${requires} or leave ${token.rawName} out`,
      );
    }
  }
  return values as CliValues;
}

function usageMessage(error: TypeError): string {
  const hint = "run with --help for usage";
  const unknown = /^Unknown option '([^']*)'/.exec(error.message);
  if (!unknown) return `${error.message}; ${hint}`;
  const guess = closestName(unknown[1]!.replace(/^-+/, ""), Object.keys(FLAGS));
  return `Unknown option "${unknown[1]}"; ${guess ? `did you mean --${guess}? ` : ""}${hint}`;
}

/**
 * The `--help` text: every flag and every environment variable with its default.
 *
 * @example Usage
 * ```ts
 * import { helpText } from "./cli.ts";
 * import assert from "node:assert/strict";
 * assert.match(helpText(), /MCP_BG_MAX_JOBS/);
 * ```
 */
export function helpText(): string {
  const flagRows = Object.entries(FLAGS as Record<string, FlagSpec>).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "    ";
    const value = spec.type === "string" ? ` <${spec.valueName ?? "value"}>` : "";
    const lines = spec.default === undefined
      ? [spec.help]
      : [spec.help, `Default: ${spec.default}`];
    return [`${short}--${name}${value}`, lines] as const;
  });
  const envRows = ENV_VARIABLES.map((env) =>
    [env.name, [env.help, `Default: ${env.default}`]] as const
  );
  // Each row is a name and one or more description lines, aligned in a second column.
  const table = (rows: readonly (readonly [string, readonly string[]])[]) => {
    const width = Math.max(...rows.map(([left]) => left.length)) + 2;
    return rows.flatMap(([left, lines]) =>
      lines.map((line, i) => `  ${(i === 0 ? left : "").padEnd(width)}${line}`)
    ).join("\n");
  };
  return [
    `mcp-background-job ${VERSION}: an MCP server that runs shell commands as background jobs.`,
    "",
    "Usage: mcp-background-job [options]",
    "",
    "Serves MCP over stdio (or Streamable HTTP with --http). Logs go to stderr.",
    "",
    "Options:",
    table(flagRows),
    "",
    "Environment variables (an invalid value stops the server with exit code 2):",
    table(envRows),
  ].join("\n");
}
