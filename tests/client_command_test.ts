/**
 * The docs' client configurations, started exactly as a client would start them: the command line
 * of each `json client` example (checkout path filled in), spawned by the SDK's stdio client from a
 * directory other than the checkout, answers `tools/list`, and leaves nothing running; the Gemini
 * CLI example is run by Gemini CLI itself (when installed), whose `gemini mcp list` must connect.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolClient } from "./helpers/mcp_client.ts";
import { HttpTestServer } from "./helpers/http_server.ts";
import { downloadEnv, isAlive, killIfAlive, run, waitUntilGone } from "./helpers/processes.ts";
import { locateProgram } from "../lib/sandbox/program_path.ts";

import { allBlocks, CHECKOUT_PLACEHOLDER, commandsOf, ROOT } from "./docs/markdown_blocks.ts";

const SERVER_NAME = "background-job";

interface ClientEntry {
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

/** Every `background-job` entry of the docs' `json client` blocks. */
function clientEntries(): ClientEntry[] {
  return allBlocks("json", "client").map((block) => {
    const parsed: Record<string, Record<string, ClientEntry>> = JSON.parse(block.text);
    const entry = (parsed.mcpServers ?? parsed.servers)?.[SERVER_NAME];
    assert.ok(entry, `${block.page}:${block.line}: no ${SERVER_NAME} entry`);
    return entry;
  });
}

/** `gemini mcp add …` or `claude mcp add …` lines of the docs' `sh client` blocks. */
function clientCommands(client: "claude" | "gemini"): string[] {
  return allBlocks("sh", "client").flatMap((block) => commandsOf(block.text))
    .filter((line) => line.startsWith(`${client} mcp add `));
}

const ENTRIES = clientEntries();
const PATH = Deno.env.get("PATH") ?? "";
const onPath = (program: string) =>
  locateProgram(program, { cwd: "/", searchPath: PATH }) !== undefined;
const missing = [...new Set(ENTRIES.map((entry) => entry.command))].filter((c) => !onPath(c));
if (missing.length > 0) {
  console.log(`skipping the docs' client command lines: ${missing.join(", ")} not on PATH`);
}
const NPX_LINE = `npx -y deno@${Deno.version.deno} run -A ${CHECKOUT_PLACEHOLDER}/main.ts`;
const DENO_LINE = `deno run -A ${CHECKOUT_PLACEHOLDER}/main.ts`;

Deno.test("the docs give every client the npx or the installed-deno command line", () => {
  const lines = ENTRIES.map((entry) => [entry.command, ...entry.args].join(" "));
  assert.ok(lines.filter((line) => line === NPX_LINE).length >= 2, lines.join("\n"));
  assert.ok(lines.includes(DENO_LINE), `no installed-deno example:\n${lines.join("\n")}`);
  for (const line of lines) assert.ok(line === NPX_LINE || line === DENO_LINE, line);
  const claude = clientCommands("claude");
  assert.ok(claude.length >= 1, "no Claude Code client example");
  for (const line of claude) assert.equal(line.split(" -- ")[1], NPX_LINE, line);
  const gemini = clientCommands("gemini");
  assert.ok(gemini.length >= 1, "no Gemini CLI client example");
  for (const line of gemini) {
    const [head, tail] = line.split(" -- ");
    assert.ok(tail !== undefined, `${line}: the server's arguments go after --`);
    // gemini mcp add [options] <name> <command> [-e …] -- <args>
    const words = head!.split(/\s+/).slice(3).filter((word, i, all) =>
      !word.startsWith("-") && !all[i - 1]?.match(/^(-e|--env|--timeout|-s|--scope)$/)
    );
    assert.equal(words[0], SERVER_NAME, line);
    assert.equal(`${words[1]} ${tail}`, NPX_LINE, line);
  }
  // The README's one command runs the same Deno the client examples name.
  const start = commandsOf(allBlocks("sh", "fresh-clone")[0]!.text)[0]!;
  assert.ok(NPX_LINE.startsWith(start.replace(" main.ts", "")), start);
});

