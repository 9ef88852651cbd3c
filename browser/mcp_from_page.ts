/**
 * Run inside a console page: a ping to the MCP endpoint with whatever credentials the browser holds
 * (the console's cookie). Shared by the Chromium and Firefox tests, which expect 401: the cookie
 * never stands in for the bearer token.
 *
 * @module
 */

/** POSTs a JSON-RPC ping to `url` from the page and returns the HTTP status. */
export async function pingMcpFromPage(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  return response.status;
}
