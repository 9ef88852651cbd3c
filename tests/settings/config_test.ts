import assert from "node:assert/strict";
import {
  loadConfig,
  MAX_TIMER_SECONDS,
  parseByteSize,
  SETTINGS,
  unknownVariableWarnings,
} from "../../lib/settings/config.ts";
import { helpText } from "../../lib/cli/cli.ts";
import { ConfigError } from "../../lib/errors.ts";

const CWD = Deno.cwd();

/** Asserts that `env` is refused with a ConfigError naming `variable`, `value` and `valid`. */
function assertRefused(env: Record<string, string>, variable: string, valid: RegExp): void {
  const value = env[variable]!;
  assert.throws(() => loadConfig(env, CWD), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.equal(error.variable, variable);
    assert.equal(error.value, value);
    assert.ok(error.message.includes(variable), error.message);
    assert.ok(error.message.includes(JSON.stringify(value)), error.message);
    assert.match(error.message, valid);
    return true;
  }, `${variable}=${JSON.stringify(value)} was accepted`);
}

Deno.test("loadConfig gives the documented defaults for an empty environment", () => {
  const config = loadConfig({}, CWD);
  assert.equal(config.maxJobs, 10);
  assert.equal(config.maxOutputSize, 10 * 1024 * 1024);
  assert.equal(config.jobTimeoutSeconds, undefined);
  assert.equal(config.cleanupIntervalSeconds, 300);
  assert.equal(config.workingDir, CWD);
  assert.equal(config.allowedCommands, undefined);
  assert.ok(Object.isFrozen(config));
});

Deno.test("loadConfig ignores variables outside MCP_BG_*", () => {
  assert.deepEqual(loadConfig({ MAX_JOBS: "0", PATH: "/nowhere" }, CWD), loadConfig({}, CWD));
});

Deno.test("MCP_BG_MAX_JOBS accepts 1 to 100", () => {
  for (const [raw, value] of [["1", 1], ["50", 50], ["100", 100], [" 7 ", 7]] as const) {
    assert.equal(loadConfig({ MCP_BG_MAX_JOBS: raw }, CWD).maxJobs, value);
  }
});

Deno.test("MCP_BG_MAX_JOBS refuses zero, too many, fractions, signs and words", () => {
  for (const raw of ["0", "101", "1000000", "2.5", "-1", "+3", "ten", "1e2", "0x10", "5 jobs"]) {
    assertRefused({ MCP_BG_MAX_JOBS: raw }, "MCP_BG_MAX_JOBS", /from 1 to 100/);
  }
});

Deno.test("MCP_BG_MAX_OUTPUT_SIZE accepts byte counts and KB, MB, GB from 1KB to 1GB", () => {
  const cases: [string, number][] = [
    ["1024", 1024],
    ["1KB", 1024],
    ["1kb", 1024],
    ["512KB", 512 * 1024],
    ["10MB", 10 * 1024 ** 2],
    ["10 MB", 10 * 1024 ** 2],
    ["1.5MB", 1.5 * 1024 ** 2],
    ["1GB", 1024 ** 3],
    ["2048B", 2048],
  ];
  for (const [raw, value] of cases) {
    assert.equal(loadConfig({ MCP_BG_MAX_OUTPUT_SIZE: raw }, CWD).maxOutputSize, value, raw);
  }
});

Deno.test("MCP_BG_MAX_OUTPUT_SIZE refuses sizes out of range and unknown units", () => {
  for (
    const raw of [
      "0",
      "1023",
      "1000B",
      "0.5KB",
      "1025MB",
      "2GB",
      "1TB",
      "10K",
      "10M",
      "-1KB",
      "MB",
      "lots",
    ]
  ) {
    assertRefused({ MCP_BG_MAX_OUTPUT_SIZE: raw }, "MCP_BG_MAX_OUTPUT_SIZE", /from 1KB to 1GB/);
  }
});

Deno.test("parseByteSize reads a number with an optional unit", () => {
  assert.equal(parseByteSize("2KB"), 2048);
  assert.equal(parseByteSize("3gb"), 3 * 1024 ** 3);
  assert.equal(parseByteSize("12"), 12);
  assert.equal(parseByteSize("12 XB"), undefined);
  assert.equal(parseByteSize(""), undefined);
});

