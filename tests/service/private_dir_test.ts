/**
 * The service's folders are trusted only when private: a folder open to others, a symlink in its
 * place, or one owned by another user is refused, never used.
 */
import assert from "node:assert/strict";
import { privateDirectory } from "../../lib/service/private_dir.ts";
import { serviceBase } from "../../lib/service/service_paths.ts";
import { StartupError } from "../../lib/errors.ts";

Deno.test("a missing private folder is made 0700, with its parents", async () => {
  const base = await Deno.makeTempDir();
  try {
    const dir = privateDirectory(`${base}/a/b`);
    assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a folder open to group or others is refused", async () => {
  const base = await Deno.makeTempDir();
  try {
    for (const mode of [0o755, 0o710, 0o701, 0o777]) {
      await Deno.mkdir(`${base}/open`, { mode });
      await Deno.chmod(`${base}/open`, mode);
      assert.throws(() => privateDirectory(`${base}/open`), StartupError);
      await Deno.remove(`${base}/open`);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a symlink standing in for the folder is refused, even to a private folder", async () => {
  const base = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${base}/real`, { mode: 0o700 });
    await Deno.symlink(`${base}/real`, `${base}/link`);
    assert.throws(() => privateDirectory(`${base}/link`), /not a directory/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test({
  name: "a fallback folder another user made first in the temp dir is refused",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const temp = await Deno.makeTempDir();
    try {
      // Someone else pre-creates the uid-named folder, private to them.
      const squatted = `${temp}/mcp-background-job-${Deno.uid()}`;
      await Deno.mkdir(squatted, { mode: 0o700 });
      await Deno.chown(squatted, 65534, 65534);
      assert.throws(() => serviceBase({ TMPDIR: temp }), /belongs to uid 65534/);
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
});
