/**
 * A job that closed its stdin is said to have done so, contained or not: the sandbox's own
 * processes (bwrap, its init) hold no copy of the pipe that would swallow input into a void.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

const CLOSED = (id: string) =>
  `Job ${id} is still running but has closed its stdin, so it cannot accept input`;

// Each closes the job's only copy of stdin and keeps running.
const CLOSERS = [
  `sh -c 'exec 0<&-; echo ready; sleep 300'`,
  `sh -c 'exec 0</dev/null; echo ready; sleep 300'`,
  `bash -c 'exec 0<&-; echo ready; sleep 300'`,
  `python3 -c 'import os, time; os.close(0); print("ready", flush=True); time.sleep(300)'`,
];

// The leader closes its stdin, but a child it started still holds it: input can still be read.
const CHILD_KEEPS_STDIN = `python3 -c 'import os, subprocess, time
subprocess.Popen(["sleep", "300"])
os.close(0)
print("ready", flush=True)
time.sleep(300)'`;

async function assertClosedStdinSaid(server: TestServer, contained: boolean): Promise<void> {
  for (const command of CLOSERS) {
    const id = await server.start(command);
    await server.waitForOutput(id, (output) => output.stdout === "ready\n");
    assert.equal((await server.ok("get_job_status", { job_id: id })).contained, contained);
    const outcome = await server.call("interact_with_job", { job_id: id, input: "hello" });
    assert.equal(outcome.isError, true, command);
    assert.equal(outcome.text, CLOSED(id), command);
    await server.ok("kill_job", { job_id: id });
  }
  const id = await server.start(CHILD_KEEPS_STDIN);
  await server.waitForOutput(id, (output) => output.stdout === "ready\n");
  const outcome = await server.call("interact_with_job", { job_id: id, input: "hello" });
  assert.equal(outcome.isError, false, outcome.text);
  await server.ok("kill_job", { job_id: id });
}

Deno.test("uncontained, a job that closed its stdin is said to have done so", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_CONTAINMENT: "off" } });
  await assertClosedStdinSaid(server, false);
});

Deno.test({
  name: "contained, a job that closed its stdin is said to have done so, not fed into a void",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: CONTAINED });
    await assertClosedStdinSaid(server, true);
  },
});

// A contained `sh -c`/`bash -c` job takes its stdin back from fd 4 in its own line (bwrap_start.ts).
// (dash leaves $LINENO empty in a -c line; bash counts it.)
const READERS = [
  `sh -c 'echo "line $LINENO"; read typed; echo "got $typed"'`,
  `bash -c 'echo "line $LINENO"; read typed; echo "got $typed"'`,
];
const FIRST_LINE = ["line \n", "line 1\n"];

async function assertShellLineReads(server: TestServer): Promise<void> {
  for (const [i, command] of READERS.entries()) {
    const id = await server.start(command);
    await server.waitForOutput(id, (output) => output.stdout === FIRST_LINE[i]);
    await server.ok("interact_with_job", { job_id: id, input: "hello\n" });
    await server.waitForOutput(id, (output) => output.stdout === `${FIRST_LINE[i]}got hello\n`);
    assert.equal((await server.waitForEnd(id)).exit_code, 0, command);
  }
}

Deno.test("uncontained, a shell's -c line reads what is typed, bash counts its lines from 1", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_CONTAINMENT: "off" } });
  await assertShellLineReads(server);
});

Deno.test({
  name: "contained, a shell's -c line reads what is typed, bash counts its lines from 1",
  ignore: noContainment,
  fn: async () => {
    await using server = await TestServer.start({ env: CONTAINED });
    await assertShellLineReads(server);
  },
});