Deno.test("MCP_BG_JOB_TIMEOUT is unset by default and accepts whole seconds of at least 1", () => {
  assert.equal(loadConfig({ MCP_BG_JOB_TIMEOUT: "1" }, CWD).jobTimeoutSeconds, 1);
  assert.equal(loadConfig({ MCP_BG_JOB_TIMEOUT: "3600" }, CWD).jobTimeoutSeconds, 3600);
  assert.equal(loadConfig({ MCP_BG_JOB_TIMEOUT: "" }, CWD).jobTimeoutSeconds, undefined);
});

Deno.test("MCP_BG_JOB_TIMEOUT refuses zero, fractions, units and timer overflow", () => {
  for (const raw of ["0", "-5", "1.5", "30s", "never", "99999999999"]) {
    assertRefused({ MCP_BG_JOB_TIMEOUT: raw }, "MCP_BG_JOB_TIMEOUT", /whole number from 1 to/);
  }
});

Deno.test("MCP_BG_CLEANUP_INTERVAL accepts 10 to 86400 seconds", () => {
  for (const [raw, value] of [["10", 10], ["300", 300], ["86400", 86400]] as const) {
    assert.equal(loadConfig({ MCP_BG_CLEANUP_INTERVAL: raw }, CWD).cleanupIntervalSeconds, value);
  }
});

Deno.test("MCP_BG_CLEANUP_INTERVAL refuses values outside 10 to 86400", () => {
  for (const raw of ["0", "9", "86401", "60.5", "5m", "soon"]) {
    assertRefused({ MCP_BG_CLEANUP_INTERVAL: raw }, "MCP_BG_CLEANUP_INTERVAL", /from 10 to 86400/);
  }
});

