/**
 * Wall 1 under attack: each line below would create a marker file if any part of it ran a
 * program the allowlist does not allow. Every attack is either refused or runs inertly, and
 * the marker never appears.
 */
import assert from "node:assert/strict";
import { TestServer, type ToolOutcome } from "../helpers/mcp_client.ts";
import { exists } from "../helpers/files.ts";

const MARKER = "marker";

async function which(name: string): Promise<string> {
  const { stdout } = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`] }).output();
  return new TextDecoder().decode(stdout).trim();
}

/** A temp tree: `work/` (the jobs' directory), `bin/ls` and `work/ls` both links to `touch`. */
async function sandboxDir(): Promise<{ root: string; work: string } & AsyncDisposable> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-wall1-" }));
  const work = `${root}/work`;
  await Deno.mkdir(work);
  await Deno.mkdir(`${root}/bin`);
  const touch = await which("touch");
  await Deno.symlink(touch, `${root}/bin/ls`);
  await Deno.symlink(touch, `${work}/ls`);
  await Deno.copyFile(touch, `${work}/echo`);
  return {
    root,
    work,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** Runs `command`; when it is accepted, waits until it ends. */
async function attempt(server: TestServer, command: string): Promise<ToolOutcome> {
  const outcome = await server.call("execute_command", { command });
  if (!outcome.isError) await server.waitForEnd((outcome.data as { job_id: string }).job_id);
  return outcome;
}

/** Tries every attack and checks that none created the marker; returns the outcomes. */
async function assertNothingRan(
  server: TestServer,
  work: string,
  attacks: readonly string[],
): Promise<Map<string, ToolOutcome>> {
  const outcomes = new Map<string, ToolOutcome>();
  for (const attack of attacks) {
    outcomes.set(attack, await attempt(server, attack));
    assert.equal(await exists(`${work}/${MARKER}`), false, `marker created by: ${attack}`);
  }
  return outcomes;
}

function assertRefused(outcomes: Map<string, ToolOutcome>, attacks: readonly string[]): void {
  for (const attack of attacks) {
    const outcome = outcomes.get(attack)!;
    assert.ok(outcome.isError, `not refused: ${JSON.stringify(attack)}`);
    assert.match(outcome.text, /^(Invalid command: |Cannot start )/, outcome.text);
  }
}

Deno.test("direct mode: shell syntax, wrappers, paths, links and case tricks never run a program", async () => {
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_ALLOWED_COMMANDS: "^ls ,^echo " },
  });
  // The positive control: the same marker through an allowed program does appear.
  const control = await server.start(`echo made`);
  assert.equal((await server.waitForEnd(control)).status, "completed");

  const inert = [
    `ls ; touch ${MARKER}`,
    `ls && touch ${MARKER}`,
    `ls || touch ${MARKER}`,
    `ls | touch ${MARKER}`,
    `ls $(touch ${MARKER})`,
    `ls \`touch ${MARKER}\``,
    `echo ; touch ${MARKER}`,
  ];
  const refused = [
    `ls\ntouch ${MARKER}`,
    `ls \rtouch ${MARKER}`,
    `ls x\0touch ${MARKER}`,
    `sh -c "touch ${MARKER}"`,
    `env X=1 touch ${MARKER}`,
    `/usr/bin/touch ${MARKER}`,
    `/bin/touch ${MARKER}`,
    `./ls ${MARKER}`,
    `../bin/ls ${MARKER}`,
    `./echo ${MARKER}`,
    `LS ${MARKER}`,
    `Ls ${MARKER}`,
    `'touch' ${MARKER}`,
    `touch ${MARKER} ls `,
  ];
  const outcomes = await assertNothingRan(server, dir.work, [...inert, ...refused]);
  assertRefused(outcomes, refused);
  for (const attack of inert) assert.equal(outcomes.get(attack)!.isError, false, attack);
});

Deno.test("a loose pattern still has to name each program where it stands", async () => {
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: {
      MCP_BG_WORKING_DIR: dir.work,
      MCP_BG_ALLOWED_COMMANDS: String.raw`ls,echo,^\./ls ,^\.\./bin/ls `,
    },
  });
  const refused = [
    `touch ${MARKER} ls`,
    `touch ls${MARKER}`,
    `./ls ${MARKER}`,
    `../bin/ls ${MARKER}`,
    `${dir.root}/bin/ls ${MARKER}`,
    `lsx ${MARKER}`,
    `/usr/bin/touch ls ${MARKER}`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  assertRefused(outcomes, refused);
  // Named as written, but a link to another program: refused for what it really is.
  assert.match(outcomes.get(`./ls ${MARKER}`)!.text, /is a link to ".*touch"/);
  assert.match(outcomes.get(`../bin/ls ${MARKER}`)!.text, /is a link to ".*touch"/);
  // The real ls, by any path that is the same file, is what `ls` names.
  const real = await Deno.realPath(await which("ls"));
  const id = await server.start(`${real} -d .`);
  assert.equal((await server.waitForEnd(id)).status, "completed");
});