Deno.test({
  name: "each docs client command line, started from another directory, answers tools/list",
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
      const client = new Client({ name: "docs-client", version: "1.0.0" });
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

/** Live processes whose working directory is `dir` or below (what a client left running there). */
function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      const cwd = Deno.readLinkSync(`/proc/${pid}/cwd`);
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && isAlive(pid)) found.push(pid);
    } catch (error) {
      // Gone meanwhile, or another user's process whose cwd is not ours to read.
      if (
        !(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied)
      ) {
        throw error;
      }
    }
  }
  return found;
}

const GEMINI_MISSING = ["gemini", "npx"].filter((program) => !onPath(program));
if (GEMINI_MISSING.length > 0) {
  console.log(
    `skipping the Gemini CLI example: ${GEMINI_MISSING.join(", ")} not on PATH ` +
      "(npm install -g @google/gemini-cli@0.61.0; .ci/run installs it)",
  );
}

Deno.test({
  name: "the docs' Gemini CLI command adds a server that gemini mcp list connects to",
  ignore: GEMINI_MISSING.length > 0,
  async fn() {
    await using gemini = await geminiSandbox({ MCP_BG_CONTAINMENT: "off" });
    for (const line of clientCommands("gemini")) {
      const filled = line.replaceAll(CHECKOUT_PLACEHOLDER, ROOT)
        .replaceAll("/path/to/project", gemini.project);
      const added = await gemini.sh(filled);
      assert.equal(added.code, 0, `${filled}\n${added.text}`);
      const { text } = await gemini.sh("gemini mcp list");
      assert.match(text, new RegExp(`✓ ${SERVER_NAME}: .*main\\.ts.* - Connected`), text);
      const settings = JSON.parse(
        await Deno.readTextFile(`${gemini.project}/.gemini/settings.json`),
      );
      assert.equal(settings.mcpServers[SERVER_NAME].env.MCP_BG_WORKING_DIR, gemini.project);
    }
  },
});

/** `gemini mcp add --transport http …` lines of the HTTP page's `sh` blocks. */
function geminiHttpCommands(): string[] {
  return allBlocks("sh").filter((block) => block.page === "docs/http.md")
    .flatMap((block) => commandsOf(block.text))
    .filter((line) => line.startsWith("gemini mcp add --transport http "));
}

Deno.test({
  name: "the HTTP page's Gemini CLI command connects to an --http server with its token",
  ignore: GEMINI_MISSING.length > 0,
  async fn() {
    const lines = geminiHttpCommands();
    assert.ok(lines.length >= 1, "no Gemini CLI line in docs/http.md");
    const token = "docs-gemini-http-token";
    await using server = await HttpTestServer.start({ env: { MCP_BG_HTTP_TOKEN: token } });
    await using gemini = await geminiSandbox({ MCP_BG_HTTP_TOKEN: token });
    for (const line of lines) {
      const added = await gemini.sh(line.replace("http://127.0.0.1:3939/mcp", server.url));
      assert.equal(added.code, 0, added.text);
      const { text } = await gemini.sh("gemini mcp list");
      assert.match(text, new RegExp(`✓ ${SERVER_NAME}: .* \\(http\\) - Connected`), text);
    }
  },
});

const CLAUDE_MISSING = ["claude", "npx"].filter((program) => !onPath(program));
if (CLAUDE_MISSING.length > 0) {
  console.log(
    `skipping the Claude Code examples: ${CLAUDE_MISSING.join(", ")} not on PATH ` +
      "(npm install -g @anthropic-ai/claude-code@2.1.197; .ci/run installs it)",
  );
}

/**
 * A private HOME and project for a client's command line (`claude`, `gemini`), and a way to run
 * its command lines there.
 */
