/**
 * The docs' marked snippets do what they say: every `json` block parses, every `sh run` block runs
 * in the checkout and exits 0, every `console check` block prints what it shows, and every client
 * snippet names the server `background-job`.
 */
import assert from "node:assert/strict";
import { allBlocks, CHECKOUT_PLACEHOLDER, commandsOf, pages, ROOT } from "./markdown_blocks.ts";
import { downloadEnv, run, type RunResult } from "../helpers/processes.ts";
import { locateProgram } from "../../lib/sandbox/program_path.ts";

const SERVER_NAME = "background-job";

/**
 * Runs `line` with sh in the checkout, as a user would type it there; `env` may give a `HOME` of
 * the test's own, so that what a snippet installs lands there.
 */
function runLine(line: string, env: Record<string, string> = {}): Promise<RunResult> {
  return run("sh", ["-c", line.replaceAll(CHECKOUT_PLACEHOLDER, ROOT)], {
    cwd: ROOT,
    env: { ...downloadEnv(), PATH: Deno.env.get("PATH") ?? "", ...env },
    clearEnv: true,
  });
}

Deno.test("every json block of the docs parses", () => {
  const blocks = allBlocks("json");
  assert.ok(blocks.length >= 5, `only ${blocks.length} json blocks found`);
  for (const block of blocks) {
    try {
      JSON.parse(block.text);
    } catch (error) {
      throw new Error(`${block.page}:${block.line}: ${error}`);
    }
  }
});

Deno.test("every client snippet names the server background-job", () => {
  const names: string[] = [];
  for (const page of pages()) {
    const text = Deno.readTextFileSync(`${ROOT}/${page}`);
    for (
      const match of text.matchAll(
        /\b(?:claude|gemini) mcp (?:add|remove)\s+(?:(?:-[-\w]+(?:[ =](?!-)\S+)?)\s+)*([\w.-]+)/g,
      )
    ) {
      names.push(`${page}: ${match[1]}`);
    }
  }
  for (const block of allBlocks("json")) {
    const parsed = JSON.parse(block.text);
    for (const servers of [parsed.mcpServers, parsed.servers]) {
      for (const name of Object.keys(servers ?? {})) names.push(`${block.page}: ${name}`);
    }
  }
  assert.ok(names.length >= 8, names.join("\n"));
  const others = names.filter((entry) => !entry.endsWith(`: ${SERVER_NAME}`));
  assert.deepEqual(others, [], `every client snippet should name the server ${SERVER_NAME}`);
});

Deno.test("every `console check` block prints what it shows", async () => {
  const blocks = allBlocks("console", "check");
  assert.ok(blocks.length >= 1, "no console check block (the --print-permissions example)");
  for (const block of blocks) {
    const lines = block.text.trimEnd().split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith("$ ")) continue;
      const expected: string[] = [];
      for (let j = i + 1; j < lines.length && !lines[j]!.startsWith("$ "); j++) {
        expected.push(lines[j]!);
      }
      const { code, stdout, stderr } = await runLine(lines[i]!.slice(2));
      assert.equal(code, 0, `${block.page}:${block.line}: ${stderr}`);
      assert.equal(
        stdout.trimEnd().replaceAll(ROOT, CHECKOUT_PLACEHOLDER),
        expected.join("\n"),
        `${block.page}:${block.line}: ${lines[i]}`,
      );
      // The same page's other copies of that list (a client line, a binary's permission set).
      const printed = /--allow-run=(\S+)/.exec(stdout)?.[1];
      if (printed === undefined) continue;
      const page = Deno.readTextFileSync(`${ROOT}/${block.page}`);
      // Lists naming kill are whole lines; `--allow-run=ls` alone is an example in the prose.
      for (
        const match of page.matchAll(
          /--allow-run=([\w.-]+,[\w,.-]*kill[\w,.-]*)|"run": \[([^\]]*)\]/g,
        )
      ) {
        const list = match[1] ?? match[2]!.replace(/[" ]/g, "");
        assert.equal(list, printed, `${block.page}: a copy of the printed --allow-run differs`);
      }
    }
  }
});

const SH_RUN = allBlocks("sh", "run");
// The Deno cache stays the user's, so a snippet run under a home of its own downloads nothing new.
const USER_HOME = Deno.env.get("HOME");
const DENO_DIR = Deno.env.get("DENO_DIR") ??
  (USER_HOME === undefined ? undefined : `${USER_HOME}/.cache/deno`);
// The programs the blocks find on PATH (a path such as ~/.deno/bin/… is one a block installs).
const NEEDS = [
  ...new Set(SH_RUN.flatMap((block) => commandsOf(block.text).map((line) => line.split(" ")[0]!))),
].filter((program) => !program.includes("/"));
const MISSING = NEEDS.filter((program) =>
  locateProgram(program, { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" }) === undefined
);
if (MISSING.length > 0) {
  console.log(`skipping the docs' sh run blocks: ${MISSING.join(", ")} not on PATH`);
}

Deno.test({
  name: "every `sh run` block runs in the checkout and exits 0",
  ignore: MISSING.length > 0,
  async fn() {
    assert.ok(SH_RUN.length >= 1, "no sh run block (the README's --doctor check)");
    for (const block of SH_RUN) {
      // A home of its own: `deno install -g` writes to ~/.deno/bin, not the user's.
      const home = await Deno.makeTempDir({ prefix: "mcp-bg-docs-home-" });
      try {
        for (const line of commandsOf(block.text)) {
          const { code, stderr, stdout } = await runLine(line, {
            HOME: home,
            ...(DENO_DIR === undefined ? {} : { DENO_DIR }),
          });
          assert.equal(code, 0, `${block.page}:${block.line}: ${line}\n${stdout}\n${stderr}`);
        }
      } finally {
        await Deno.remove(home, { recursive: true });
      }
    }
  },
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

function anchorsOf(page: string): Set<string> {
  const text = Deno.readTextFileSync(`${ROOT}/${page}`).replace(/^```[\s\S]*?^```$/gm, "");
  return new Set([...text.matchAll(/^#+ (.*)$/gm)].map((match) => anchorOf(match[1]!)));
}

Deno.test("every link between the pages leads to a page and a heading that exist", () => {
  const broken: string[] = [];
  for (const page of pages()) {
    const text = Deno.readTextFileSync(`${ROOT}/${page}`).replace(/^```[\s\S]*?^```$/gm, "");
    const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/") + 1) : "";
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split("#");
      const path = file === "" ? page : new URL(file!, `file:///${dir}`).pathname.slice(1);
      try {
        Deno.statSync(`${ROOT}/${path}`);
      } catch {
        // Not there: that is what this test looks for.
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && path.endsWith(".md") && !anchorsOf(path).has(anchor)) {
        broken.push(`${page}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("the README stays a landing page: its sections in order, and short", () => {
  const text = Deno.readTextFileSync(`${ROOT}/README.md`);
  const headings = [...text.matchAll(/^## (.*)$/gm)].map((match) => match[1]!);
  const expected = [
    "Where it works",
    "Install and run",
    "Add it to a client",
    "Check that it works",
    "Security at a glance",
    "Tools",
    "Documentation",
  ];
  assert.deepEqual(
    headings.filter((heading) => expected.includes(heading)),
    expected,
    "the README's sections, in the order a newcomer needs them",
  );
  const lines = text.split("\n").length;
  assert.ok(
    lines <= 260,
    `README.md has ${lines} lines: put the detail in a docs/ page and link it`,
  );
});
