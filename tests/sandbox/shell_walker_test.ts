import assert from "node:assert/strict";
import { analyzeShellLine } from "../../lib/sandbox/shell_walker.ts";
import { loadConfig } from "../../lib/settings/config.ts";
import { ConfigError } from "../../lib/errors.ts";

const names = (line: string) => analyzeShellLine(line).commands.map((command) => command.argv[0]);

Deno.test("analyzeShellLine() finds commands in pipelines, lists, subshells and substitutions", () => {
  assert.deepEqual(names("a | b && c || d; (e); { f; }"), ["a", "b", "c", "d", "e", "f"]);
  assert.deepEqual(names('echo $(g) `h` <(i) "$(j)"'), ["g", "h", "i", "j", "echo"]);
  assert.deepEqual(names("cat <<EOF\n$(k)\nEOF"), ["k", "cat"]);
  assert.deepEqual(names("if l; then m; elif n; then o; else p; fi"), ["l", "m", "n", "o", "p"]);
  assert.deepEqual(names("for x in $(q); do r; done; while s; do t; done"), ["q", "r", "s", "t"]);
});

Deno.test("analyzeShellLine() reports what it cannot prove safe", () => {
  const unsafe = (line: string, grammar: "bash" | "sh" = "bash") =>
    analyzeShellLine(line, grammar).unsafe;
  for (
    const line of [
      "eval x",
      "$cmd x",
      "f() { x; }",
      "PATH=/tmp x",
      "x=1; echo $((x))",
      "unset 'a[$(id)]'",
      "echo ${!x@P}",
      'echo "unclosed',
      "exec x",
      "source ./x",
    ]
  ) {
    assert.notDeepEqual(unsafe(line), [], `not flagged: ${line}`);
  }
  assert.deepEqual(unsafe("echo $'a'"), []);
  assert.match(unsafe("echo $'a'", "sh")[0]!, /bash-only/);
  assert.deepEqual(unsafe("ls -l | wc -l > out"), []);
});

Deno.test("loadConfig() validates MCP_BG_SHELL", () => {
  const config = loadConfig({ MCP_BG_SHELL: "sh", PATH: "/usr/bin:/bin" }, "/");
  assert.equal(config.shell?.grammar, "sh");
  assert.ok(config.shell?.path.startsWith("/"));
  assert.equal(loadConfig({}, "/").shell, undefined);
  assert.throws(
    () => loadConfig({ MCP_BG_SHELL: "/nonexistent/shell" }, "/"),
    (error) => error instanceof ConfigError && error.variable === "MCP_BG_SHELL",
  );
  assert.throws(() => loadConfig({ MCP_BG_SHELL: "sh", PATH: ".:/usr/bin" }, "/bin"), ConfigError);
});
