/**
 * mcp-background-job: an MCP server that runs shell commands as background jobs.
 * Flags and environment → configuration → transport; no other logic lives here.
 *
 * @module
 */
import { helpText, parseCli } from "./lib/cli/cli.ts";
import { httpToken, loadConfig, unknownVariableWarnings } from "./lib/settings/config.ts";
import { STARTUP_FAILURE_EXIT_CODE, startupFailureLine } from "./lib/cli/startup_failure.ts";
import { JobManager } from "./lib/jobs/job_table.ts";
import { choiceCanFail } from "./lib/jobs/executor_choice.ts";
import { findContainmentPrograms } from "./lib/jobs/containment_programs.ts";
import { createServer } from "./lib/mcp/server.ts";
import { registerConsoleApp } from "./lib/console/console_app.ts";
import { compactOnceSettled } from "./lib/mcp/heap_compaction.ts";
import { loadShellParser, needsShellParser } from "./lib/sandbox/shell_parser.ts";
import { loadApprovalDigests } from "./lib/mcp/approval/digest.ts";
import { installShutdown } from "./lib/jobs/shutdown.ts";
import { serveStdio } from "./lib/transports/stdio.ts";
import { describeConfig, type ExecutorSummary } from "./lib/settings/describe_config.ts";
import { VERSION } from "./lib/version.ts";
import { launchersAbove, watchLaunchers } from "./lib/cli/launcher_watch.ts";
import { makeServerPrivate } from "./lib/sandbox/server_privacy.ts";
import { keepInheritedDescriptorsFromJobs } from "./lib/jobs/inherited_descriptors.ts";
import { loadQuickFileChecks } from "./lib/sandbox/program_path.ts";

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
  // Every mode but the stdio server loads its own code when chosen: a stdio server never pays for
  // the service, the doctor, the HTTP transport or the console (tests/lazy_modules_test.ts).
  if (values.doctor) {
    const { doctorReport } = await import("./lib/cli/doctor.ts");
    const report = doctorReport();
    console.log(report.lines.join("\n"));
    return report.wouldStart ? 0 : 1;
  }
  const env = Deno.env.toObject();
  const config = loadConfig(env, Deno.cwd());
  for (const warning of unknownVariableWarnings(env)) log(`warning: ${warning}`);
  if (needsShellParser(config)) await loadShellParser();
  if (config.approval === "ask") await loadApprovalDigests();
  if (values["print-permissions"]) {
    const { denoRunLine } = await import("./lib/sandbox/permissions.ts");
    const { line, notes } = denoRunLine(config, new URL(import.meta.url).pathname);
    for (const note of notes) log(`note: ${note}`);
    console.log(line);
    return 0;
  }
  // Before any job starts: its /proc files are then closed to jobs from the first one on.
  const privacy = makeServerPrivate();
  keepInheritedDescriptorsFromJobs();
  if (values["stop-service"]) {
    const { stopServices } = await import("./lib/service/stop_service.ts");
    for (const line of await stopServices(env)) console.log(line);
    return 0;
  }
  if (values.service) {
    const { runAsService } = await import("./lib/service/service_main.ts");
    await runAsService(config, { env, console: values.console === true });
    return undefined;
  }
  if (config.service && !values.http) {
    const { runFront } = await import("./lib/service/service_main.ts");
    await runFront(config, { env, console: values.console === true, log });
    return 0;
  }
  // The ledger's modules are loaded only when a state directory asks for one.
  const { manager, ledger } = config.stateDir === undefined
    ? { manager: new JobManager(config), ledger: undefined }
    : (await import("./lib/service/managed_jobs.ts")).managedJobs(config);
  if (ledger !== undefined) log(`ledger: ${ledger.dir}`);
  // A server that may refuse to start on containment finds out before it answers anyone. Any
  // other looks for bwrap now (a PATH it may not read still fails start-up) and tries a sandbox
  // once it is serving (executor_choice.ts).
  if (choiceCanFail(config)) await manager.ready();
  else if (config.containment !== "off") findContainmentPrograms();
  if (values.http) {
    const { accessLines, httpAccess } = await import("./lib/transports/http_access.ts");
    const { httpOptions } = await import("./lib/transports/http_options.ts");
    const access = httpAccess(config, env, values.host);
    const options = {
      ...httpOptions(values, config, log),
      token: access.kind === "none" ? undefined : access.token,
    };
    const { serveHttp } = await import("./lib/transports/http.ts");
    const http = await serveHttp(manager, options);
    const shutdown = installShutdown(manager, log, {
      afterJobs: async () => {
        await http.close();
        await ledger?.close();
      },
    });
    endWithLauncher(shutdown);
    log(`ready on ${http.url}; ${describeConfig(config, await chosenExecutor(manager), privacy)}`);
    for (const line of accessLines(access, http.url)) log(line);
    log(`console: ${http.consoleUrl()}`);
    void loadQuickFileChecks();
    return undefined;
  }
  const web = values.console
    ? await (await import("./lib/transports/console_server.ts")).serveConsole(manager, {
      token: httpToken(config),
      log,
    })
    : undefined;
  const shutdown = installShutdown(manager, log, {
    afterJobs: async () => {
      await web?.close();
      await ledger?.close();
    },
  });
  endWithLauncher(shutdown);
  const server = createServer(manager, { consoleUrl: web && (() => web.entryUrl()) });
  registerConsoleApp(server, manager);
  // What start-up can do without waits until the client's start-up requests are answered
  // (lazy_modules_test.ts).
  compactOnceSettled(server, loadQuickFileChecks);
  await serveStdio(server, shutdown);
  log(`ready on stdio; ${describeConfig(config, await chosenExecutor(manager), privacy)}`);
  if (web !== undefined) log(`console: ${web.entryUrl()}`);
  return undefined;
}

/**
 * How jobs run, for the ready line. A choice that fails once the server is serving (it cannot
 * refuse to start then: see `choiceCanFail`) is said here, and each job asked for says it again.
 */
async function chosenExecutor(manager: JobManager): Promise<ExecutorSummary> {
  try {
    return await manager.ready();
  } catch (error) {
    const reason = `jobs cannot start: ${(error as Error).message}`;
    return { signalMethod: "none", containment: { contained: false, reason } };
  }
}

/** Started by `npx` or npm's `deno` wrapper: end when that launcher ends (killed by its pid). */
function endWithLauncher(shutdown: (why: string) => void): void {
  watchLaunchers(
    launchersAbove(Deno.pid),
    (launcher) => shutdown(`its launcher ended: ${launcher.pid} ${launcher.command}`),
  );
}

if (import.meta.main) {
  try {
    const code = await main(Deno.args);
    if (code !== undefined) Deno.exit(code);
  } catch (error) {
    const line = startupFailureLine(error);
    if (line === undefined) throw error;
    log(line);
    Deno.exit(STARTUP_FAILURE_EXIT_CODE);
  }
}
