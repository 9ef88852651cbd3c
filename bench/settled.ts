/**
 * A server as it runs once start-up is over: its deferred start-up work and heap compaction
 * happen `SETTLE_MS` after `initialized`, so figures of a running server are taken after that.
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { delay } from "../tests/helpers/processes.ts";
import { SETTLE_MS } from "../lib/mcp/heap_compaction.ts";

/** Returns once `server`, just started, has settled. */
export async function settle(server: TestServer): Promise<void> {
  await server.ok("list_jobs");
  await delay(SETTLE_MS + 500);
}

/** Starts a server (see `TestServer.start`) and returns it once it has settled. */
export async function startSettled(
  options: Parameters<typeof TestServer.start>[0] = {},
): Promise<TestServer> {
  const server = await TestServer.start(options);
  await settle(server);
  return server;
}
