/**
 * Which token guards `--http`, and what the start-up log tells the user about it: the user's own
 * (`MCP_BG_HTTP_TOKEN`, `MCP_BG_HTTP_TOKEN_FILE`), one the server generates and keeps in a private
 * file, or — only when `MCP_BG_HTTP_NO_TOKEN` says so in words — none.
 *
 * @module
 */
import { type Config, httpToken } from "../settings/config.ts";
import { NO_TOKEN_CONSENT, NO_TOKEN_VARIABLE } from "../settings/settings.ts";
import { generatedToken, tokenDirectory } from "../settings/generated_token.ts";
import { StartupError } from "../errors.ts";
import { assertSafeBinding } from "./http_guard.ts";

/** Where the HTTP token came from. */
export type HttpAccess =
  | { readonly kind: "set"; readonly token: string; readonly variable: string }
  | { readonly kind: "generated"; readonly token: string; readonly file: string }
  | { readonly kind: "none" };

/**
 * The token `--http` serves with: the user's, else one generated (or read back) in the private
 * file {@linkcode tokenDirectory} names; none only with `MCP_BG_HTTP_NO_TOKEN=i-understand`.
 *
 * @throws {ConfigError} for a non-loopback `host` without a token of the user's.
 * @throws {StartupError} when a token must be generated and cannot be kept.
 */
export function httpAccess(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  host: string,
): HttpAccess {
  const own = httpToken(config);
  // Serving beyond this machine takes a token the user chose, never one made up on the spot.
  assertSafeBinding(host, own);
  if (own !== undefined) {
    const variable = config.httpToken !== undefined
      ? "MCP_BG_HTTP_TOKEN"
      : "MCP_BG_HTTP_TOKEN_FILE";
    return { kind: "set", token: own, variable };
  }
  if (config.httpNoToken) return { kind: "none" };
  const dir = tokenDirectory(env);
  if (dir === undefined) {
    throw new StartupError(
      "no HTTP token is set and there is no private directory to keep a generated one in " +
        "(neither XDG_RUNTIME_DIR, XDG_STATE_HOME nor HOME is set); set MCP_BG_HTTP_TOKEN or " +
        "MCP_BG_HTTP_TOKEN_FILE",
    );
  }
  const { token, file } = generatedToken(dir);
  return { kind: "generated", token, file };
}

/**
 * The start-up lines about access to `url`: how to connect a client (with the generated token
 * spelled out, once, as nothing else prints it), or the warning that there is no token.
 *
 * @example Usage
 * ```ts
 * import { accessLines } from "./http_access.ts";
 * import assert from "node:assert/strict";
 * const lines = accessLines({ kind: "none" }, "http://127.0.0.1:3939/mcp");
 * assert.match(lines[0], /^warning: no token/);
 * ```
 */
export function accessLines(access: HttpAccess, url: string): string[] {
  const add = `claude mcp add --transport http background-job ${url} --header`;
  switch (access.kind) {
    case "none":
      return [
        `warning: no token (${NO_TOKEN_VARIABLE}=${NO_TOKEN_CONSENT}): every process on this ` +
        `machine, of every user, jobs included, can run commands through ${url}`,
      ];
    case "set":
      return [
        `token: ${access.variable}; connect with: ${add} ` +
        `"Authorization: Bearer <the token in ${access.variable}>"`,
      ];
    case "generated":
      return [
        `token: generated, kept in ${access.file} (mode 0600; reused at the next start); ` +
        `connect with: ${add} "Authorization: Bearer ${access.token}"`,
      ];
  }
}
