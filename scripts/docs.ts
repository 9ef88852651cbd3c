/**
 * `deno task docs`: rewrites the generated parts of the documentation from their sources of
 * truth, so the pages cannot drift from the code:
 *
 * - `docs/configuration.md`: the environment variables and flags, from the tables that drive
 *   `--help` (`lib/settings/settings.ts`, `lib/cli/cli.ts`);
 * - `docs/tools.md` and the README's tool lines: every tool and its inputs, from a real
 *   `tools/list` of the server started over stdio.
 *
 * A generated part sits between `<!-- generated: NAME … -->` and `<!-- end generated: NAME -->`;
 * everything around it is written by hand. `deno task docs --check` changes nothing and exits 1
 * when a page differs from what would be generated (`tests/docs/generated_test.ts` runs it).
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ENV_VARIABLES, FLAGS, type FlagSpec } from "../lib/cli/cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** Stands for the working directory that `execute_command`'s description names. */
const WORKING_DIR_MARK = "<MCP_BG_WORKING_DIR>";

/** One tool as `tools/list` gives it (the fields the pages use). */
export interface ListedTool {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema: {
    readonly properties?: Record<string, Record<string, unknown>>;
    readonly required?: readonly string[];
  };
  readonly annotations?: {
    readonly readOnlyHint?: boolean;
    readonly destructiveHint?: boolean;
    readonly idempotentHint?: boolean;
  };
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/**
 * The configuration page's tables: every `MCP_BG_*` variable, then every flag.
 *
 * @example Usage
 * ```ts
 * import { renderSettings } from "./docs.ts";
 * import assert from "node:assert/strict";
 * assert.match(renderSettings(), /\| `MCP_BG_MAX_JOBS` \|/);
 * assert.match(renderSettings(), /\| `--http` \|/);
 * ```
 */
export function renderSettings(): string {
  const variables = [
    "| variable | meaning and valid values | default |",
    "| --- | --- | --- |",
    ...ENV_VARIABLES.map((env) => `| \`${env.name}\` | ${cell(env.help)} | ${cell(env.default)} |`),
  ];
  const flags = [
    "| flag | meaning | default |",
    "| --- | --- | --- |",
    ...Object.entries(FLAGS as Record<string, FlagSpec>).map(([name, spec]) => {
      const short = spec.short === undefined ? "" : `\`-${spec.short}\`, `;
      const value = spec.type === "string" ? ` <${spec.valueName ?? "value"}>` : "";
      return `| ${short}\`--${name}${value}\` | ${cell(spec.help)} | ${
        spec.default === undefined ? "" : `\`${spec.default}\``
      } |`;
    }),
  ];
  return [...variables, "", ...flags].join("\n");
}

/** `name: type` for one input, `?` when optional, with its range or choices. */
function describeInput(name: string, schema: Record<string, unknown>, required: boolean): string {
  const type = schema.enum
    ? (schema.enum as unknown[]).map((value) => JSON.stringify(value)).join(" \\| ")
    : schema.anyOf
    ? (schema.anyOf as Record<string, unknown>[]).map((one) =>
      one.const !== undefined ? JSON.stringify(one.const) : String(one.type)
    ).join(" \\| ")
    : String(schema.type ?? "any");
  const bounds = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : undefined,
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined,
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : undefined,
    schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : undefined,
  ].filter((part) => part !== undefined);
  return `\`${name}${required ? "" : "?"}\`: ${type}${
    bounds.length > 0 ? ` (${bounds.join(", ")})` : ""
  }`;
}

function annotationsOf(tool: ListedTool): string {
  const hints = tool.annotations ?? {};
  const kind = hints.readOnlyHint ? "read-only" : hints.destructiveHint ? "destructive" : "";
  return [kind, hints.idempotentHint ? "idempotent" : ""].filter((part) => part !== "").join(
    ", ",
  );
}

/**
 * The tools page's table: each tool, its inputs, its annotations and its description.
 *
 * @example Usage
 * ```ts
 * import { renderToolTable } from "./docs.ts";
 * import assert from "node:assert/strict";
 * const table = renderToolTable([{
 *   name: "kill_job",
 *   description: "Stop a job.",
 *   inputSchema: { properties: { job_id: { type: "string" } }, required: ["job_id"] },
 *   annotations: { destructiveHint: true },
 * }]);
 * assert.match(table, /\| `kill_job` \| `job_id`: string \| destructive \| Stop a job\. \|/);
 * ```
 */
export function renderToolTable(tools: readonly ListedTool[]): string {
  return [
    "| tool | inputs (`?`: optional) | annotations | description |",
    "| --- | --- | --- | --- |",
    ...tools.map((tool) => {
      const required = new Set(tool.inputSchema.required ?? []);
      const inputs = Object.entries(tool.inputSchema.properties ?? {}).map(([name, schema]) =>
        describeInput(name, schema, required.has(name))
      );
      return `| \`${tool.name}\` | ${inputs.join("<br>") || "none"} | ${annotationsOf(tool)} | ${
        cell(tool.description ?? "")
      } |`;
    }),
  ].join("\n");
}

/**
 * The README's list: one line per tool, its description's first sentence.
 *
 * @example Usage
 * ```ts
 * import { renderToolLines } from "./docs.ts";
 * import assert from "node:assert/strict";
 * const lines = renderToolLines([{ name: "kill_job", description: "Stop it; then more.", inputSchema: {} }]);
 * assert.equal(lines, "- `kill_job`: Stop it.");
 * ```
 */
export function renderToolLines(tools: readonly ListedTool[]): string {
  return tools.map((tool) => {
    const description = tool.description ?? "";
    // The first sentence, or the first clause when a semicolon comes first.
    const end = description.search(/[.;](\s|$)/);
    const first = end === -1 ? description : description.slice(0, end);
    return `- \`${tool.name}\`: ${first.replace(/\.$/, "")}.`;
  }).join("\n");
}

/**
 * `page` with the part named `name` replaced by `content`.
 *
 * @example Usage
 * ```ts
 * import { replaceGenerated } from "./docs.ts";
 * import assert from "node:assert/strict";
 * const page = "a\n<!-- generated: x (deno task docs) -->\nold\n<!-- end generated: x -->\nb\n";
 * assert.equal(
 *   replaceGenerated(page, "x", "new"),
 *   "a\n<!-- generated: x (deno task docs) -->\nnew\n<!-- end generated: x -->\nb\n",
 * );
 * ```
 *
 * @throws {Error} when the page has no such part.
 */
export function replaceGenerated(page: string, name: string, content: string): string {
  const start = new RegExp(`<!-- generated: ${name}\\b[^>]*-->\\n`).exec(page);
  const end = page.indexOf(`<!-- end generated: ${name} -->`);
  if (start === null || end === -1 || end < start.index) {
    throw new Error(`No generated part "${name}" in the page`);
  }
  const from = start.index + start[0].length;
  return `${page.slice(0, from)}${content}\n${page.slice(end)}`;
}

/**
 * The server's `tools/list` (default configuration, `--console` for `console_url`), with the
 * working directory in `execute_command`'s description replaced by a placeholder.
 */
export async function listTools(): Promise<ListedTool[]> {
  const workingDir = await Deno.makeTempDir({ prefix: "mcp-bg-docs-" });
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", `${ROOT}main.ts`, "--console"],
    env: { NO_COLOR: "1", MCP_BG_WORKING_DIR: workingDir, PATH: Deno.env.get("PATH") ?? "" },
    cwd: workingDir,
    stderr: "ignore",
  });
  const client = new Client({ name: "docs-generator", version: "1.0.0" });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const real = await Deno.realPath(workingDir);
    return (tools as ListedTool[]).map((tool) => ({
      ...tool,
      description: tool.description?.replaceAll(real, WORKING_DIR_MARK)
        .replaceAll(workingDir, WORKING_DIR_MARK),
    }));
  } finally {
    await client.close();
    await Deno.remove(workingDir, { recursive: true });
  }
}

