/**
 * The console's HTTP routes: the page at `/`, its script and style, the events stream, and the
 * actions (stop, signal, and answering a question about a command the allowlist refused). Every request passes the server's {@linkcode ConsoleGuard} first; the actions
 * are POSTs that a cross-site page cannot send.
 *
 * @module
 */
import type { JobManager } from "../jobs/job_table.ts";
import type { PersonAnswer } from "../jobs/approval_desk.ts";
import { JobNotRunningError } from "../errors.ts";
import { SENDABLE_SIGNALS } from "../mcp/tools/send_signal.ts";
import { ConsoleAccess } from "./access.ts";
import { CONSOLE_ACTION_HEADER } from "./action_header.ts";
import { type ConsoleEvents, openConsoleEvents } from "./events.ts";
import { CONSOLE_HTML, LOGIN_SCRIPT, loginHtml } from "./page_html.ts";
import { CONSOLE_SCRIPT } from "./page_script.ts";
import { CONSOLE_STYLE } from "./page_style.ts";
import { loadXtermAssets } from "./xterm_assets.ts";
import { readTerminalInput } from "./terminal_input.ts";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; " +
    // The terminal renderer (@xterm/xterm) sizes its cells in <style> elements it creates.
    "style-src 'self' 'unsafe-inline'; " +
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

function respond(
  status: number,
  body: BodyInit | null,
  type: string,
  extra: Record<string, string> = {},
): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": type, ...extra },
  });
}

/** What the bare console address says without a session. */
export const SIGN_IN_HELP =
  'This console needs a sign-in link: open the "console:" link the server printed when it ' +
  "started, or ask the agent for one (the console_url tool). A link works once, within 15 " +
  'minutes. Scripts may send "Authorization: Bearer <token>" instead.\n';

function json(status: number, data: unknown): Response {
  return respond(status, JSON.stringify(data), "application/json");
}

const STATIC: Record<string, readonly [string, string]> = {
  "/": [CONSOLE_HTML, "text/html; charset=utf-8"],
  "/console/app.js": [CONSOLE_SCRIPT, "text/javascript; charset=utf-8"],
  "/console/app.css": [CONSOLE_STYLE, "text/css; charset=utf-8"],
  "/console/login.js": [LOGIN_SCRIPT, "text/javascript; charset=utf-8"],
};
// The terminal renderer's files, read from the npm package; same access as the page.
const XTERM_FILES: Record<string, readonly ["script" | "style", string]> = {
  "/console/xterm.js": ["script", "text/javascript; charset=utf-8"],
  "/console/xterm.css": ["style", "text/css; charset=utf-8"],
};
const ACTION = /^\/console\/jobs\/([^/]+)\/(kill|input|signal\/([A-Z0-9]+))$/;
const ANSWER = /^\/console\/approvals\/([^/]+)\/(once|session|deny)$/;
/** Events streams open at once; each holds up to a 64 KiB window of output (about 160 KB). */
export const MAX_EVENT_STREAMS = 64;

/**
 * The server's check of `Host`, `Origin` and the bearer token (the HTTP transport's guard), which
 * `alsoAuthorized` may satisfy in place of the token.
 */
export type ConsoleGuard = (
  request: Request,
  alsoAuthorized: (request: Request) => boolean,
) => Response | undefined;

/** How the console is set up. */
export interface WebConsoleOptions {
  /** The port the server listens on (names the session cookie). */
  readonly port: number;
  /** Whether the server requires a token: then the page needs a login link or the bearer header. */
  readonly tokenRequired: boolean;
}

