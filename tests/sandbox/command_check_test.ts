import assert from "node:assert/strict";
import { prepareCommand } from "../../lib/sandbox/command_check.ts";
import { quoteWord, splitCommandLine } from "../../lib/sandbox/command_line.ts";
import { loadConfig } from "../../lib/settings/config.ts";

const OPTIONS = { cwd: "/", searchPath: "/usr/bin:/bin" };
const OPEN = loadConfig({}, "/");
const STRICT = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^echo( |$),^rm " }, "/");

/** The message `prepareCommand` refuses `line` with, or `undefined` when it passes. */
function refusal(
  line: string,
  config = STRICT,
  env?: Record<string, string>,
): string | undefined {
  try {
    prepareCommand(line, config, { ...OPTIONS, env });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

Deno.test("prepareCommand refuses with the first failing rule, in the numbered order", () => {
  const empty = "Invalid command: Command cannot be empty";
  // Rule 1 comes before everything, with or without an allowlist.
  for (const config of [OPEN, STRICT]) {
    assert.equal(refusal("", config), empty);
    assert.equal(refusal(" \t\n\v ", config), empty);
    assert.equal(refusal("echo a\0b\n", config), "Invalid command: Command contains a NUL byte");
    // The split comes next: before the control character check.
    assert.equal(refusal("echo 'a\nb", config), "Invalid command: No closing quotation");
  }
  // Rule 2 only with an allowlist.
  assert.equal(refusal("echo a\nb"), 'Invalid command: Command contains control character "\\n"');
  assert.equal(refusal("echo a\nb", OPEN), undefined);
  // Rule 3 before rule 4.
  assert.match(refusal("ls", STRICT, { PATH: "/tmp" })!, /^Invalid command: Environment variable/);
  assert.equal(refusal("ls"), "Invalid command: Command not in allowed patterns: ls");
  // Rule 4 before rule 5; rule 5 with or without an allowlist.
  assert.equal(
    refusal("mkfs /dev/x"),
    "Invalid command: Command not in allowed patterns: mkfs /dev/x",
  );
  const dangerous =
    "Invalid command: Command contains dangerous pattern and is not allowed: rm -rf /";
  assert.equal(refusal("rm -rf /"), dangerous);
  assert.equal(refusal("rm -rf /", OPEN), dangerous);
  // Rules 6 and 8 last, per program.
  const loose = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "hi,.*" }, "/");
  assert.equal(
    refusal("echo hi", loadConfig({ MCP_BG_ALLOWED_COMMANDS: "hi" }, "/")),
    'Invalid command: Program "echo" is not allowed: no allowed pattern names it in: echo hi',
  );
  assert.equal(
    refusal("env ls", loose),
    'Invalid command: Program "env" is not allowed: "env" runs other programs, so a pattern ' +
      "must name it explicitly",
  );
});

Deno.test("prepareCommand returns the split line, or the shell's argv in shell mode", () => {
  assert.deepEqual(prepareCommand(`echo "a b"`, OPEN, OPTIONS), ["echo", "a b"]);
  const shell = loadConfig({ MCP_BG_SHELL: "/bin/sh" }, "/");
  const [path, ...rest] = prepareCommand("echo a | wc -l", shell, OPTIONS);
  assert.equal(path, "/bin/sh");
  assert.deepEqual(rest, ["-c", "echo a | wc -l"]);
});

Deno.test("quoteWord writes a word the split reads back unchanged", () => {
  for (const word of ["ls", "", "a b", "it's", "'", `"$x"`, "a\\b", "é", "\t"]) {
    assert.deepEqual(splitCommandLine(quoteWord(word)), [word], JSON.stringify(word));
  }
});