/** Every generated page: its path from the repository root and its generated parts. */
export async function generatedPages(): Promise<Map<string, Record<string, string>>> {
  const tools = await listTools();
  return new Map<string, Record<string, string>>([
    ["docs/configuration.md", { settings: renderSettings() }],
    ["docs/tools.md", { tools: renderToolTable(tools) }],
    ["README.md", { "tool-lines": renderToolLines(tools) }],
  ]);
}

/** Each page as it would be with its generated parts written afresh, keyed by path. */
export async function regenerate(): Promise<Map<string, { before: string; after: string }>> {
  const result = new Map<string, { before: string; after: string }>();
  for (const [path, parts] of await generatedPages()) {
    const before = await Deno.readTextFile(`${ROOT}${path}`);
    let after = before;
    for (const [name, content] of Object.entries(parts)) {
      after = replaceGenerated(after, name, content);
    }
    result.set(path, { before, after: await formatMarkdown(after) });
  }
  return result;
}

/** `deno fmt` of a Markdown text, so generated tables are aligned as the formatter wants. */
async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--config", `${ROOT}deno.json`, "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let stale = 0;
  for (const [path, { before, after }] of await regenerate()) {
    if (before === after) continue;
    stale++;
    if (check) console.error(`${path} differs from the code: run deno task docs`);
    else await Deno.writeTextFile(`${ROOT}${path}`, after);
    if (!check) console.error(`${path} rewritten`);
  }
  if (check && stale > 0) Deno.exit(1);
}