/**
 * The live console of one server's jobs.
 *
 * @example Usage
 * ```ts
 * import { WebConsole } from "./web_console.ts";
 * import { JobManager } from "../jobs/job_table.ts";
 * import { loadConfig } from "../settings/config.ts";
 * import { createGuard } from "../transports/http_guard.ts";
 * import assert from "node:assert/strict";
 * const manager = new JobManager(loadConfig({}, Deno.cwd()));
 * const web = new WebConsole(manager, { port: 3939, tokenRequired: false });
 * const guard = createGuard({ host: "127.0.0.1", port: 3939 });
 * const request = new Request("http://127.0.0.1:3939/", { headers: { host: "127.0.0.1:3939" } });
 * const page = await web.handle(request, guard);
 * assert.equal(page.status, 200);
 * await page.body?.cancel();
 * ```
 */
export class WebConsole {
  readonly #manager: JobManager;
  readonly #access: ConsoleAccess;
  readonly #tokenRequired: boolean;
  readonly #streams = new Set<ConsoleEvents>();
  readonly #detachFromDesk: () => void;

  /** Creates the console of `manager`'s jobs. */
  constructor(manager: JobManager, options: WebConsoleOptions) {
    this.#manager = manager;
    this.#access = new ConsoleAccess(options.port);
    this.#tokenRequired = options.tokenRequired;
    // Open, the console can answer questions for clients that cannot ask their person.
    this.#detachFromDesk = manager.approvals.attachConsole();
  }

  /** Whether `pathname` is one of the console's. */
  static serves(pathname: string): boolean {
    return pathname === "/" || pathname.startsWith("/console/");
  }

  /** The path a person opens: a fresh one-time login link when a token is required, else `/`. */
  entryPath(): string {
    return this.#tokenRequired ? this.#access.mintLink() : "/";
  }

  /** Answers one request for a console path, after `guard`. */
  async handle(request: Request, guard: ConsoleGuard): Promise<Response> {
    const url = new URL(request.url);
    const login = url.pathname === "/console/login";
    const xterm = XTERM_FILES[url.pathname];
    const page = STATIC[url.pathname] ?? (xterm === undefined ? undefined : ["", xterm[1]]);
    // The cookie alone opens the static page; the jobs and actions also need the page key.
    const refused = guard(
      request,
      (r) =>
        login || (page !== undefined ? this.#access.hasSession(r) : this.#access.hasPageKey(r)),
    );
    if (refused !== undefined) {
      // A person who opened the bare address is told how to sign in, not sent JSON.
      if (refused.status !== 401 || url.pathname !== "/") return refused;
      return respond(401, SIGN_IN_HELP, "text/plain; charset=utf-8", {
        "www-authenticate": refused.headers.get("www-authenticate") ?? "Bearer",
      });
    }
    if (login) return this.#login(request, url);
    if (page !== undefined) {
      if (request.method !== "GET" && request.method !== "HEAD") return this.#notAllowed("GET");
      const text = xterm === undefined ? page[0] : (await loadXtermAssets())?.[xterm[0]];
      // Without the renderer's files, the page shows tty jobs as plain text.
      if (text === undefined) return json(404, { error: "The terminal renderer is not installed" });
      return respond(200, request.method === "HEAD" ? null : text, page[1]);
    }
    const fetchSite = request.headers.get("sec-fetch-site");
    if (url.pathname === "/console/events") {
      if (request.method !== "GET") return this.#notAllowed("GET");
      if (fetchSite !== null && fetchSite !== "same-origin") return this.#crossSite(fetchSite);
      return this.#events(url.searchParams.get("job") ?? undefined);
    }
    const action = ACTION.exec(url.pathname);
    const answer = ANSWER.exec(url.pathname);
    if (action === null && answer === null) {
      return json(404, { error: `Not found: ${url.pathname}` });
    }
    if (request.method !== "POST") return this.#notAllowed("POST");
    if (fetchSite !== null && fetchSite !== "same-origin") return this.#crossSite(fetchSite);
    if (request.headers.get(CONSOLE_ACTION_HEADER) !== "1") {
      return json(403, { error: `Forbidden: an action needs the ${CONSOLE_ACTION_HEADER} header` });
    }
    if (answer !== null) return this.#answer(answer[1]!, answer[2] as PersonAnswer);
    if (action![2] === "input") return await this.#type(action![1]!, request);
    return await this.#act(action![1]!, action![3]);
  }

  /** Ends every open events stream. */
  close(): void {
    this.#detachFromDesk();
    for (const stream of this.#streams) stream.close();
    this.#streams.clear();
  }

  #notAllowed(allow: string): Response {
    return json(405, { error: `Method not allowed: use ${allow}` });
  }

  #crossSite(site: string): Response {
    return json(403, { error: `Forbidden: a ${site} request` });
  }

