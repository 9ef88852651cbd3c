/**
 * Starts as a new user meets them: the first start of a checkout from an empty Deno cache, the
 * bundle from an empty cache, and a client configured with `npx -y deno@<version>` instead of a
 * `deno` on PATH. Used by `bench/run.ts`.
 *
 * @module
 */
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { locateProgram } from "../lib/sandbox/program_path.ts";
import { downloadEnv } from "../tests/helpers/processes.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** What running the server needs from a checkout; nothing else is copied. */
const SERVER_FILES = ["main.ts", "lib", "deno.json", "deno.lock"];

/** A first start: time to `initialize`, and what it installed. */
export interface FirstStart {
  readonly ms: number;
  /** npm packages installed into the copy's node_modules (0 for the bundle). */
  readonly packages: number;
  /** Bytes of node_modules plus the Deno cache after the start. */
  readonly bytes: number;
}

async function sizeOf(path: string): Promise<number> {
  const { stdout, success } = await new Deno.Command("du", { args: ["-sb", path], stdout: "piped" })
    .output();
  return success ? Number(new TextDecoder().decode(stdout).split("\t")[0]) : 0;
}

async function countPackages(nodeModules: string): Promise<number> {
  let count = 0;
  try {
    for await (const entry of Deno.readDir(`${nodeModules}/.deno`)) {
      if (entry.isDirectory && entry.name.includes("@", 1)) count++;
    }
  } catch (error) {
    // No node_modules: nothing was installed (the bundle).
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return count;
}

/** Spawn until `initialize` completed, in ms; the server is closed before this returns. */
async function timeToInitialize(options: Parameters<typeof TestServer.start>[0]): Promise<number> {
  const start = performance.now();
  const server = await TestServer.start(options);
  const elapsed = performance.now() - start;
  await server.close();
  return elapsed;
}

/**
 * Copies the server's files to a fresh directory and starts it with an empty `DENO_DIR`, as
 * right after a clone on a machine that never ran Deno. Needs the npm registry.
 */
export async function firstStartOfCheckout(): Promise<FirstStart> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-first-" });
  try {
    const copy = `${dir}/checkout`;
    await Deno.mkdir(copy);
    const { success } = await new Deno.Command("cp", {
      args: ["-R", ...SERVER_FILES.map((file) => `${ROOT}${file}`), copy],
    }).output();
    if (!success) throw new Error("Could not copy the checkout");
    const ms = await timeToInitialize({
      entry: `${copy}/main.ts`,
      cwd: dir,
      env: { ...downloadEnv(), DENO_DIR: `${dir}/deno-dir` },
    });
    return {
      ms,
      packages: await countPackages(`${copy}/node_modules`),
      bytes: await sizeOf(`${copy}/node_modules`) + await sizeOf(`${dir}/deno-dir`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The single-file bundle started with an empty `DENO_DIR`: nothing to install. */
export async function firstStartOfBundle(bundle: string): Promise<FirstStart> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-first-bundle-" });
  try {
    const ms = await timeToInitialize({
      entry: bundle,
      permissions: ["--no-config", "-A"],
      cwd: dir,
      env: { ...downloadEnv(), DENO_DIR: `${dir}/deno-dir` },
    });
    return { ms, packages: 0, bytes: await sizeOf(`${dir}/deno-dir`) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Median time to `initialize` of the docs' client command lines, from another directory:
 * `deno run -A main.ts` and `npx -y deno@<this version> run -A main.ts`, interleaved; `undefined`
 * for npx when it is not on PATH.
 */
export async function clientCommandStarts(
  runs: number,
): Promise<{ deno: number; npx: number | undefined }> {
  const npx = locateProgram("npx", { cwd: "/", searchPath: Deno.env.get("PATH") ?? "" });
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-client-" });
  const main = `${ROOT}main.ts`;
  const deno: number[] = [], viaNpx: number[] = [];
  try {
    for (let run = -1; run < runs; run++) {
      const denoMs = await timeToInitialize({ entry: main, cwd: dir });
      const npxMs = npx === undefined ? undefined : await timeToInitialize({
        command: npx.path,
        args: ["-y", `deno@${Deno.version.deno}`, "run", "-A", main],
        cwd: dir,
        env: downloadEnv(),
      });
      if (run < 0) continue; // the first round fills npx's and Deno's caches
      deno.push(denoMs);
      if (npxMs !== undefined) viaNpx.push(npxMs);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[samples.length >> 1]!;
  return { deno: median(deno), npx: npx === undefined ? undefined : median(viaNpx) };
}
