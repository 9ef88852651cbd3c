/**
 * The key of a service: a digest of everything that decides what its jobs may do. A front whose
 * configuration differs in any of it reaches another service, so no front can widen (or
 * narrow) the rules of a service another front started.
 *
 * @module
 */
import type { Config } from "../settings/config.ts";
import { VERSION } from "../version.ts";

/** Settings that do not decide what jobs may do: the HTTP transport's own. */
const NOT_KEYED: ReadonlySet<keyof Config> = new Set([
  "httpToken",
  "httpTokenFromFile",
  "httpAllowedHosts",
  "httpMaxSessions",
]);

/** What goes into the key, in a stable order, as JSON. */
export function keyMaterial(
  config: Config,
  options: { permissions: readonly string[]; env: Readonly<Record<string, string | undefined>> },
): string {
  const settings = Object.entries(config)
    .filter(([name]) => !NOT_KEYED.has(name as keyof Config))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => [name, shown(value)]);
  return JSON.stringify({
    version: VERSION,
    uid: Deno.uid(),
    // Deno's permission flags are the second wall: a service runs with the starting front's.
    permissions: options.permissions,
    // Jobs find their programs on the service's PATH, and ~ is the service's HOME.
    path: options.env.PATH ?? null,
    home: options.env.HOME ?? null,
    settings,
  });
}

/**
 * A short hex digest of {@linkcode keyMaterial}.
 *
 * @example Usage
 * ```ts
 * import { serviceKey } from "./service_key.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import assert from "node:assert/strict";
 * const options = { permissions: ["-A"], env: {} };
 * const open = await serviceKey(loadConfig({}, "/"), options);
 * const narrow = await serviceKey(loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^ls$" }, "/"), options);
 * assert.notEqual(open, narrow);
 * ```
 */
export async function serviceKey(
  config: Config,
  options: { permissions: readonly string[]; env: Readonly<Record<string, string | undefined>> },
): Promise<string> {
  const bytes = new TextEncoder().encode(keyMaterial(config, options));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A setting's value in a form JSON keeps apart (regexes by source and flags). */
function shown(value: unknown): unknown {
  if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
  if (Array.isArray(value)) return value.map(shown);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shown(inner)]));
  }
  return value;
}