Deno.test("a catch-all pattern does not let program runners through", async () => {
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_ALLOWED_COMMANDS: ".*" },
  });
  const refused = [
    `sh -c "touch ${MARKER}"`,
    `bash -c "touch ${MARKER}"`,
    `env touch ${MARKER}`,
    `env X=1 touch ${MARKER}`,
    `nice touch ${MARKER}`,
    `timeout 5 touch ${MARKER}`,
    `nohup touch ${MARKER}`,
    `xargs touch ${MARKER}`,
    `setsid touch ${MARKER}`,
    `stdbuf -o0 touch ${MARKER}`,
    `find . -maxdepth 0 -exec touch ${MARKER} ;`,
    `find . -maxdepth 0 -execdir touch ${MARKER} ;`,
    `python3 -c "open('${MARKER}', 'w')"`,
    `perl -e "open(F, '>${MARKER}')"`,
    `awk "BEGIN { system(\\"touch ${MARKER}\\") }"`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  for (const attack of refused) {
    const outcome = outcomes.get(attack)!;
    // A program that is not installed here is refused too, just with a different message.
    assert.ok(outcome.isError, `not refused: ${attack}`);
  }
  assert.match(outcomes.get(`env touch ${MARKER}`)!.text, /"env" runs other programs/);
});

Deno.test("a program runner named explicitly is allowed", async () => {
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_ALLOWED_COMMANDS: "^env " },
  });
  const id = await server.start(`env X=1 touch ${MARKER}`);
  assert.equal((await server.waitForEnd(id)).status, "completed");
  assert.equal(await exists(`${dir.work}/${MARKER}`), true);
});

Deno.test("shell mode: every command in the line must be allowed", async () => {
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: {
      MCP_BG_WORKING_DIR: dir.work,
      MCP_BG_SHELL: "bash",
      MCP_BG_ALLOWED_COMMANDS: "^ls( |$),^echo( |$),^wc ",
    },
  });
  const id = await server.start("ls -a | wc -l && echo done");
  assert.equal((await server.waitForEnd(id)).status, "completed");
  const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
  assert.match(output.stdout, /done\n$/);

  const refused = [
    `ls; touch ${MARKER}`,
    `ls && touch ${MARKER}`,
    `ls || touch ${MARKER}`,
    `false || touch ${MARKER}`,
    `ls | touch ${MARKER}`,
    `echo $(touch ${MARKER})`,
    `echo \`touch ${MARKER}\``,
    `echo "$(touch ${MARKER})"`,
    `echo <(touch ${MARKER})`,
    `ls\ntouch ${MARKER}`,
    `ls x\0; touch ${MARKER}`,
    `(touch ${MARKER})`,
    `{ touch ${MARKER}; }`,
    `eval touch ${MARKER}`,
    `ls; sh -c 'touch ${MARKER}'`,
    `echo x; env touch ${MARKER}`,
    `ls; /usr/bin/touch ${MARKER}`,
    `ls; ./ls ${MARKER}`,
    `ls; t=touch; $t ${MARKER}`,
    `ls; f() { touch ${MARKER}; }; f`,
    `echo $((x)) ; touch ${MARKER}`,
    `ls; PATH=${dir.root}/bin ls ${MARKER}`,
    `echo "unclosed`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  assertRefused(outcomes, refused);
});

Deno.test("shell mode with a POSIX sh refuses bash-only syntax the sh would read differently", async () => {
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: {
      MCP_BG_WORKING_DIR: dir.work,
      MCP_BG_SHELL: "/bin/sh",
      MCP_BG_ALLOWED_COMMANDS: "^echo ",
    },
  });
  // bash reads one echo here; dash reads `echo $\'`, then runs `touch marker`.
  const attack = `echo $'\\' ; touch ${MARKER} ; echo \\'' #'`;
  const outcomes = await assertNothingRan(server, dir.work, [attack]);
  assertRefused(outcomes, [attack]);
  assert.match(outcomes.get(attack)!.text, /bash-only syntax/);
});

