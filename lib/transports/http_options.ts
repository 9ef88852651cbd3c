/**
 * The HTTP transport's options from the command line and the configuration, apart from the
 * transport itself so that validating them does not load the SDK's HTTP code.
 *
 * @module
 */
import { type Config, httpToken } from "../settings/config.ts";
import { ConfigError } from "../errors.ts";
import type { HttpOptions } from "./http.ts";

/**
 * Parses a `--port` value.
 *
 * @example Usage
 * ```ts
 * import { parsePort } from "./http_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parsePort("8080"), 8080);
 * assert.throws(() => parsePort("http"), /an integer from 0 to 65535/);
 * ```
 *
 * @throws {ConfigError} unless it is an integer from 0 to 65535.
 */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new ConfigError("--port", text, "an integer from 0 to 65535");
  }
  return port;
}

/** The command-line flags `--http` serves with, as parsed (the CLI's values have these). */
export interface HttpFlags {
  readonly host: string;
  readonly port: string;
  readonly "idle-timeout": string;
}

/**
 * The options `--http` serves with: `--host`, `--port`, `--idle-timeout`, and the token and
 * host names from `config`.
 *
 * @example Usage
 * ```ts
 * import { httpOptions } from "./http_options.ts";
 * import { parseCli } from "../cli/cli.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const options = httpOptions(parseCli(["--http", "--port", "0"]), loadConfig({}, "/"), console.error);
 * assert.equal(options.port, 0);
 * ```
 *
 * @throws {ConfigError} for a malformed port or idle timeout.
 */
export function httpOptions(
  values: HttpFlags,
  config: Config,
  log: (line: string) => void,
): HttpOptions {
  const idleText = values["idle-timeout"];
  const idleSeconds = Number(idleText);
  if (!(idleSeconds > 0)) {
    throw new ConfigError("--idle-timeout", idleText, "a number of seconds > 0");
  }
  return {
    host: values.host,
    port: parsePort(values.port),
    token: httpToken(config),
    allowedHosts: config.httpAllowedHosts,
    maxSessions: config.httpMaxSessions,
    idleTimeoutMs: idleSeconds * 1000,
    log,
  };
}
