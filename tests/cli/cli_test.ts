import assert from "node:assert/strict";
import { ENV_VARIABLES, FLAGS, helpText, parseCli, UsageError } from "../../lib/cli/cli.ts";
import { VERSION } from "../../lib/version.ts";
import { run } from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("parseCli() reads --help, -h, --version and -V", () => {
  assert.equal(parseCli(["--help"]).help, true);
  assert.equal(parseCli(["-h"]).help, true);
  assert.equal(parseCli(["--version"]).version, true);
  assert.equal(parseCli(["-V"]).version, true);
  const none = parseCli([]);
  assert.equal(none.help, undefined);
  assert.equal(none.http, undefined);
  // String flags with a default carry it when absent.
  assert.deepEqual({ ...none }, { "idle-timeout": "1800", host: "127.0.0.1", port: "3939" });
});

Deno.test("parseCli() rejects an unknown flag with a hint", () => {
  assert.throws(
    () => parseCli(["--verison"]),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message ===
        'Unknown option "--verison"; did you mean --version? run with --help for usage',
  );
  assert.throws(
    () => parseCli(["--completely-different"]),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message === 'Unknown option "--completely-different"; run with --help for usage',
  );
});

Deno.test("parseCli() rejects positional arguments and values given to switches", () => {
  assert.throws(() => parseCli(["serve"]), UsageError);
  assert.throws(() => parseCli(["--help=yes"]), /run with --help for usage/);
});

Deno.test("helpText() lists every flag and every environment variable with its default", () => {
  const help = helpText();
  for (const [name, spec] of Object.entries(FLAGS)) {
    assert.match(help, new RegExp(`--${name}\\b`), `--${name} missing`);
    assert.ok(help.includes(spec.help), `help line of --${name} missing`);
  }
  for (const env of ENV_VARIABLES) {
    const at = help.indexOf(env.name);
    assert.ok(at >= 0, `${env.name} missing`);
    assert.ok(help.slice(at).includes(`Default: ${env.default}`), `${env.name} default missing`);
  }
});

Deno.test("every MCP_BG_* variable the code mentions is documented in --help", async () => {
  const mentioned = new Set<string>();
  const walk = async (dir: URL) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir));
      else if (entry.name.endsWith(".ts") && entry.name !== "cli.ts") {
        const text = await Deno.readTextFile(new URL(entry.name, dir));
        for (const match of text.matchAll(/\bMCP_BG_[A-Z0-9_]+/g)) mentioned.add(match[0]);
      }
    }
  };
  await walk(new URL("lib/", ROOT));
  assert.ok(mentioned.size > 0);
  const documented = new Set(ENV_VARIABLES.map((env) => env.name));
  assert.deepEqual([...mentioned].filter((name) => !documented.has(name)), []);
});

Deno.test("VERSION matches the version in deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.equal(VERSION, config.version);
});

Deno.test("main.ts --version prints the package version and exits 0", async () => {
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${VERSION}\n`);
});

Deno.test("main.ts --help prints the help text and exits 0", async () => {
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--help"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${helpText()}\n`);
});

Deno.test("main.ts exits 2 on an unknown flag, naming it on stderr", async () => {
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN, "--port-number", "3"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /Unknown option "--port-number"; .*run with --help for usage/);
});

Deno.test("main.ts warns about a misspelled MCP_BG_* variable and still starts", async () => {
  const result = await run(Deno.execPath(), [...DENO_RUN, "-A", MAIN], {
    env: { ["MCP_BG_MAX_" + "JOB"]: "5" },
  });
  assert.equal(result.code, 0);
  assert.match(
    result.stderr,
    /warning: MCP_BG_MAX_JOB is not a variable this server reads \(did you mean MCP_BG_MAX_JOBS\?\)/,
  );
  assert.match(result.stderr, /ready on stdio/);
});