Deno.test("the denylist answers a crafted line at once: no pattern backtracks", async () => {
  // Each line made an old denylist pattern backtrack: 2^n steps for the repeated `-rf `
  // (26 of them took 22 s), n^2 for the others. A blocked event loop stops every job and
  // client, so the call would hit the client's request timeout instead of answering.
  await using server = await TestServer.start({
    permissions: ["--allow-read", "--allow-env", "--allow-run=echo"],
  });
  const lines = [
    `echo rm ${"-rf ".repeat(64)}x`,
    `echo rm -${"r".repeat(100_000)} x`,
    `echo ${"rm -rm ".repeat(20_000)}x`,
    `echo chmod -${"R".repeat(100_000)} x`,
    `echo dd ${" ".repeat(100_000)}x`,
    `echo :(){ ${":|:".repeat(30_000)}`,
  ];
  for (const line of lines) {
    const id = await server.start(line);
    assert.equal((await server.waitForEnd(id)).status, "completed");
  }
  // Widened, never narrowed: every shape the old patterns refused is still refused.
  for (const line of ["rm -rf /", "/usr/bin/rm -rf /", "rm -r --force /*", "chown -R me /"]) {
    const outcome = await server.call("execute_command", { command: line });
    assert.match(outcome.text, /^Invalid command: Command contains dangerous pattern/, line);
  }
});

Deno.test("shell mode: a line cannot rebind PATH, the command hash or a name bash evaluates", async () => {
  // `work/ls` is a link to touch: any of these, if it ran, would make `ls marker` touch it.
  await using dir = await sandboxDir();
  await using server = await TestServer.start({
    env: {
      MCP_BG_WORKING_DIR: dir.work,
      MCP_BG_SHELL: "bash",
      MCP_BG_ALLOWED_COMMANDS: "^ls( |$),^echo( |$),^read ,^printf ,^unset ,^wait ,^getopts ",
    },
  });
  const refused = [
    `ls; for PATH in .; do ls ${MARKER}; done`,
    `ls; BASH_CMDS=([ls]=./ls); ls ${MARKER}`,
    `ls; BASH_CMDS[ls]=./ls; ls ${MARKER}`,
    `read PATH <<< .; ls ${MARKER}`,
    `printf -v PATH %s .; ls ${MARKER}`,
    `printf -vPATH %s .; ls ${MARKER}`,
    `printf -v'a[$(touch ${MARKER})]' %s 1`,
    `wait -p PATH; ls ${MARKER}`,
    `getopts a PATH -a; ls ${MARKER}`,
    `unset PATH; ls ${MARKER}`,
    `echo \${PATH:=.}; ls ${MARKER}`,
    `echo 1; x='a[$(touch ${MARKER})]'; echo \${!x}`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  assertRefused(outcomes, refused);
  assert.match(outcomes.get(`unset PATH; ls ${MARKER}`)!.text, /sensitive variable PATH/);
  // Names that are not sensitive still work, and so do array keys and name lists.
  const id = await server.start("read -r a b <<< 'x y'; echo ${!BASH_VERSINFO[@]} ${x:=1}");
  assert.equal((await server.waitForEnd(id)).status, "completed");
});

Deno.test("shell mode: find with an argument only the shell expands may be find -exec", async () => {
  await using dir = await sandboxDir();
  await Deno.writeTextFile(`${dir.work}/-exec`, "");
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_SHELL: "bash", MCP_BG_ALLOWED_COMMANDS: "^find " },
  });
  const refused = [
    `find . -maxdepth 0 \${u}-exec touch ${MARKER} \\;`,
    `find . -maxdepth 0 -exe[c] touch ${MARKER} \\;`,
    `find . -maxdepth 0 -ex?c touch ${MARKER} \\;`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  assertRefused(outcomes, refused);
  assert.match(outcomes.get(refused[0]!)!.text, /only the shell expands may be "-exec"/);
  const id = await server.start(`find . -maxdepth 1 -name '*.ts'`);
  assert.equal((await server.waitForEnd(id)).status, "completed");
});

