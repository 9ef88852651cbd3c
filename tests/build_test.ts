/**
 * `deno task build` (scripts/build.ts). A real compile needs a `denort` runtime: from Deno's
 * servers, or from `DENORT_BIN`. The binary itself is driven only when `DENORT_BIN` is set;
 * the failure paths are checked everywhere.
 */
import assert from "node:assert/strict";
import { outputPath, permissionFlags, readPermissionSet } from "../scripts/build.ts";
import { VERSION } from "../lib/version.ts";
import { TestServer } from "./helpers/mcp_client.ts";
import { run } from "./helpers/processes.ts";
import { DENO_RUN } from "./helpers/server_entry.ts";

const BUILD = new URL("../scripts/build.ts", import.meta.url).pathname;
const BUILD_PERMISSIONS = ["--allow-read", "--allow-write", "--allow-run", "--allow-env"];

function build(args: string[], env: Record<string, string>) {
  return run(Deno.execPath(), [...DENO_RUN, ...BUILD_PERMISSIONS, BUILD, ...args], { env });
}

Deno.test("permissionFlags() turns the deno.json permission set into flags", () => {
  assert.deepEqual(readPermissionSet(), { env: true, read: true, run: true });
  assert.deepEqual(permissionFlags(readPermissionSet()), [
    "--allow-env",
    "--allow-read",
    "--allow-run",
  ]);
  assert.deepEqual(permissionFlags({ run: ["npm", "kill"], net: false }), [
    "--allow-run=npm,kill",
  ]);
});

Deno.test("build explains a DENORT_BIN that is not a file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-build-" });
  try {
    const result = await build(["--out-dir", dir], { DENORT_BIN: `${dir}/missing-denort` });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DENORT_BIN=".*missing-denort" is not a file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build refuses --all with DENORT_BIN, which holds one target's runtime", async () => {
  const result = await build(["--all"], { DENORT_BIN: Deno.execPath() });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot serve --all/);
});

Deno.test("build rejects a full deno given as DENORT_BIN and removes its output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-build-" });
  try {
    const result = await build(["--out-dir", dir], { DENORT_BIN: Deno.execPath() });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /does not run the server\. DENORT_BIN is probably a full deno/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const denort = Deno.env.get("DENORT_BIN");
if (denort === undefined) {
  console.log(
    "skipping the compiled-binary test: DENORT_BIN is not set (deno compile would download a " +
      "runtime; see docs/install.md's binary section)",
  );
}

Deno.test({
  name: "the compiled binary serves MCP over stdio with its permissions baked in",
  ignore: denort === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mcp-bg-build-" });
    try {
      const built = await build(["--out-dir", dir], { DENORT_BIN: denort! });
      assert.equal(built.code, 0, built.stderr);
      const binary = outputPath(dir, Deno.build.target);
      const version = await run(binary, ["--version"]);
      assert.equal(version.stdout, `${VERSION}\n`);
      await using server = await TestServer.start({ command: binary, cwd: dir });
      const id = await server.start("echo from the binary");
      assert.equal((await server.waitForEnd(id)).status, "completed");
      assert.equal((await server.ok("get_job_output", { job_id: id })).stdout, "from the binary\n");
      const sleeper = await server.start("sleep 300");
      assert.deepEqual(await server.ok("kill_job", { job_id: sleeper }), { status: "killed" });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
