/**
 * A page of another origin that tries to stop a job and read the console's events, as a site the
 * person happens to visit would: shared by the Chromium and Firefox tests.
 *
 * @module
 */

/** What each attempt came to: "blocked" (the browser refused), "opaque", or the HTTP status. */
export interface ForeignOutcomes {
  readonly withHeader: string;
  readonly noCors: string;
  readonly events: string;
}

/**
 * What a browser must make of the attempts: the preflight of the POST with the console's header
 * is refused, the simple POST is refused by the Origin check (its answer unreadable), and the
 * events stream cannot be read.
 */
export const REFUSED: ForeignOutcomes = {
  withHeader: "blocked",
  noCors: "opaque",
  events: "blocked",
};

/** Serves an empty page on a free loopback port: the other origin. */
export function serveForeignPage(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("<!doctype html><title>elsewhere</title>", {
        headers: { "content-type": "text/html" },
      }),
  );
}

/** Runs inside the foreign page: stops job `id` and reads the events of the console at `target`. */
export async function attackFromPage(
  { target, id }: { target: string; id: string },
): Promise<ForeignOutcomes> {
  const attempt = async (init: RequestInit, path = `/console/jobs/${id}/kill`) => {
    try {
      const response = await fetch(target + path, init);
      return response.type === "opaque" ? "opaque" : String(response.status);
    } catch {
      return "blocked";
    }
  };
  return {
    withHeader: await attempt({ method: "POST", headers: { "x-mcp-bg-console": "1" } }),
    noCors: await attempt({ method: "POST", mode: "no-cors" }),
    events: await attempt({}, "/console/events"),
  };
}
