/**
 * A terminal job's terminal is its own: no other job inherits it, a contained job cannot open or
 * type into another's, and typing into its own (TIOCSTI) reaches only itself. Its processes end
 * with it, with the server, and leave no descriptor behind.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment, removeFilterDirectoryOf } from "../helpers/containment.ts";
import { killAndCheckGone, startTty } from "../helpers/terminal.ts";
import { commandLineOf, descendantsOf, killIfAlive, waitUntilGone } from "../helpers/processes.ts";

// The programs the two tty jobs of the server-SIGKILL test run, by their command lines (python3
// may be a launcher's, which runs the real one by its full path).
const PROGRAMS = [/^sleep 310$/, /^sleep 311$/, /(^|\/)python3 -q$/];

// Lists its descriptors, tries to open another terminal, types into its own with TIOCSTI (on
// stdin and on /dev/tty), then reads what arrived.
const PROBE = `
import fcntl, os, sys, termios
fds = []
for f in os.listdir('/proc/self/fd'):
    try:
        fds.append(os.readlink('/proc/self/fd/' + f))
    except OSError:
        pass
print('FDS', sorted(fds))
try:
    os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
    print('OPENED-OTHER')
except OSError as error:
    print('OTHER-REFUSED', error.errno)
typed = 0
for where in ('stdin', '/dev/tty'):
    try:
        fd = 0 if where == 'stdin' else os.open(where, os.O_RDWR)
        for ch in 'INJECTED-' + where + '\\n':
            fcntl.ioctl(fd, termios.TIOCSTI, ch.encode())
        typed += 1
        print('TYPED', where)
    except OSError as error:
        print('TIOCSTI-REFUSED', where, error.errno)
for _ in range(typed):
    print('READ-BACK', input())
print('DONE')
`;

/** The terminal a job's process has as stdin, seen from the host (e.g. /dev/pts/3). */
function terminalOf(pid: number): string {
  return Deno.readLinkSync(`/proc/${pid}/fd/0`);
}

for (
  const mode of [
    { label: "uncontained", env: {}, ignore: false },
    { label: "contained", env: CONTAINED, ignore: noContainment },
  ] as const
) {
  Deno.test({
    name:
      `no job inherits a tty job's terminal, and TIOCSTI only types into the job's own (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      const dir = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(join(dir, "probe.py"), PROBE);
        await using server = await TestServer.start({ env: mode.env, cwd: dir });
        // The target: a terminal that shows whatever is typed into it.
        const target = await startTty(server, "cat");
        try {
          const { pid } = await server.ok<{ pid: number }>("get_job_status", { job_id: target });
          const targetTerminal = terminalOf(pid);
          for (const tty of [true, false]) {
            const { job_id } = await server.ok<{ job_id: string }>("execute_command", {
              command: `python3 probe.py ${targetTerminal}`,
              tty,
              ...(tty ? {} : { stdin: "closed" }),
            });
            assert.equal((await server.waitForEnd(job_id, 30_000)).status, "completed");
            const { stdout } = await server.ok<{ stdout: string }>("get_job_output", { job_id });
            assert.doesNotMatch(stdout, /ptmx/, `a job holds a terminal's master side: ${stdout}`);
            assert.ok(!stdout.includes(`'${targetTerminal}'`), stdout);
            if (mode.env === CONTAINED) assert.match(stdout, /OTHER-REFUSED/);
            if (tty) {
              // Typed into its own terminal, read back by itself.
              assert.match(stdout, /READ-BACK INJECTED-stdin/);
            } else {
              assert.match(stdout, /TIOCSTI-REFUSED stdin/);
              if (mode.env === CONTAINED) assert.match(stdout, /TIOCSTI-REFUSED \/dev\/tty/);
            }
            assert.match(stdout, /DONE/);
          }
          const { stdout } = await server.ok<{ stdout: string }>("get_job_output", {
            job_id: target,
          });
          assert.doesNotMatch(stdout, /INJECTED/);
        } finally {
          await killAndCheckGone(server, target);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });

  Deno.test({
    name: `SIGKILL of the server ends its tty jobs and what they started (${mode.label})`,
    ignore: mode.ignore,
    async fn() {
      const server = await TestServer.start({ env: mode.env });
      const serverPid = server.pid;
      const pids: number[] = [];
      try {
        for (const command of ["sh -c 'sleep 310 & sleep 311'", "python3 -q"]) {
          const id = await startTty(server, command);
          const { pid } = await server.ok<{ pid: number }>("get_job_status", { job_id: id });
          pids.push(pid);
        }
        // Every process of both jobs, found from the host once the three programs have started:
        // without them, "every process is gone" below would check only the leaders. The check
        // and the pids come from one look (a launcher such as pyenv's execs python3 in place, so
        // its name changes on the way while its pid stays).
        let tree: number[] = [];
        let lines: string[] = [];
        const started = () => {
          tree = pids.flatMap(descendantsOf);
          lines = [...pids, ...tree].map(commandLineOf);
          return PROGRAMS.every((program) => lines.some((line) => program.test(line)));
        };
        let found = started();
        for (let i = 0; i < 500 && !found; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          found = started();
        }
        assert.ok(found, `not all started: ${lines.join("; ")}`);
        pids.push(...tree);
        Deno.kill(serverPid, "SIGKILL");
        await waitUntilGone(serverPid);
        removeFilterDirectoryOf(serverPid);
        for (const pid of pids) await waitUntilGone(pid, 20_000);
      } finally {
        pids.forEach(killIfAlive);
        killIfAlive(serverPid);
        await server.client.close();
      }
    },
  });
}