Deno.test("MCP_BG_WORKING_DIR accepts an existing directory and resolves it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = loadConfig({ MCP_BG_WORKING_DIR: dir }, CWD);
    assert.equal(config.workingDir, await Deno.realPath(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCP_BG_WORKING_DIR refuses a missing path and a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/file.txt`;
    await Deno.writeTextFile(file, "not a directory");
    assertRefused({ MCP_BG_WORKING_DIR: file }, "MCP_BG_WORKING_DIR", /an existing directory/);
    const missing = `${dir}/missing`;
    assertRefused({ MCP_BG_WORKING_DIR: missing }, "MCP_BG_WORKING_DIR", /an existing directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCP_BG_ALLOWED_COMMANDS keeps each pattern exactly as written", () => {
  const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^ls ,^echo\\b,  ^git status$" }, CWD);
  const sources = config.allowedCommands!.map((pattern) => pattern.source);
  assert.deepEqual(sources, ["^ls ", "^echo\\b", "  ^git status$"]);
  const [ls] = config.allowedCommands!;
  assert.ok(ls!.test("ls -l"));
  assert.ok(!ls!.test("ls"), "the trailing space is part of the pattern");
  assert.ok(!ls!.test("lscpu"));
});

Deno.test("MCP_BG_ALLOWED_COMMANDS skips empty entries between commas", () => {
  const config = loadConfig({ MCP_BG_ALLOWED_COMMANDS: "^a,,^b," }, CWD);
  assert.deepEqual(config.allowedCommands!.map((pattern) => pattern.source), ["^a", "^b"]);
});

Deno.test("MCP_BG_ALLOWED_COMMANDS fails closed on an invalid or empty list", () => {
  for (const raw of ["^ls (", "[a-", "*", "", " ", ",,"]) {
    assertRefused(
      { MCP_BG_ALLOWED_COMMANDS: raw },
      "MCP_BG_ALLOWED_COMMANDS",
      /regular expressions/,
    );
  }
});

Deno.test("the first invalid variable is reported even when others are valid", () => {
  assertRefused(
    { MCP_BG_MAX_JOBS: "5", MCP_BG_CLEANUP_INTERVAL: "1" },
    "MCP_BG_CLEANUP_INTERVAL",
    /from 10 to 86400/,
  );
});

Deno.test("--help states each numeric range exactly as the validator takes it", () => {
  const help = helpText();
  const cases = [
    ["MCP_BG_MAX_JOBS", 1, 100],
    ["MCP_BG_JOB_TIMEOUT", 1, MAX_TIMER_SECONDS],
    ["MCP_BG_CLEANUP_INTERVAL", 10, 86400],
  ] as const;
  for (const [variable, min, max] of cases) {
    const line = help.split("\n").find((text) => text.trimStart().startsWith(variable))!;
    assert.ok(line.includes(`(${min}-${max})`), line);
    loadConfig({ [variable]: String(min) }, CWD);
    loadConfig({ [variable]: String(max) }, CWD);
    assertRefused({ [variable]: String(min - 1) }, variable, new RegExp(`from ${min} to ${max}`));
    assertRefused({ [variable]: String(max + 1) }, variable, new RegExp(`from ${min} to ${max}`));
  }
});

Deno.test("every setting's default, as --help shows it, is what loadConfig gives when unset", () => {
  const config = loadConfig({}, CWD);
  const byVariable = new Map(Object.entries(SETTINGS).map(([key, s]) => [s.variable, key]));
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const shown = setting.default;
    const value = config[key as keyof typeof config];
    // A default derived from another setting: `10 x MCP_BG_MAX_OUTPUT_SIZE`.
    const derived = /^(\d+) x (MCP_BG_\w+)$/.exec(shown);
    if (derived !== null) {
      const base = config[byVariable.get(derived[2] as `MCP_BG_${string}`) as keyof typeof config];
      assert.equal(value, Number(derived[1]) * (base as number), setting.variable);
    } else if (/^\d+$/.test(shown)) assert.equal(value, Number(shown), setting.variable);
    else if (/^\d+[KMG]B$/.test(shown)) assert.equal(value, parseByteSize(shown), setting.variable);
    else if (value === undefined || key === "workingDir") continue;
    // Otherwise the default is a word (auto, on) that gives the same value when written out.
    else assert.deepEqual(value, setting.read(shown, { env: {}, cwd: CWD }), setting.variable);
  }
});

Deno.test("unknownVariableWarnings() names the variable a misspelled MCP_BG_* one most likely meant", () => {
  const warnings = unknownVariableWarnings({
    ["MCP_BG_MAX_" + "JOB"]: "5",
    ["mcp_bg_job_" + "timeout"]: "60",
    ["MCP_BG_" + "SOMETHING_ELSE_ENTIRELY"]: "1",
    MCP_BG_MAX_JOBS: "3",
    PATH: "/bin",
  });
  assert.deepEqual(warnings, [
    "MCP_BG_MAX_JOB is not a variable this server reads (did you mean MCP_BG_MAX_JOBS?); it is ignored",
    "MCP_BG_SOMETHING_ELSE_ENTIRELY is not a variable this server reads (see --help for the list); " +
    "it is ignored",
    "mcp_bg_job_timeout is not a variable this server reads (did you mean MCP_BG_JOB_TIMEOUT?); " +
    "it is ignored",
  ]);
});

Deno.test("MCP_BG_MAX_HELD_OUTPUT defaults to ten times the per-stream cap and takes a byte size", () => {
  assert.equal(loadConfig({}, CWD).maxHeldOutput, 100 * 1024 ** 2);
  assert.equal(loadConfig({ MCP_BG_MAX_OUTPUT_SIZE: "2KB" }, CWD).maxHeldOutput, 20 * 1024);
  assert.equal(loadConfig({ MCP_BG_MAX_HELD_OUTPUT: " " }, CWD).maxHeldOutput, 100 * 1024 ** 2);
  assert.equal(loadConfig({ MCP_BG_MAX_HELD_OUTPUT: "1KB" }, CWD).maxHeldOutput, 1024);
  assert.equal(loadConfig({ MCP_BG_MAX_HELD_OUTPUT: "2GB" }, CWD).maxHeldOutput, 2 * 1024 ** 3);
  for (const raw of ["1023", "1025GB", "-1MB", "lots"]) {
    assertRefused({ MCP_BG_MAX_HELD_OUTPUT: raw }, "MCP_BG_MAX_HELD_OUTPUT", /from 1KB to 1024GB/);
  }
});
