import assert from "node:assert/strict";
import { run } from "../helpers/processes.ts";
import { VERSION } from "../../lib/version.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

Deno.test("--doctor prints version, permissions, group kill, containment, configuration, warnings", async () => {
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--doctor"], {
    env: { MCP_BG_MAX_JOBS: "4", ["MCP_BG_JOB_TIMOUT"]: "5" },
  });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `mcp-background-job ${VERSION}`);
  assert.match(lines[1]!, new RegExp(`^deno: ${Deno.version.deno.replaceAll(".", "\\.")} `));
  assert.equal(
    lines[2],
    "permissions: env granted, read granted, run granted, write granted, net granted",
  );
  assert.match(lines[3]!, /^group kill: deno-kill: /);
  assert.match(lines[4]!, /^containment: (available: bubblewrap works here|unavailable: .+)/);
  assert.equal(lines[5], "listening ports: available: read from /proc");
  assert.match(lines[6]!, /^server descriptors: (private|exposed): /);
  assert.match(lines[7]!, /^tty jobs: available: --allow-ffi granted; .*loads with the first/);
  assert.match(lines[8]!, /^job limits: .*cgroup v2 /);
  assert.match(lines[9]!, /^configuration: max_jobs=4 .*job_timeout=none .*http_token=unset/);
  assert.match(lines[10]!, /^warning: MCP_BG_JOB_TIMOUT .*did you mean MCP_BG_JOB_TIMEOUT\?/);
  assert.equal(lines.length, 11, result.stdout);
});

Deno.test("--doctor names what a narrow permission set costs and exits 1 when the server would not start", async () => {
  const scoped = await run(
    Deno.execPath(),
    [...DENO_RUN, "--allow-env", "--allow-read", "--allow-run=sh", MAIN, "--doctor"],
  );
  assert.equal(scoped.code, 0, scoped.stderr);
  assert.match(
    scoped.stdout,
    /^permissions: env granted, read granted, run scoped or not granted/m,
  );
  assert.match(scoped.stdout, /^group kill: leader-only: /m);
  assert.match(
    scoped.stdout,
    /^listening ports: unavailable: Deno reads \/proc only when run with -A/m,
  );
  assert.match(scoped.stdout, /^warning: .*add kill to --allow-run/m);
  assert.match(scoped.stdout, /^tty jobs: unavailable: tty jobs need --allow-ffi/m);

  const noEnv = await run(Deno.execPath(), [...DENO_RUN, MAIN, "--doctor"]);
  assert.equal(noEnv.code, 1);
  assert.match(noEnv.stdout, /^configuration: not loaded$/m);
  assert.match(noEnv.stdout, /^warning: no --allow-env: .*will not start$/m);

  const invalid = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--doctor"], {
    env: { MCP_BG_MAX_JOBS: "0" },
  });
  assert.equal(invalid.code, 1);
  assert.match(invalid.stdout, /^warning: the server will not start: Invalid MCP_BG_MAX_JOBS="0"/m);
});
