/**
 * `deno task build`: compiles the server into a standalone binary with the permission set
 * `server` from `deno.json` baked in.
 *
 * `deno compile` downloads a runtime (`denort`) for each target from Deno's servers. Where those
 * are unreachable, set `DENORT_BIN` to a `denort` of the same Deno version as the `deno` doing
 * the build; it then serves one target per run (the host unless `--target` says otherwise).
 *
 * Usage: `deno task build [--all | --target <triple>] [--out-dir <dir>]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { VERSION } from "../lib/version.ts";

/** The targets a release ships, as `deno compile --target` names them. */
export const RELEASE_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** A Deno permission set as written in `deno.json` under `permissions.<name>`. */
export type PermissionSet = Record<string, boolean | string[]>;

const ROOT = new URL("../", import.meta.url);

/** Reads the permission set `name` (default `server`) from the project's `deno.json`. */
export function readPermissionSet(name = "server"): PermissionSet {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const set = config.permissions?.[name];
  if (typeof set !== "object" || set === null) {
    throw new Error(`deno.json has no permission set "${name}" under "permissions"`);
  }
  return set;
}

/**
 * Turns a permission set into `deno run`/`deno compile` flags, e.g. `{ run: ["kill"] }` into
 * `--allow-run=kill`.
 */
export function permissionFlags(set: PermissionSet): string[] {
  return Object.entries(set).flatMap(([name, value]) => {
    if (value === true) return [`--allow-${name}`];
    if (Array.isArray(value) && value.length > 0) return [`--allow-${name}=${value.join(",")}`];
    return [];
  });
}

/** Where the binary for `target` is written. */
export function outputPath(outDir: string, target: string): string {
  const suffix = target.includes("windows") ? ".exe" : "";
  return `${outDir}/mcp-background-job-${target}${suffix}`;
}

function denortMissing(target: string): string {
  const version = Deno.version.deno;
  return [
    `Cannot build for ${target}: deno compile needs the Deno runtime "denort" for that target,`,
    `and it could not be downloaded from Deno's servers (denort-${target}.zip for Deno ${version}).`,
    `To build without the download, get denort-${target}.zip of Deno v${version} (it is published`,
    `with every Deno release), unzip it, and run:`,
    `  DENORT_BIN=/path/to/denort deno task build --target ${target}`,
    `DENORT_BIN must be a denort, not a full deno, and of the same version as this deno (${version}).`,
  ].join("\n");
}

async function compile(target: string, output: string, permissions: string[]): Promise<boolean> {
  const args = ["compile", ...permissions, "--target", target, "--output", output, "main.ts"];
  console.error(`$ deno ${args.join(" ")}`);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  if (code === 0) return true;
  Deno.stderr.writeSync(stderr);
  if (/denort|download|dns|error sending request|failed to (fetch|lookup)/i.test(text)) {
    console.error(`\n${denortMissing(target)}`);
  }
  return false;
}

/** Runs the host binary with `--version`: a binary built on a full `deno` prints Deno's instead. */
async function verify(output: string): Promise<boolean> {
  const { stdout } = await new Deno.Command(output, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const printed = new TextDecoder().decode(stdout).trim();
  if (printed === VERSION) return true;
  console.error(
    `The binary ${output} printed ${JSON.stringify(printed.split("\n")[0])} for --version, ` +
      `not ${JSON.stringify(VERSION)}: it does not run the server. DENORT_BIN is probably a ` +
      `full deno rather than a denort; removed it.`,
  );
  await Deno.remove(output);
  return false;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      all: { type: "boolean" },
      target: { type: "string" },
      "out-dir": { type: "string", default: "dist" },
    },
    strict: true,
  });
  const host = Deno.build.target;
  const denort = Deno.env.get("DENORT_BIN");
  if (values.all && values.target) {
    console.error("Use either --all or --target, not both");
    return 2;
  }
  if (values.all && denort) {
    console.error(
      "DENORT_BIN holds the runtime of one target, so it cannot serve --all; " +
        "run once per target with --target <triple> and that target's denort",
    );
    return 2;
  }
  if (denort) {
    try {
      if (!Deno.statSync(denort).isFile) throw new Error("not a file");
    } catch (error) {
      console.error(`DENORT_BIN=${JSON.stringify(denort)} is not a file (${error}).`);
      return 1;
    }
  }
  const targets: readonly string[] = values.all ? RELEASE_TARGETS : [values.target ?? host];
  const outDir = new URL(`${values["out-dir"]}/`, ROOT).pathname.replace(/\/$/, "");
  await Deno.mkdir(outDir, { recursive: true });
  const permissions = permissionFlags(readPermissionSet());
  const failed: string[] = [];
  for (const target of targets) {
    const output = outputPath(outDir, target);
    let ok = await compile(target, output, permissions);
    if (ok && target === host) ok = await verify(output);
    if (ok) console.error(`Built ${output}`);
    else failed.push(target);
  }
  if (failed.length > 0) {
    console.error(`Build failed for: ${failed.join(", ")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (error instanceof TypeError && "code" in error) {
      console.error(`${error.message}; usage: deno task build [--all | --target <triple>]`);
      Deno.exit(2);
    }
    throw error;
  }
}