Deno.test("shell mode: a relative program path is refused in a line that changes directory", async () => {
  // `work/tool` is what the check sees; `work/sub/tool`, a link to touch, is what `cd` runs.
  await using dir = await sandboxDir();
  await Deno.writeTextFile(`${dir.work}/tool`, "#!/bin/sh\n");
  await Deno.chmod(`${dir.work}/tool`, 0o755);
  await Deno.mkdir(`${dir.work}/sub`);
  await Deno.symlink(await which("touch"), `${dir.work}/sub/tool`);
  await using server = await TestServer.start({
    env: {
      MCP_BG_WORKING_DIR: dir.work,
      MCP_BG_SHELL: "bash",
      MCP_BG_ALLOWED_COMMANDS: String.raw`^cd ,^pushd ,^\./tool `,
    },
  });
  const refused = [
    `cd sub && ./tool ../${MARKER}`,
    `pushd sub; ./tool ../${MARKER}`,
    `./tool x; cd sub; ./tool ../${MARKER}`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  assertRefused(outcomes, refused);
  assert.match(outcomes.get(refused[0]!)!.text, /relative program path \.\/tool .* cd/);
  const id = await server.start("./tool x");
  assert.equal((await server.waitForEnd(id)).status, "completed");
});

Deno.test("a catch-all pattern does not name a file in the project (a copy of a shell, say)", async () => {
  // An earlier job could have written these: `work/x`, a copy of sh; `work/echo`, of touch.
  await using dir = await sandboxDir();
  await Deno.copyFile(await Deno.realPath(await which("sh")), `${dir.work}/x`);
  await Deno.link(`${dir.work}/x`, `${dir.work}/hard`);
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_ALLOWED_COMMANDS: String.raw`.*,^\S+ -c` },
  });
  const refused = [
    `./x -c "touch ${MARKER}"`,
    `./hard -c "touch ${MARKER}"`,
    `${dir.work}/x -c "touch ${MARKER}"`,
    `./echo ${MARKER}`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  assertRefused(outcomes, refused);
  assert.match(outcomes.get(refused[0]!)!.text, /must spell a path's file name/);
  // The real programs by path are still named by the catch-all.
  const real = await Deno.realPath(await which("ls"));
  const id = await server.start(`${real} -d .`);
  assert.equal((await server.waitForEnd(id)).status, "completed");
});

Deno.test("a job's env cannot make a strictly allowed program run another one", async () => {
  // `tar -tf a.tar` only lists; TAR_OPTIONS would add --checkpoint-action=exec=<program>.
  await using dir = await sandboxDir();
  await Deno.writeTextFile(`${dir.work}/file`, "x");
  await Deno.writeTextFile(`${dir.work}/mk`, `#!/bin/sh\ntouch ${dir.work}/${MARKER}\n`);
  await Deno.chmod(`${dir.work}/mk`, 0o755);
  const made = await new Deno.Command("tar", { args: ["-cf", "a.tar", "file"], cwd: dir.work })
    .output();
  assert.equal(made.code, 0);
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_ALLOWED_COMMANDS: String.raw`^tar -tf a\.tar$` },
  });
  const exec = `--checkpoint=1 --checkpoint-action=exec=${dir.work}/mk`;
  const attacks: Record<string, string>[] = [
    { TAR_OPTIONS: exec },
    { tar_options: exec },
    { MAKEFLAGS: "SHELL=./mk" },
    { XDG_CONFIG_HOME: dir.work },
    { npm_config_script_shell: "./mk" },
    { LESSOPEN: "|./mk %s" },
  ];
  for (const env of attacks) {
    const outcome = await server.call("execute_command", { command: "tar -tf a.tar", env });
    if (!outcome.isError) await server.waitForEnd((outcome.data as { job_id: string }).job_id);
    assert.equal(await exists(`${dir.work}/${MARKER}`), false, JSON.stringify(env));
    assert.match(
      outcome.text,
      /^Invalid command: Environment variable ".*" changes which programs/,
    );
  }
  const fine = await server.call("execute_command", {
    command: "tar -tf a.tar",
    env: { NODE_ENV: "test", PORT: "3000" },
  });
  assert.equal(fine.isError, false, fine.text);
  await server.waitForEnd((fine.data as { job_id: string }).job_id);
});

Deno.test("a catch-all pattern does not let tools through whose options run programs", async () => {
  await using dir = await sandboxDir();
  await Deno.writeTextFile(`${dir.work}/file`, "x\n");
  await using server = await TestServer.start({
    env: { MCP_BG_WORKING_DIR: dir.work, MCP_BG_ALLOWED_COMMANDS: ".*" },
  });
  const refused = [
    `git -c alias.x=!touch\\ ${MARKER} x`,
    `sed -n "1e touch ${MARKER}" file`,
    `tar -cf /dev/null --checkpoint=1 --checkpoint-action=exec=touch\\ ${MARKER} file`,
  ];
  const outcomes = await assertNothingRan(server, dir.work, refused);
  for (const attack of refused) {
    // Where a tool is not installed here it is refused too, just with another message.
    assert.ok(outcomes.get(attack)!.isError, `not refused: ${attack}`);
  }
  assert.match(outcomes.get(refused[1]!)!.text, /"sed" runs other programs/);
});

Deno.test("shell mode: a line too long to parse quickly is refused before parsing", async () => {
  await using server = await TestServer.start({
    env: { MCP_BG_SHELL: "bash", MCP_BG_ALLOWED_COMMANDS: "^echo " },
  });
  const line = `echo ${"$(".repeat(10_000)}`;
  const outcome = await server.call("execute_command", { command: line });
  assert.match(
    outcome.text,
    /^Invalid command: Shell line is too long to check \(20005 characters/,
  );
  const id = await server.start(`echo ${"a".repeat(10_000)}`);
  assert.equal((await server.waitForEnd(id)).status, "completed");
});
