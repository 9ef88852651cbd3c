import assert from "node:assert/strict";
import { loadQuickFileChecks, locateProgram } from "../../lib/sandbox/program_path.ts";

Deno.test("program lookups find the same before and after the quick file checks are loaded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const entries = ["missing", "plain", "nodir", "runnable", "dangling"].map((name) =>
      `${dir}/${name}`
    );
    await Deno.mkdir(`${dir}/plain`);
    await Deno.writeTextFile(`${dir}/plain/tool`, "#!/bin/sh\n");
    await Deno.mkdir(`${dir}/nodir`);
    await Deno.mkdir(`${dir}/nodir/tool`);
    await Deno.mkdir(`${dir}/runnable`);
    await Deno.writeTextFile(`${dir}/runnable/tool`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.mkdir(`${dir}/dangling`);
    await Deno.symlink(`${dir}/gone`, `${dir}/dangling/tool`);
    const lookups = () =>
      [
        entries.join(":"),
        entries.filter((entry) => !entry.endsWith("runnable")).join(":"),
        `${dir}/dangling:${dir}/runnable`,
      ].map((searchPath) => locateProgram("tool", { cwd: dir, searchPath })?.path);
    const before = lookups();
    assert.deepEqual(before, [`${dir}/runnable/tool`, undefined, `${dir}/runnable/tool`]);
    await loadQuickFileChecks();
    assert.deepEqual(lookups(), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