async function clientSandbox(client: string, env: Record<string, string> = {}) {
  const home = await Deno.realPath(await Deno.makeTempDir({ prefix: `mcp-bg-${client}-home-` }));
  const project = await Deno.realPath(await Deno.makeTempDir({ prefix: `mcp-bg-${client}-` }));
  const sh = async (line: string) => {
    const done = await run("sh", ["-c", line], {
      cwd: project,
      env: { ...downloadEnv(), PATH, HOME: home, ...env },
      clearEnv: true,
      // A client that hangs fails this test instead of the whole suite.
      signal: AbortSignal.timeout(180_000),
    });
    return { code: done.code, text: done.stdout + done.stderr };
  };
  return {
    home,
    project,
    sh,
    /** What `claude mcp list` (which checks each server's health) says of ours. */
    claudeListed: async () => {
      const { text } = await sh("claude mcp list");
      return text.split("\n").find((line) => line.startsWith(`${SERVER_NAME}: `)) ?? text;
    },
    async [Symbol.asyncDispose]() {
      // The client stops the server it checked; whatever is left in the project would be a leak.
      for (const pid of processesIn(project)) {
        try {
          await waitUntilGone(pid, 30_000);
        } finally {
          killIfAlive(pid);
        }
      }
      await Deno.remove(project, { recursive: true });
      await Deno.remove(home, { recursive: true });
    },
  };
}

/** A sandbox for Gemini CLI whose project Gemini already trusts. */
async function geminiSandbox(env: Record<string, string>) {
  const sandbox = await clientSandbox("gemini", env);
  try {
    // What answering "trust this folder" on Gemini's first start in the project writes.
    await Deno.mkdir(`${sandbox.home}/.gemini`);
    await Deno.writeTextFile(
      `${sandbox.home}/.gemini/trustedFolders.json`,
      JSON.stringify({ [sandbox.project]: "TRUST_FOLDER" }),
    );
  } catch (error) {
    await sandbox[Symbol.asyncDispose]();
    throw error;
  }
  return sandbox;
}

Deno.test({
  name: "the docs' Claude Code command adds a server that claude mcp list connects to",
  ignore: CLAUDE_MISSING.length > 0,
  async fn() {
    const lines = clientCommands("claude");
    assert.ok(lines.length >= 1);
    await using claude = await clientSandbox("claude", { MCP_BG_CONTAINMENT: "off" });
    for (const line of lines) {
      const filled = line.replaceAll(CHECKOUT_PLACEHOLDER, ROOT)
        .replaceAll("/path/to/project", claude.project);
      const added = await claude.sh(filled);
      assert.equal(added.code, 0, `${filled}\n${added.text}`);
      assert.match(await claude.claudeListed(), /main\.ts.* - ✔ Connected$/);
      assert.equal((await claude.sh(`claude mcp remove ${SERVER_NAME}`)).code, 0);
    }
  },
});

/** `claude mcp add --transport http …` lines of the HTTP page's `sh` blocks. */
function claudeHttpCommands(): string[] {
  return allBlocks("sh").filter((block) => block.page === "docs/http.md")
    .flatMap((block) => commandsOf(block.text))
    .filter((line) => line.startsWith("claude mcp add --transport http "));
}

Deno.test({
  name:
    "the --http start-up line and the HTTP page's Claude Code lines connect; a wrong token fails",
  ignore: CLAUDE_MISSING.length > 0,
  async fn() {
    // No token set: the server generates one and prints the line to paste.
    await using server = await HttpTestServer.start();
    const printed = /claude mcp add --transport http .*"$/m.exec(server.stderr)?.[0];
    assert.ok(printed !== undefined, server.stderr);
    const docs = claudeHttpCommands();
    assert.ok(docs.length >= 2, "docs/http.md: the generated-token and own-token lines");
    const atServer = (line: string) => line.replace("http://127.0.0.1:3939/mcp", server.url);
    await using claude = await clientSandbox("claude", {
      XDG_RUNTIME_DIR: server.runtimeDir,
      MCP_BG_HTTP_TOKEN: server.token!,
    });
    for (const line of [printed, ...docs.map(atServer)]) {
      const added = await claude.sh(line);
      assert.equal(added.code, 0, `${line}\n${added.text}`);
      assert.match(await claude.claudeListed(), /\(HTTP\) - ✔ Connected$/, line);
      assert.equal((await claude.sh(`claude mcp remove ${SERVER_NAME}`)).code, 0);
    }
    const wrong = printed.replace(server.token!, `${server.token!.slice(0, -1)}x`);
    assert.equal((await claude.sh(wrong)).code, 0);
    assert.match(await claude.claudeListed(), /\(HTTP\) - ✘ Failed to connect$/);
  },
});
