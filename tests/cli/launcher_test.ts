/**
 * A server started through a launcher (`npx -y deno@…`, or a `sh -c deno …` a client runs) ends
 * when that launcher is stopped by its pid, even though the launcher does not pass the signal on:
 * the real deno process, found below the launcher, must exit.
 */
import assert from "node:assert/strict";
import { isLauncher } from "../../lib/cli/launcher_watch.ts";
import { locateProgram } from "../../lib/sandbox/program_path.ts";
import {
  commandLineOf,
  descendantsOf,
  downloadEnv,
  isAlive,
  killIfAlive,
  waitUntilGone,
} from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const NPX = locateProgram("npx", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" })?.path;
const DENO_VERSION = Deno.version.deno;

/**
 * The real deno running main.ts below `pid` (not npm's node, not the shell in between). Found by
 * its command line, which stays readable: the server makes itself non-dumpable, so its
 * /proc/<pid>/exe is closed to a test run by the same non-root user.
 */
function serverBelow(pid: number): number | undefined {
  return descendantsOf(pid).find((child) => {
    const line = commandLineOf(child);
    return line.split(" ")[0]!.split("/").at(-1) === "deno" && line.includes(MAIN);
  });
}

/**
 * Starts `command args` (a launcher of `main.ts`), waits for the server's `ready on` line, kills
 * the launcher with `signal`, and checks that the real server ends.
 */
async function killLauncherAndExpectServerGone(
  command: string,
  args: string[],
  signal: Deno.Signal,
  env: Record<string, string>,
): Promise<string> {
  const launcher = new Deno.Command(command, {
    args,
    env: { ...downloadEnv(), NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", ...env },
    clearEnv: true,
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  let server: number | undefined;
  const reading = (async () => {
    for await (const chunk of launcher.stderr.pipeThrough(new TextDecoderStream())) {
      stderr += chunk;
    }
  })();
  try {
    const ready = Promise.withResolvers<void>();
    const poll = setInterval(() => {
      if (/ready on /.test(stderr)) ready.resolve();
    }, 20);
    try {
      await Promise.race([ready.promise, launcher.status.then(() => ready.resolve())]);
    } finally {
      clearInterval(poll);
    }
    assert.match(stderr, /ready on /, stderr);
    server = serverBelow(launcher.pid);
    assert.ok(server !== undefined, `no deno below the launcher ${launcher.pid}:\n${stderr}`);
    launcher.kill(signal);
    await launcher.status;
    // The server's own slow check (once a second) notices; a loaded machine gets time to spare.
    await waitUntilGone(server, 30_000);
    return stderr;
  } finally {
    for (const pid of [server ?? 0, ...descendantsOf(launcher.pid)]) {
      if (pid > 0 && isAlive(pid)) killIfAlive(pid);
    }
    killIfAlive(launcher.pid);
    await launcher.stdin.close().catch(() => {
      // Already closed by the launcher's end.
    });
    await launcher.status;
    await reading;
  }
}

Deno.test("isLauncher knows npm exec, npx, npm's deno wrapper and sh -c deno, nothing else", () => {
  assert.ok(isLauncher("npm exec deno@2.9.6 run -A main.ts --http"));
  assert.ok(isLauncher("node\0/usr/lib/node_modules/npm/bin/npx-cli.js\0-y\0deno@2.9.6"));
  assert.ok(isLauncher("node\0/usr/lib/node_modules/deno/bin.cjs\0run\0-A\0main.ts"));
  assert.ok(isLauncher("sh\0-c\0'deno' run -A main.ts"));
  assert.ok(isLauncher("sh\0-c\0/home/u/.npm/_npx/x/node_modules/.bin/deno run main.ts"));
  for (const other of ["node\0/usr/bin/claude", "bash\0-l", "sh\0-c\0denox run", "deno\0run"]) {
    assert.ok(!isLauncher(other), other);
  }
});

for (const containment of ["off", "auto"]) {
  Deno.test(`a stdio server under sh -c ends when the shell is SIGKILLed (containment ${containment})`, async () => {
    // `; true` keeps the shell waiting above deno instead of replacing itself with it.
    const stderr = await killLauncherAndExpectServerGone(
      "sh",
      ["-c", `${Deno.execPath()} ${DENO_RUN.join(" ")} -A ${MAIN}; true`],
      "SIGKILL",
      { MCP_BG_CONTAINMENT: containment },
    );
    assert.match(stderr, /ready on stdio/);
  });
}

Deno.test({
  name: "an --http server started by npx ends when npx is stopped by its pid (SIGTERM, SIGKILL)",
  ignore: NPX === undefined,
  async fn() {
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      await killLauncherAndExpectServerGone(
        NPX!,
        ["-y", `deno@${DENO_VERSION}`, ...DENO_RUN, "-A", MAIN, "--http", "--port", "0"],
        signal,
        { MCP_BG_HTTP_TOKEN: "launcher-test-token", MCP_BG_CONTAINMENT: "off" },
      );
    }
  },
});
