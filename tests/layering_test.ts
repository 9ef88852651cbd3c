import assert from "node:assert/strict";

const LIB = new URL("../lib/", import.meta.url);

/**
 * The layers of `lib/`, lowest first: a file may import its own layer and the ones below, never
 * one above. Type-only imports count too: a type is a dependency all the same.
 */
const LAYERS: readonly (readonly string[])[] = [
  // Base files every folder may use: errors, timers, limits, the logger.
  [
    "errors.ts",
    "logger.ts",
    "message_limits.ts",
    "quote.ts",
    "timers.ts",
    "proc_stat.ts",
    "version.ts",
    "work_slice.ts",
  ],
  ["output/", "sandbox/"],
  // The settings table reads the shell's validation from sandbox/.
  ["settings/"],
  ["jobs/"],
  ["mcp/"],
  // The live console is served by the HTTP transport and reads jobs through MCP's views.
  ["console/"],
  ["transports/"],
  // The per-user service (its socket, lifetime, front) and the ledger it keeps on disk.
  ["service/"],
  // Wiring: the library entry and the command line (flags, --doctor, start-up reports).
  ["cli/", "mod.ts"],
];

/** The layer of a path relative to `lib/`: its folder, or for a top-level file its name. */
function layerOf(path: string): number {
  const slash = path.indexOf("/");
  const key = slash < 0 ? path : path.slice(0, slash + 1);
  const layer = LAYERS.findIndex((names) => names.includes(key));
  assert.ok(
    layer >= 0,
    `lib/${path} is in no layer: add ${key} to LAYERS in tests/layering_test.ts`,
  );
  return layer;
}

/** Every `.ts` file under `lib/`, relative to it. */
function libFiles(dir = LIB, prefix = ""): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) files.push(...libFiles(new URL(`${entry.name}/`, dir), `${path}/`));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

// Static `import`/`export ... from "./x"` (type-only included) and dynamic `import("./x")`, at
// the start of a line: the examples in JSDoc comments (` * import ...`) are not imports.
const RELATIVE_IMPORT =
  /^(?:import|export)\b[^;]*?\bfrom\s*["'](\.[^"']+)["']|^import\s*["'](\.[^"']+)["']|\bimport\(\s*["'](\.[^"']+)["']\s*\)/gm;

/** The `lib/`-relative paths `source` (the file at `path`) imports. */
function importsOf(path: string, source: string): string[] {
  const targets: string[] = [];
  for (const match of source.matchAll(RELATIVE_IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3]!;
    const target = new URL(specifier, new URL(path, LIB));
    targets.push(target.href.slice(LIB.href.length));
  }
  return targets;
}

/** Every import in `lib/` that reaches a higher layer, as `from -> to`. */
export function upwardImports(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [path, source] of files) {
    for (const target of importsOf(path, source)) {
      if (layerOf(target) > layerOf(path)) found.push(`lib/${path} -> lib/${target}`);
    }
  }
  return found;
}

function readLib(): Map<string, string> {
  return new Map(libFiles().map((path) => [path, Deno.readTextFileSync(new URL(path, LIB))]));
}

Deno.test("no file in lib/ imports from a higher layer", () => {
  const files = readLib();
  assert.ok(files.size > 50, `only ${files.size} files found under lib/`);
  assert.deepEqual(upwardImports(files), []);
});

Deno.test("the layering check catches each kind of upward import", () => {
  const files = readLib();
  const planted = [
    ["sandbox/command_check.ts", `import { JobManager } from "../jobs/job_table.ts";`],
    ["output/reading.ts", `import type { McpServer } from "../mcp/sdk.ts";`],
    ["jobs/job.ts", `export { serveHttp } from "../transports/http.ts";`],
    ["jobs/job_table.ts", `const http = await import("../transports/http.ts");`],
    ["mcp/server.ts", `import {\n  createConsole,\n} from "../console/web_console.ts";`],
    ["errors.ts", `import type { Config } from "./settings/config.ts";`],
  ];
  for (const [path, line] of planted) {
    const source = files.get(path!);
    assert.ok(source !== undefined, `lib/${path} is gone: plant the import elsewhere`);
    const found = upwardImports(new Map([[path!, `${line}\n${source}`]]));
    assert.equal(found.length, 1, `${line} in lib/${path} was not caught: ${found}`);
  }
  // An example in a doc comment is not an import.
  const commented = upwardImports(
    new Map([["sandbox/x.ts", ` * import { JobManager } from "../jobs/job_table.ts";`]]),
  );
  assert.deepEqual(commented, []);
});
