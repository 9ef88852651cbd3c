/**
 * mcp-background-job: an MCP server that runs shell commands as background jobs.
 * Flags and environment → configuration → transport; no other logic lives here.
 *
 * @module
 */
import { helpText, parseCli, UsageError } from "./lib/cli.ts";
import { loadConfig } from "./lib/config.ts";
import { ConfigError } from "./lib/errors.ts";
import { JobManager } from "./lib/job_manager.ts";
import { createServer } from "./lib/server.ts";
import { installShutdown } from "./lib/lifecycle.ts";
import { serveStdio } from "./lib/transports/stdio.ts";
import { describeConfig } from "./lib/describe_config.ts";
import { VERSION } from "./lib/version.ts";

const log = (line: string) => console.error(`[mcp-background-job] ${line}`);

async function main(args: string[]): Promise<number | undefined> {
  const values = parseCli(args);
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  if (values.help) {
    console.log(helpText());
    return 0;
  }
  const config = loadConfig(Deno.env.toObject(), Deno.cwd());
  const manager = new JobManager(config);
  const shutdown = installShutdown(manager, log);
  await serveStdio(createServer(manager), shutdown);
  log(`ready on stdio; ${describeConfig(config, manager.signalMethod)}`);
  return undefined;
}

if (import.meta.main) {
  try {
    const code = await main(Deno.args);
    if (code !== undefined) Deno.exit(code);
  } catch (error) {
    if (error instanceof ConfigError) {
      log(`cannot start: ${error.message}`);
      Deno.exit(2);
    }
    if (error instanceof UsageError) {
      log(error.message);
      Deno.exit(2);
    }
    throw error;
  }
}
