/**
 * Programs that need a terminal, run as tty jobs through a real client, contained and not: a
 * password prompt, colour on a tty only, an editor saving a file, a full-screen monitor, job
 * control in an interactive shell, a resize seen by the program.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { killAndCheckGone, startTty, waitForScreen } from "../helpers/terminal.ts";

const MODES = [
  { label: "uncontained", env: {}, ignore: false },
  { label: "contained", env: CONTAINED, ignore: noContainment },
] as const;

type Answer = { stdout: string; screen: string };

for (const mode of MODES) {
  Deno.test({
    name: `getpass reads a password on the tty without echoing it (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      await using server = await TestServer.start({ env: mode.env });
      const id = await startTty(
        server,
        `python3 -c "import getpass; p = getpass.getpass('Password: '); print('got', len(p))"`,
      );
      try {
        await waitForScreen(server, id, (s) => s.screen.includes("Password:"));
        const answer = await server.ok<Answer>("interact_with_job", {
          job_id: id,
          input: "hunter2",
        });
        assert.match(answer.stdout, /got 7/);
        assert.doesNotMatch(answer.screen, /hunter2/);
      } finally {
        await killAndCheckGone(server, id);
      }
    },
  });

  Deno.test({
    name: `ls --color=auto colours on a tty only (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      const dir = await Deno.makeTempDir();
      try {
        await Deno.mkdir(join(dir, "subdir"));
        await using server = await TestServer.start({ env: mode.env, cwd: dir });
        const output = async (tty: boolean) => {
          const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
            command: "ls --color=auto",
            tty,
          });
          await server.waitForEnd(job_id);
          return (await server.ok<{ stdout: string }>("get_job_output", { job_id, raw: true }))
            .stdout;
        };
        // deno-lint-ignore no-control-regex -- an SGR colour sequence starts with ESC
        assert.match(await output(true), /\x1b\[[0-9;]*m.*subdir/);
        assert.equal(await output(false), "subdir\n");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });

  Deno.test({
    name: `vi edits a file with keys and saves it (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      const dir = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(join(dir, "notes.txt"), "first line\n");
        await using server = await TestServer.start({ env: mode.env, cwd: dir });
        const id = await startTty(server, "vi -n notes.txt", { cols: 80, rows: 24 });
        try {
          await waitForScreen(server, id, (s) => s.screen.startsWith("first line"));
          // Down to the end, open a line below, type, leave insert mode, write and quit.
          await server.ok("interact_with_job", { job_id: id, input: "Go", keys: [] });
          await server.ok("interact_with_job", {
            job_id: id,
            input: "typed by keys",
            keys: ["Escape"],
          });
          await server.ok("interact_with_job", {
            job_id: id,
            input: ":wq",
            keys: ["Enter"],
          });
          assert.equal((await server.waitForEnd(id)).status, "completed");
          assert.equal(
            await Deno.readTextFile(join(dir, "notes.txt")),
            "first line\ntyped by keys\n",
          );
        } finally {
          await killAndCheckGone(server, id);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });

  Deno.test({
    name: `top shows its header on the screen (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      await using server = await TestServer.start({ env: mode.env });
      const id = await startTty(server, "top -d 1");
      try {
        const shown = await waitForScreen(
          server,
          id,
          (s) => /^top - .*load average/.test(s.screen),
        );
        assert.match(shown.screen, /^Tasks: /m);
        assert.equal(shown.cols, 120);
        assert.equal(shown.rows, 40);
        await server.ok("interact_with_job", { job_id: id, input: "q", keys: [] });
        assert.equal((await server.waitForEnd(id)).status, "completed");
      } finally {
        await killAndCheckGone(server, id);
      }
    },
  });

  Deno.test({
    name:
      `C-c interrupts sleep under an interactive sh, which survives; a resize reaches tput (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      await using server = await TestServer.start({ env: mode.env });
      const id = await startTty(server, "sh -i", { env: { PS1: "prompt> " } });
      try {
        await waitForScreen(server, id, (s) => /prompt> ?$/.test(s.screen));
        await server.ok("interact_with_job", { job_id: id, input: "sleep 300; echo slept" });
        const interrupted = await server.ok<Answer>("interact_with_job", {
          job_id: id,
          keys: ["C-c"],
        });
        assert.doesNotMatch(interrupted.stdout, /slept/);
        const alive = await server.ok<Answer>("interact_with_job", {
          job_id: id,
          input: "echo alive-$((40 + 2))",
        });
        assert.match(alive.stdout, /alive-42/);
        const resized = await server.ok<Answer>("interact_with_job", {
          job_id: id,
          cols: 132,
          rows: 50,
          input: "echo size-$(tput cols)x$(tput lines)",
        });
        assert.match(resized.stdout, /size-132x50/);
        const screen = await server.ok<{ cols: number; rows: number }>("get_job_output", {
          job_id: id,
          screen: true,
        });
        assert.deepEqual([screen.cols, screen.rows], [132, 50]);
      } finally {
        await killAndCheckGone(server, id);
      }
    },
  });
}

Deno.test({
  name: "a contained tty job keeps MCP_BG_ALLOW_WRITE and MCP_BG_NETWORK=off",
  ignore: noContainment,
  async fn() {
    const dir = await Deno.makeTempDir();
    const outside = await Deno.makeTempDir();
    try {
      await Deno.mkdir(join(dir, "work"));
      await Deno.mkdir(join(dir, "allowed"));
      await using server = await TestServer.start({
        env: {
          ...CONTAINED,
          MCP_BG_WORKING_DIR: join(dir, "work"),
          MCP_BG_ALLOW_WRITE: join(dir, "allowed"),
          MCP_BG_NETWORK: "off",
        },
      });
      const id = await startTty(server, "sh -i", { env: { PS1: "prompt> " } });
      try {
        await waitForScreen(server, id, (s) => /prompt> ?$/.test(s.screen));
        const run = async (line: string) =>
          (await server.ok<Answer>("interact_with_job", { job_id: id, input: line })).stdout;
        assert.match(await run(`touch ${join(dir, "allowed", "a")} && echo W1-OK`), /W1-OK/);
        assert.match(await run(`touch ${join(outside, "b")} || echo W2-REFUSED`), /W2-REFUSED/);
        // The job's own network namespace: only a loopback interface.
        const interfaces = "echo net: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ')";
        assert.match(await run(interfaces), /net: lo\r?\n/);
      } finally {
        await killAndCheckGone(server, id);
      }
      assert.ok(await Deno.stat(join(dir, "allowed", "a")));
      await assert.rejects(Deno.stat(join(outside, "b")), Deno.errors.NotFound);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    }
  },
});
