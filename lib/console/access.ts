/**
 * Who may use the console when a token guards the server: a browser cannot send a bearer header on
 * a navigation, so a one-time link trades itself for a session cookie (HttpOnly, SameSite=Strict)
 * that the console's routes accept in place of the header. The MCP endpoint never accepts it.
 *
 * Browsers send a cookie to every port of a host, so any local process listening on another port
 * of `127.0.0.1` that the browser is led to gets the cookie. The cookie alone therefore opens only
 * the page itself; the job list, output and actions also need the session's page key, which the
 * login page stores in the origin's `localStorage` (scoped to the port, unlike cookies).
 *
 * @module
 */

/** The header (or `key` query parameter, for an `EventSource`) that carries a session's page key. */
export const PAGE_KEY_HEADER = "x-mcp-bg-console-key";

/** A session opened by a login link. */
export interface ConsoleLogin {
  /** The `Set-Cookie` value of the session. */
  readonly cookie: string;
  /** The page key that must come with the cookie on the console's data and actions. */
  readonly key: string;
}

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
 * const login = access.redeem(code);
 * assert.ok(login !== undefined);
 * assert.equal(access.redeem(code), undefined);
 * const cookie = login.cookie.split(";")[0];
 * const page = new Request("http://127.0.0.1:3939/", { headers: { cookie } });
 * assert.equal(access.hasSession(page), true);
 * assert.equal(access.hasPageKey(page), false);
 * const data = new Request(`http://127.0.0.1:3939/console/events?key=${login.key}`, { headers: { cookie } });
 * assert.equal(access.hasPageKey(data), true);
 * ```
 */
export class ConsoleAccess {
  /** The cookie's name; the port is in it because cookies are shared by every port of a host. */
  readonly cookieName: string;
  readonly #codes = new Map<string, number>();
  // Session cookie value → its page key, and back.
  readonly #sessions = new Map<string, string>();
  readonly #keys = new Map<string, string>();

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

  /** Uses up `code`; returns a new session, or `undefined` if the code is not valid. */
  redeem(code: string): ConsoleLogin | undefined {
    const expires = this.#codes.get(code);
    this.#codes.delete(code);
    if (expires === undefined || expires < Date.now()) return undefined;
    const session = randomSecret(), key = randomSecret();
    // Both maps are filled in the same order, so they drop the same oldest session.
    insertBounded(this.#sessions, session, key, MAX_SESSIONS);
    insertBounded(this.#keys, key, session, MAX_SESSIONS);
    return { cookie: `${this.cookieName}=${session}; Path=/; HttpOnly; SameSite=Strict`, key };
  }

  /** Whether `request` carries the cookie of a live session (enough for the page, not its data). */
  hasSession(request: Request): boolean {
    return this.#sessionsOf(request).length > 0;
  }

  /** Whether `request` carries a live session's cookie and that session's page key. */
  hasPageKey(request: Request): boolean {
    const given = request.headers.get(PAGE_KEY_HEADER) ??
      new URL(request.url).searchParams.get("key") ?? "";
    // Looked up by the given key: a lookup's timing tells nothing usable about a 256-bit value.
    const session = this.#keys.get(given);
    return session !== undefined && this.#sessionsOf(request).includes(session);
  }

  /** The live sessions whose cookies `request` carries. */
  #sessionsOf(request: Request): string[] {
    const found: string[] = [];
    const cookies = request.headers.get("cookie") ?? "";
    for (const pair of cookies.split(";")) {
      const [name, value] = pair.trim().split("=", 2);
      // The values are 256-bit random values: a lookup's timing tells nothing usable about them.
      if (name === this.cookieName && value !== undefined && this.#sessions.has(value)) {
        found.push(value);
      }
    }
    return found;
  }
}
