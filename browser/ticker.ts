/**
 * The job the console's browser tests watch: it leaves a grandchild running, then prints a green
 * line every 200 ms.
 *
 * @module
 */
import { type HttpClient, HttpTestServer } from "../tests/helpers/http_server.ts";
import { killIfAlive } from "../tests/helpers/processes.ts";

/** A shell command that starts a grandchild, names its pid, then prints green `tick N` lines. */
export const TICKER = `sh -c 'sleep 300 & echo "grandchild $!"; i=0; while :; do i=$((i+1)); ` +
  `printf "\\033[32mtick %d\\033[0m\\n" "$i"; sleep 0.2; done'`;

/** The colour the page shows the ticks in (the console's ANSI green). */
export const TICK_GREEN = "rgb(13, 188, 121)";

/** A running ticker: its job id, its process and its grandchild. */
export interface TickerJob {
  readonly id: string;
  readonly pid: number;
  readonly grandchild: number;
}

/** Starts the ticker and waits until it names its grandchild. */
export async function startTicker(client: HttpClient): Promise<TickerJob> {
  const id = await client.start(TICKER);
  const { stdout } = await client.waitForOutput(id, (o) => /grandchild \d+/.test(o.stdout));
  const grandchild = Number(/grandchild (\d+)/.exec(stdout)![1]);
  const { pid } = await client.ok<{ pid: number }>("get_job_status", { job_id: id });
  return { id, pid, grandchild };
}

/** What a browser test gets from {@linkcode withTicker}. */
export interface TickerServer {
  readonly server: HttpTestServer;
  readonly client: HttpClient;
  readonly job: TickerJob;
}

/**
 * Starts an HTTP server and the ticker on it, runs `test`, then ends the ticker's grandchild and
 * stops the server (its jobs end with it), whatever `test` did.
 */
export async function withTicker(test: (ticker: TickerServer) => Promise<void>): Promise<void> {
  await using server = await HttpTestServer.start();
  const client = await server.connect();
  const job = await startTicker(client);
  try {
    await test({ server, client, job });
  } finally {
    killIfAlive(job.grandchild);
    await server.stop();
  }
}

/** The console's address, as the `console_url` tool hands it out. */
export async function consoleUrl(client: HttpClient): Promise<string> {
  return (await client.ok<{ url: string }>("console_url")).url;
}
