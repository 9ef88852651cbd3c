import assert from "node:assert/strict";
import { run } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

/** Asserts the server refused to start with exit code 2 and one line on stderr, no stack trace. */
function assertOneLineRefusal(result: { code: number; stderr: string }, expected: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, expected);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
}

Deno.test("a port in use is one line and exit code 2", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String(taken.addr.port);
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--http", "--port", port]);
  assertOneLineRefusal(
    result,
    new RegExp(`cannot start: 127\\.0\\.0\\.1:${port} is already in use.*--port 0`),
  );
});

Deno.test("a host that is not an address of this machine is one line and exit code 2", async () => {
  const result = await run(
    Deno.execPath(),
    [...DENO_RUN, "-A", MAIN, "--http", "--host", "192.0.2.1", "--port", "0"],
    { env: { MCP_BG_HTTP_TOKEN: "secret" } },
  );
  assertOneLineRefusal(result, /cannot start: 192\.0\.2\.1:0 is not an address of this machine/);
});

Deno.test("missing --allow-env is one line naming the flag, with or without other flags", async () => {
  for (const flags of [[], ["--allow-read", "--allow-run"], ["--allow-env=HOME", "--allow-read"]]) {
    const result = await run(Deno.execPath(), [...DENO_RUN, ...flags, MAIN]);
    assertOneLineRefusal(result, /cannot start: Requires env access.*--allow-env/);
  }
});

Deno.test("--port, --host and --idle-timeout without --http are usage errors", async () => {
  for (const flag of ["--port=4000", "--host=127.0.0.1", "--idle-timeout=5"]) {
    const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, flag]);
    const name = flag.split("=")[0]!;
    assertOneLineRefusal(result, new RegExp(`${name} applies only with --http`));
  }
});

Deno.test("an invalid MCP_BG_* value is one line and exit code 2", async () => {
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN], {
    env: { MCP_BG_JOB_TIMEOUT: "30s" },
  });
  assertOneLineRefusal(result, /cannot start: Invalid MCP_BG_JOB_TIMEOUT="30s"/);
});
