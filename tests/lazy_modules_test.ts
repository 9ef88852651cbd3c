/**
 * A stdio server loads only what serving stdio needs: the modes and features it may never use
 * (the service, the doctor, HTTP, the web console and the MCP App's page, patterns, terminals)
 * are reached from `main.ts` only through dynamic `import()`, so they cost no memory or start-up
 * time until first used. Read from Deno's own module graph (`deno info --json`), where a static
 * import and a dynamic one are told apart.
 */
import assert from "node:assert/strict";
import { MAIN } from "./helpers/server_entry.ts";
import { run } from "./helpers/processes.ts";

const ROOT = new URL("../", import.meta.url);

/** What a stdio server must not load at start-up: `lib/` paths and npm packages. */
const LAZY = [
  "lib/cli/doctor.ts",
  "lib/service/service_main.ts",
  "lib/service/service.ts",
  "lib/service/stop_service.ts",
  "lib/service/ledger.ts",
  "lib/sandbox/permissions.ts",
  "lib/transports/http.ts",
  "lib/transports/http_options.ts",
  "lib/transports/console_server.ts",
  "lib/console/web_console.ts",
  "lib/console/app_html.ts",
  "lib/output/line_pattern.ts",
  "lib/sandbox/shell_walker.ts",
  "npm:/re2js@",
  "npm:/unbash@",
  "npm:/@xterm/headless@",
  "npm:/@xterm/xterm@",
  "npm:/@lydell/node-pty@",
  "npm:/@modelcontextprotocol/sdk@1.32.2/server/webStandardStreamableHttp",
  "npm:/@modelcontextprotocol/sdk@1.32.2/experimental/tasks",
  "node:crypto",
  // About 15 ms of a fresh server's start: program lookups load it once the client is answered.
  "node:fs",
  // About 6 ms; only a contained job whose filter has no file needs it (extra_fd_spawn.ts).
  "node:child_process",
  // Containment and its trial sandbox: chosen once the server is serving (executor_choice.ts).
  "lib/jobs/containment.ts",
  "lib/jobs/contained_executor.ts",
  "lib/jobs/contained_terminal.ts",
  "lib/jobs/bwrap_start.ts",
  "lib/jobs/extra_fd_spawn.ts",
  "lib/sandbox/seccomp/filter_file.ts",
  "lib/sandbox/seccomp/job_filter.ts",
  "node:module",
];

interface GraphModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** The modules `root` reaches through static value imports (type-only imports load nothing). */
export function staticallyLoaded(
  modules: readonly GraphModule[],
  root: string,
  redirects: Record<string, string> = {},
): Set<string> {
  const bySpecifier = new Map(modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const pending = [root];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    const resolved = redirects[specifier] ?? specifier;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    for (const dependency of bySpecifier.get(resolved)?.dependencies ?? []) {
      if (dependency.isDynamic !== true && dependency.code) pending.push(dependency.code.specifier);
    }
  }
  return seen;
}

/** Which of `LAZY` a loaded set holds, as `LAZY` names them (a name ending in `@`: any version). */
function lazyAmong(loaded: Set<string>): string[] {
  const rootHref = ROOT.href;
  const names = [...loaded].map((specifier) =>
    specifier.startsWith(rootHref) ? specifier.slice(rootHref.length) : specifier
  );
  return LAZY.filter((lazy) =>
    names.some((name) => lazy.endsWith("@") ? name.startsWith(lazy) : name === lazy)
  );
}

async function mainGraph(): Promise<
  { modules: GraphModule[]; root: string; redirects: Record<string, string> }
> {
  const info = await run(Deno.execPath(), ["info", "--json", MAIN], { cwd: ROOT.pathname });
  assert.equal(info.code, 0, info.stderr);
  const graph = JSON.parse(info.stdout);
  return { modules: graph.modules, root: graph.roots[0], redirects: graph.redirects ?? {} };
}

Deno.test("main.ts reaches the optional modes and features only through dynamic imports", async () => {
  const { modules, root, redirects } = await mainGraph();
  const loaded = staticallyLoaded(modules, root, redirects);
  // The graph is the real one: the stdio path itself is in it.
  assert.ok(loaded.has(new URL("lib/transports/stdio.ts", ROOT).href));
  assert.ok(
    [...loaded].some((specifier) => specifier.startsWith("npm:/@modelcontextprotocol/sdk")),
  );
  assert.deepEqual(lazyAmong(loaded), []);
  // Each of them is still in the graph, so the bundle and `deno publish` carry it.
  const everything = new Set(modules.map((module) => module.specifier));
  for (const path of LAZY.filter((name) => name.startsWith("lib/"))) {
    assert.ok(everything.has(new URL(path, ROOT).href), `${path} is missing from the graph`);
  }
});

Deno.test("the lazy-module check catches a static import", async () => {
  const { modules, root, redirects } = await mainGraph();
  const service = new URL("lib/service/service_main.ts", ROOT).href;
  // main.ts as if it imported the service's entry statically.
  const planted = modules.map((module) =>
    module.specifier === root
      ? {
        ...module,
        dependencies: [...module.dependencies ?? [], { code: { specifier: service } }],
      }
      : module
  );
  const loaded = staticallyLoaded(planted, root, redirects);
  // Found, and so is what it imports in turn.
  const found = lazyAmong(loaded);
  assert.ok(found.includes("lib/service/service_main.ts"), `${found}`);
  assert.ok(found.includes("lib/service/service.ts"), `${found}`);
});