  #login(request: Request, url: URL): Response {
    if (request.method !== "GET") return this.#notAllowed("GET");
    if (!this.#tokenRequired) return respond(303, null, "text/plain", { location: "/" });
    const session = this.#access.redeem(url.searchParams.get("code") ?? "");
    if (session === undefined) {
      return respond(
        403,
        "This console link was used already or has expired. Ask for a new one (the console_url tool).",
        "text/plain; charset=utf-8",
      );
    }
    // A page, not a redirect: a navigation from this origin carries the SameSite=Strict cookie
    // even when the link was opened from another site, and its script stores the page key.
    return respond(200, loginHtml(session.key), "text/html; charset=utf-8", {
      "set-cookie": session.cookie,
    });
  }

  #events(jobId: string | undefined): Response {
    if (this.#streams.size >= MAX_EVENT_STREAMS) {
      return json(503, {
        error: `Busy: ${MAX_EVENT_STREAMS} console pages are open, the most the server keeps; ` +
          "close one, or reload once one has closed",
      });
    }
    const events = openConsoleEvents(this.#manager, {
      jobId,
      onClose: () => this.#streams.delete(events),
    });
    this.#streams.add(events);
    return respond(200, events.body, "text/event-stream");
  }

  /** The person's answer to an open question, with the same protections as Stop. */
  #answer(id: string, answer: PersonAnswer): Response {
    if (!this.#manager.approvals.answer(id, answer)) {
      return json(404, { error: `No open question ${id}: answered, withdrawn or timed out` });
    }
    return json(200, { status: "answered" });
  }

  /** Keys the person typed into a tty job's terminal, when `MCP_BG_CONSOLE_INPUT=on`. */
  async #type(jobId: string, request: Request): Promise<Response> {
    if (!this.#manager.config.consoleInput) {
      return json(403, {
        error: "Forbidden: typing from the console is off (MCP_BG_CONSOLE_INPUT)",
      });
    }
    const job = this.#manager.find(jobId);
    if (job === undefined) return json(404, { error: `Job ${jobId} not found` });
    if (!job.tty) return json(409, { error: `Job ${jobId} is not a tty job` });
    const keys = await readTerminalInput(request);
    if (keys === undefined) return json(413, { error: "Too much input at once" });
    try {
      await job.write(keys);
    } catch (error) {
      if (!(error instanceof JobNotRunningError)) throw error;
      return json(409, { error: `Job ${jobId} is not running (status ${job.status})` });
    }
    return json(200, { status: "typed" });
  }

  async #act(jobId: string, signal: string | undefined): Promise<Response> {
    const job = this.#manager.find(jobId);
    if (job === undefined) return json(404, { error: `Job ${jobId} not found` });
    // The same kill as the kill_job tool: SIGTERM to the group, SIGKILL after the grace period.
    if (signal === undefined) return json(200, { status: await this.#manager.kill(jobId) });
    if (!(SENDABLE_SIGNALS as readonly string[]).includes(signal)) {
      return json(400, { error: `Cannot send "${signal}": not one of ${SENDABLE_SIGNALS}` });
    }
    try {
      await job.sendSignal(signal as Deno.Signal);
    } catch (error) {
      if (!(error instanceof JobNotRunningError)) throw error;
      return json(409, { error: `Job ${jobId} is not running (status ${job.status})` });
    }
    return json(200, { status: "sent" });
  }
}