Deno.test("100 tty jobs started and killed leave no process and no descriptor behind", async () => {
  await using server = await TestServer.start({ env: { MCP_BG_MAX_JOBS: "100" } });
  // The server makes itself non-dumpable: its /proc/<pid>/fd is open to root only. A non-root run
  // checks the processes, and says that it cannot count the descriptors.
  const fdsVisible = (() => {
    try {
      Deno.readDirSync(`/proc/${server.pid}/fd`);
      return true;
    } catch (error) {
      if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
      console.log(`descriptors not counted: /proc/${server.pid}/fd is closed to uid ${Deno.uid()}`);
      return false;
    }
  })();
  const descriptors = () => fdsVisible ? [...Deno.readDirSync(`/proc/${server.pid}/fd`)].length : 0;
  const masters = (expected: number) =>
    fdsVisible
      ? [...Deno.readDirSync(`/proc/${server.pid}/fd`)].filter((entry) => {
        try {
          return Deno.readLinkSync(`/proc/${server.pid}/fd/${entry.name}`) === "/dev/ptmx";
        } catch {
          // Closed while listed.
          return false;
        }
      }).length
      : expected;
  // One job first: loading the addon opens what it keeps for good.
  await killAndCheckGone(server, await startTty(server, "sleep 300"));
  const before = descriptors();
  const ids: string[] = [];
  const pids: number[] = [];
  try {
    for (let i = 0; i < 100; i++) ids.push(await startTty(server, "sleep 300"));
    for (const id of ids) {
      pids.push((await server.ok<{ pid: number }>("get_job_status", { job_id: id })).pid);
    }
    assert.equal(masters(100), 100);
    await Promise.all(ids.map((id) => server.ok("kill_job", { job_id: id })));
    for (const pid of pids) await waitUntilGone(pid);
    for (const id of ids) {
      assert.equal((await server.ok("get_job_status", { job_id: id })).status, "killed");
    }
    assert.equal(masters(0), 0);
    assert.ok(descriptors() <= before, `${descriptors()} descriptors, ${before} before`);
  } finally {
    pids.forEach(killIfAlive);
  }
});
