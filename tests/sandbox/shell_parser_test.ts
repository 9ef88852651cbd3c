/**
 * The shell parser loads only for an allowlist in shell mode; until it is loaded, such an
 * allowlist refuses every line rather than letting one through unchecked. A test module runs in
 * an isolate of its own, so the first test here sees the parser not loaded yet.
 */
import assert from "node:assert/strict";
import { prepareCommand } from "../../lib/sandbox/command_check.ts";
import { loadShellParser } from "../../lib/sandbox/shell_parser.ts";
import { loadConfig } from "../../lib/settings/config.ts";

const OPTIONS = { cwd: "/", searchPath: "/usr/bin:/bin" };
const POLICY = loadConfig(
  { MCP_BG_SHELL: "/bin/sh", MCP_BG_ALLOWED_COMMANDS: "^echo ,^wc( |$)", PATH: "/usr/bin:/bin" },
  "/",
);

Deno.test("an allowlist in shell mode refuses every line while the parser is not loaded", () => {
  for (const line of ["echo hi", "echo hi | wc -l", "echo a; rm -rf /tmp/x"]) {
    assert.throws(() => prepareCommand(line, POLICY, OPTIONS), /shell parser is not loaded/);
  }
  // Without an allowlist nothing is parsed, so nothing waits for the parser.
  const open = loadConfig({ MCP_BG_SHELL: "/bin/sh" }, "/");
  assert.deepEqual(prepareCommand("echo hi | wc -l", open, OPTIONS), [
    "/bin/sh",
    "-c",
    "echo hi | wc -l",
  ]);
});

Deno.test("once loaded, the parser checks every program of a shell line", async () => {
  await loadShellParser();
  await loadShellParser(); // a second call is harmless
  assert.deepEqual(prepareCommand("echo hi | wc -l", POLICY, OPTIONS), [
    "/bin/sh",
    "-c",
    "echo hi | wc -l",
  ]);
  assert.throws(() => prepareCommand("echo hi | cat", POLICY, OPTIONS), /cat/);
  assert.throws(() => prepareCommand("echo a; rm -rf /tmp/x", POLICY, OPTIONS), /rm/);
});
