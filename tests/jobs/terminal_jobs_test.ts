/**
 * Terminal jobs (`tty: true`) through a real client and real programs, contained and not.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { killAndCheckGone, startTty, waitForScreen } from "../helpers/terminal.ts";

const MODES = [
  { label: "uncontained", env: {}, ignore: false },
  { label: "contained", env: CONTAINED, ignore: noContainment },
] as const;

for (const mode of MODES) {
  Deno.test({
    name:
      `a tty job (${mode.label}) sees a terminal of the size asked for, and its output is stdout`,
    ignore: mode.ignore,
    async fn() {
      await using server = await TestServer.start({ env: mode.env });
      const id = await startTty(
        server,
        `python3 -c "import os,sys; print(sys.stdin.isatty(), sys.stdout.isatty(), os.get_terminal_size()); print('to-stderr', file=sys.stderr)"`,
        { cols: 100, rows: 30 },
      );
      const status = await server.waitForEnd(id);
      assert.equal(status.status, "completed");
      assert.equal(status.tty, true);
      assert.equal(status.contained, mode.env === CONTAINED);
      const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", {
        job_id: id,
      });
      assert.match(output.stdout, /True True os\.terminal_size\(columns=100, lines=30\)/);
      assert.match(output.stdout, /to-stderr/);
      assert.equal(output.stderr, "");
    },
  });

  Deno.test({
    name:
      `a python REPL on a tty (${mode.label}) answers input, recalls a line with Up and survives C-c`,
    ignore: mode.ignore,
    async fn() {
      await using server = await TestServer.start({ env: mode.env });
      const id = await startTty(server, "python3 -q");
      try {
        await waitForScreen(server, id, (s) => s.screen.includes(">>>"));
        const first = await server.ok<{ stdout: string; screen: string }>("interact_with_job", {
          job_id: id,
          input: "print(6 * 7)",
        });
        assert.match(first.stdout, /42/);
        assert.match(first.screen, />>> print\(6 \* 7\)\n42\n>>>/);
        // Up recalls the line; editing it at its end, then Enter, runs the edited line.
        const recalled = await server.ok<{ screen: string }>("interact_with_job", {
          job_id: id,
          keys: ["Up", "Backspace", "Backspace", "Backspace", "Backspace"],
          input: "",
        });
        assert.match(recalled.screen, />>> print\(6 $/m);
        const edited = await server.ok<{ stdout: string }>("interact_with_job", {
          job_id: id,
          input: "* 8)",
          keys: ["Enter"],
        });
        assert.match(edited.stdout, /48/);
        const interrupted = await server.ok<{ stdout: string }>("interact_with_job", {
          job_id: id,
          input: "import time; time.sleep(60)",
        });
        assert.doesNotMatch(interrupted.stdout, /KeyboardInterrupt/);
        const afterCtrlC = await server.ok<{ stdout: string }>("interact_with_job", {
          job_id: id,
          keys: ["C-c"],
        });
        assert.match(afterCtrlC.stdout, /KeyboardInterrupt/);
        const alive = await server.ok<{ stdout: string }>("interact_with_job", {
          job_id: id,
          input: "print('still', 'here')",
        });
        assert.match(alive.stdout, /still here/);
        assert.equal((await server.ok("get_job_status", { job_id: id })).status, "running");
      } finally {
        await killAndCheckGone(server, id);
      }
    },
  });
}

Deno.test("keys, cols and rows are refused for a pipe job, and cols/rows without tty", async () => {
  await using server = await TestServer.start();
  const id = await server.start("cat");
  try {
    const keys = await server.call("interact_with_job", { job_id: id, keys: ["Enter"] });
    assert.equal(keys.isError, true);
    assert.match(keys.text, /not a tty job/);
    const screen = await server.call("get_job_output", { job_id: id, screen: true });
    assert.match(screen.text, /not a tty job/);
    const size = await server.call("execute_command", { command: "cat", cols: 80 });
    assert.match(size.text, /add tty: true/);
    const tiny = await server.call("execute_command", { command: "cat", tty: true, rows: 0 });
    assert.match(tiny.text, /Invalid rows 0/);
    const unknownKey = await server.call("interact_with_job", { job_id: id, input: "x" });
    assert.equal(unknownKey.isError, false);
  } finally {
    await killAndCheckGone(server, id);
  }
});

Deno.test("without --allow-ffi a tty job is refused with the reason, and pipe jobs still run", async () => {
  await using server = await TestServer.start({
    permissions: ["--allow-env", "--allow-read", "--allow-run", "--allow-write"],
  });
  const refused = await server.call("execute_command", { command: "cat", tty: true });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /tty jobs need --allow-ffi/);
  const id = await server.start("echo piped");
  await server.waitForEnd(id);
  const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
  assert.equal(output.stdout, "piped\n");
});
