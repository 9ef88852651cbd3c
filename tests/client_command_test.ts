/**
 * The README's client configurations, started exactly as a client would start them: the command
 * line of each JSON example (checkout path filled in), spawned by the SDK's stdio client from a
 * directory other than the checkout, answers `tools/list`, and leaves nothing running.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolClient } from "./helpers/mcp_client.ts";
import { downloadEnv, killIfAlive, waitUntilGone } from "./helpers/processes.ts";
import { locateProgram } from "../lib/sandbox/program_path.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const README = await Deno.readTextFile(`${ROOT}/README.md`);
const CHECKOUT_PLACEHOLDER = "/path/to/mcp-background-job";

interface ClientEntry {
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

/** Every `background-job` entry of the README's JSON examples that names a checkout. */
function readmeEntries(): ClientEntry[] {
  const entries: ClientEntry[] = [];
  for (const block of README.matchAll(/```json\n([\s\S]*?)```/g)) {
    let parsed: Record<string, Record<string, ClientEntry>>;
    try {
      parsed = JSON.parse(block[1]!);
    } catch (error) {
      // Fragments such as a lone {"command": …} object with "…" are not whole configurations.
      if (error instanceof SyntaxError) continue;
      throw error;
    }
    const entry = (parsed.mcpServers ?? parsed.servers)?.["background-job"];
    if (entry?.args?.some((arg) => arg.startsWith(CHECKOUT_PLACEHOLDER))) entries.push(entry);
  }
  return entries;
}

const ENTRIES = readmeEntries();
const PATH = Deno.env.get("PATH") ?? "";
const missing = [...new Set(ENTRIES.map((entry) => entry.command))].filter((command) =>
  locateProgram(command, { cwd: "/", searchPath: PATH }) === undefined
);
if (missing.length > 0) {
  console.log(`skipping the README client command lines: ${missing.join(", ")} not on PATH`);
}

Deno.test("the README gives the same checkout command line to every client", () => {
  assert.equal(ENTRIES.length, 2, "expected the Claude Desktop/Cursor and the VS Code example");
  const lines = ENTRIES.map((entry) => [entry.command, ...entry.args].join(" "));
  assert.equal(new Set(lines).size, 1, lines.join("\n"));
  const claudeCode = /claude mcp add background-job[^\n]*\\\n\s*-- ([^\n]+)/.exec(README);
  assert.ok(claudeCode, "no Claude Code example with a checkout path");
  assert.equal(claudeCode[1], lines[0]);
  // The Quick start runs the same Deno the client examples name.
  const quickStart = README.slice(README.indexOf("## Quick start"));
  assert.ok(
    quickStart.includes(`${ENTRIES[0]!.command} ${ENTRIES[0]!.args.slice(0, 2).join(" ")}`),
  );
});

Deno.test({
  name: "each README client command line, started from another directory, answers tools/list",
  ignore: missing.length > 0,
  async fn() {
    for (const entry of ENTRIES) {
      const project = await Deno.makeTempDir({ prefix: "mcp-bg-client-" });
      const fill = (text: string) =>
        text.replace(CHECKOUT_PLACEHOLDER, ROOT).replace("/path/to/project", project)
          .replace("${workspaceFolder}", project);
      const env = Object.fromEntries(Object.entries(entry.env).map(([k, v]) => [k, fill(v)]));
      const transport = new StdioClientTransport({
        command: entry.command,
        args: entry.args.map(fill),
        // The job's $PPID must be a host pid: inside containment it would be the sandbox's init.
        env: { ...downloadEnv(), NO_COLOR: "1", MCP_BG_CONTAINMENT: "off", ...env },
        cwd: project,
        stderr: "pipe",
      });
      let stderr = "";
      transport.stderr?.on(
        "data",
        (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk),
      );
      const client = new Client({ name: "readme-client", version: "1.0.0" });
      let serverPid = 0;
      try {
        await client.connect(transport);
        const listed = (await client.listTools()).tools.map((tool) => tool.name);
        assert.ok(listed.includes("execute_command"), stderr);
        // The job's parent is the server itself, even when `npx` put a Node wrapper in between.
        const tools = new ToolClient(client);
        const id = await tools.start(`sh -c 'echo $PPID; pwd'`);
        await tools.waitForEnd(id);
        const { stdout } = await tools.ok<{ stdout: string }>("get_job_output", { job_id: id });
        const [ppid, pwd] = stdout.trim().split("\n");
        serverPid = Number(ppid);
        assert.equal(pwd, await Deno.realPath(project), "MCP_BG_WORKING_DIR from the example");
      } finally {
        const wrapperPid = transport.pid;
        await client.close();
        for (const pid of [serverPid, wrapperPid ?? 0].filter((pid) => pid > 0)) {
          try {
            await waitUntilGone(pid, 10_000);
          } finally {
            killIfAlive(pid);
          }
        }
        await Deno.remove(project, { recursive: true });
      }
    }
  },
});
