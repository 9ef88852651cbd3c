/**
 * What the MCP specification asks of a local HTTP server before any message is read: refuse a
 * foreign `Host` or `Origin` (DNS rebinding) with 403, and a missing or wrong bearer token with 401.
 *
 * @module
 */
import process from "node:process";
import { ConfigError } from "../errors.ts";

/** Who may talk to the HTTP server. */
export interface GuardOptions {
  /** The address the server is bound to, as given (`127.0.0.1`, `::1`, `localhost`, …). */
  readonly host: string;
  /** The port the server actually listens on. */
  readonly port: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** More host names clients may use (with or without `:port`), e.g. the machine's name. */
  readonly allowedHosts?: readonly string[];
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** `host` in the form it takes in a `Host` header: IPv6 addresses in brackets, lower case. */
function hostForm(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower;
}

/**
 * Whether `host` only accepts connections from this machine.
 *
 * @example Usage
 * ```ts
 * import { isLoopbackHost } from "./http_guard.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isLoopbackHost("127.0.0.1"), true);
 * assert.equal(isLoopbackHost("0.0.0.0"), false);
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const form = hostForm(host);
  return form === "localhost" || form === "[::1]" || /^127(\.\d{1,3}){3}$/.test(form);
}

/**
 * Refuses to serve a non-loopback address without a token: anyone on the network could then run
 * commands on this machine.
 *
 * @throws {ConfigError} when `host` is not loopback and `token` is empty.
 */
export function assertSafeBinding(host: string, token: string | undefined): void {
  if (isLoopbackHost(host) || (token !== undefined && token !== "")) return;
  throw new ConfigError(
    "--host",
    host,
    "a loopback address (127.0.0.1, ::1, localhost) when no token is set (MCP_BG_HTTP_TOKEN " +
      "or MCP_BG_HTTP_TOKEN_FILE); " +
      "refusing to let anyone who can reach this address run commands without a token",
  );
}

// node:crypto is looked up when a token is first checked rather than imported: `deno bundle` hoists
// static imports of built-in modules to the top of the bundle, so a stdio server would load it
// (about 15 ms of start-up) for an HTTP transport it never starts.
let nodeCrypto: typeof import("node:crypto") | undefined;

function digest(text: string): Uint8Array {
  nodeCrypto ??= process.getBuiltinModule("node:crypto");
  return nodeCrypto.createHash("sha256").update(text).digest();
}

/** Compares two secrets in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = digest(given), b = digest(expected);
  return nodeCrypto!.timingSafeEqual(a, b);
}

function refusal(status: 401 | 403, message: string): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="mcp-background-job"';
  const body = { jsonrpc: "2.0", error: { code: -32000, message }, id: null };
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * A check of one request: a 403 or 401 response when it is refused, `undefined` when it may go on.
 * `alsoAuthorized` may accept a request that lacks the bearer token (the console's session
 * cookie); the `Host` and `Origin` checks apply regardless.
 */
export type Guard = (
  request: Request,
  alsoAuthorized?: (request: Request) => boolean,
) => Response | undefined;

/**
 * Returns a {@linkcode Guard} for a server bound as `options` say.
 *
 * @example Usage
 * ```ts
 * import { createGuard } from "./http_guard.ts";
 * import assert from "node:assert/strict";
 * const guard = createGuard({ host: "127.0.0.1", port: 3939 });
 * const foreign = new Request("http://127.0.0.1:3939/mcp", {
 *   headers: { host: "127.0.0.1:3939", origin: "http://evil.example" },
 * });
 * assert.equal(guard(foreign)?.status, 403);
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const allowed = new Set<string>();
  const names = [...LOOPBACK_NAMES, hostForm(options.host), ...(options.allowedHosts ?? [])];
  for (const name of names.map(hostForm)) {
    // An entry that already names a port is taken as it is.
    if (/:\d+$/.test(name)) allowed.add(name);
    else allowed.add(`${name}:${options.port}`);
    if (options.port === 80) allowed.add(name);
  }
  const token = options.token === "" ? undefined : options.token;
  return (request, alsoAuthorized) => {
    const host = request.headers.get("host")?.toLowerCase();
    if (host === undefined || !allowed.has(host)) {
      return refusal(403, `Forbidden: host "${host ?? ""}" is not allowed`);
    }
    const origin = request.headers.get("origin");
    if (origin !== null && !isAllowedOrigin(origin, allowed)) {
      return refusal(403, `Forbidden: origin "${origin}" is not allowed`);
    }
    if (token !== undefined) {
      const authorization = request.headers.get("authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(authorization);
      const bearer = match !== null && sameSecret(match[1].trim(), token);
      if (!bearer && alsoAuthorized?.(request) !== true) {
        return refusal(401, "Unauthorized: a valid bearer token is required");
      }
    }
    return undefined;
  };
}

function isAllowedOrigin(origin: string, allowed: ReadonlySet<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // Not a URL (for example the opaque origin "null"): not one of ours.
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // With its port always spelled out: `https://localhost` is port 443, not a server on port 80.
  const port = url.port === "" ? (url.protocol === "http:" ? "80" : "443") : url.port;
  return allowed.has(`${url.hostname}:${port}`);
}
