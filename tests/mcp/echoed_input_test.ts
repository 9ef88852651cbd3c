import assert from "node:assert/strict";
import { assertStillWorking, TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";

// An error may quote a short prefix of what it was given, never the whole of a long input.
const MAX_ERROR_CHARS = 600;

const LONG = "a".repeat(100 * 1024);
const ODD = ["x\u0000y", "\u202e\u0007\u001b[31m", "\ud800", "../".repeat(2000)];

/** Tool calls with hostile inputs: each must be a tool error (never -32603), short. */
function attacks(): [string, string, Record<string, unknown>][] {
  return [
    ["a 100 KB cwd", "execute_command", { command: "true", cwd: LONG }],
    ["a 100 KB cwd of slashes", "execute_command", { command: "true", cwd: "/".repeat(100_000) }],
    ["a 300-character program", "execute_command", { command: "p".repeat(300) }],
    ["a 5000-character path program", "execute_command", { command: `/${"d/".repeat(2500)}x` }],
    ["a 100 KB program", "execute_command", { command: LONG }],
    ["a 100 KB argument", "execute_command", { command: `nonexistent-prog ${LONG}` }],
    ["a 100 KB env name", "execute_command", { command: "true", env: { [LONG]: "1" } }],
    ["an env name with NUL", "execute_command", { command: "true", env: { "A\u0000B": "1" } }],
    ["a 100 KB job id", "get_job_status", { job_id: LONG }],
    ["a 100 KB job id to kill", "kill_job", { job_id: LONG }],
    ["a 100 KB name", "execute_command", { command: "true", name: LONG }],
    ...ODD.map((odd, i): [string, string, Record<string, unknown>] => [
      `odd cwd ${i}`,
      "execute_command",
      { command: "true", cwd: odd },
    ]),
    ...ODD.map((odd, i): [string, string, Record<string, unknown>] => [
      `odd job id ${i}`,
      "get_job_status",
      { job_id: odd },
    ]),
  ];
}

async function assertShortToolErrors(server: TestServer): Promise<void> {
  for (const [what, tool, args] of attacks()) {
    let outcome;
    try {
      outcome = await server.call(tool, args);
    } catch (error) {
      assert.fail(
        `${what}: a protocol error instead of a tool error: ${String(error).slice(0, 300)}`,
      );
    }
    if (!outcome.isError) {
      // A label or a variable's name is stored, not echoed in an error: the job simply runs;
      // kill_job of an unknown id says so in its status, not as an error.
      const accepted = ["a 100 KB name", "a 100 KB env name", "a 100 KB job id to kill"];
      assert.ok(accepted.includes(what), `${what}: accepted`);
      continue;
    }
    assert.ok(
      outcome.text.length <= MAX_ERROR_CHARS,
      `${what}: a ${outcome.text.length}-character error: ${outcome.text.slice(0, 200)}`,
    );
  }
  await assertStillWorking(server);
}

Deno.test("long or odd inputs get short tool errors, never -32603", async () => {
  await using server = await TestServer.start();
  await assertShortToolErrors(server);
});

Deno.test({
  name: "long or odd inputs get short tool errors when jobs are contained too",
  ignore: noContainment,
  async fn() {
    await using server = await TestServer.start({ env: { ...CONTAINED } });
    await assertShortToolErrors(server);
  },
});
