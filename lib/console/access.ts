/**
 * Who may use the console when a token guards the server: a browser cannot send a bearer header on
 * a navigation, so a one-time link trades itself for a session cookie (HttpOnly, SameSite=Strict)
 * that the console's routes accept in place of the header. The MCP endpoint never accepts it.
 *
 * @module
 */

/** How long a login link works once made. */
export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;
// Bounds on what a flood of link requests or logins can make the server keep.
const MAX_LOGIN_CODES = 32;
const MAX_SESSIONS = 64;

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Inserts `key` into `map`, dropping the oldest entries beyond `max`. */
function insertBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

/**
 * One-time login links and the sessions they open.
 *
 * @example Usage
 * ```ts
 * import { ConsoleAccess } from "./access.ts";
 * import assert from "node:assert/strict";
 * const access = new ConsoleAccess(3939);
 * const code = new URL(access.mintLink(), "http://127.0.0.1:3939").searchParams.get("code")!;
 * const cookie = access.redeem(code);
 * assert.ok(cookie !== undefined);
 * assert.equal(access.redeem(code), undefined);
 * const request = new Request("http://127.0.0.1:3939/", { headers: { cookie: cookie.split(";")[0] } });
 * assert.equal(access.hasSession(request), true);
 * ```
 */
export class ConsoleAccess {
  /** The cookie's name; the port is in it because cookies are shared by every port of a host. */
  readonly cookieName: string;
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, true>();

  /** Creates the access list of the console listening on `port`. */
  constructor(port: number) {
    this.cookieName = `mcp_bg_console_${port}`;
  }

  /** A fresh login path (`/console/login?code=…`) that works once, for {@linkcode LOGIN_LINK_TTL_MS}. */
  mintLink(): string {
    const code = randomSecret();
    insertBounded(this.#codes, code, Date.now() + LOGIN_LINK_TTL_MS, MAX_LOGIN_CODES);
    return `/console/login?code=${code}`;
  }

  /** Uses up `code`; returns the `Set-Cookie` value of a new session, or `undefined` if it is not valid. */
  redeem(code: string): string | undefined {
    const expires = this.#codes.get(code);
    this.#codes.delete(code);
    if (expires === undefined || expires < Date.now()) return undefined;
    const session = randomSecret();
    insertBounded(this.#sessions, session, true, MAX_SESSIONS);
    return `${this.cookieName}=${session}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /** Whether `request` carries the cookie of a live session. */
  hasSession(request: Request): boolean {
    const cookies = request.headers.get("cookie") ?? "";
    for (const pair of cookies.split(";")) {
      const [name, value] = pair.trim().split("=", 2);
      // The keys are 256-bit random values: a lookup's timing tells nothing usable about them.
      if (name === this.cookieName && value !== undefined && this.#sessions.has(value)) return true;
    }
    return false;
  }
}
