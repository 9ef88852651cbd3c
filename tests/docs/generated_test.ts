/**
 * The generated parts of the docs agree with the code: the settings and flags with the tables
 * that drive `--help`, the tools and their inputs with a real `tools/list`.
 */
import assert from "node:assert/strict";
import { regenerate } from "../../scripts/docs.ts";

Deno.test("the docs' generated parts are what deno task docs writes from the code", async () => {
  const stale = [...await regenerate()]
    .filter(([, { before, after }]) => before !== after)
    .map(([path]) => path);
  assert.deepEqual(stale, [], `${stale.join(", ")} differ from the code: run deno task docs`);
});

Deno.test("every setting and every tool appears in its generated page", async () => {
  const { ENV_VARIABLES, FLAGS } = await import("../../lib/cli/cli.ts");
  const { listTools } = await import("../../scripts/docs.ts");
  const root = new URL("../../", import.meta.url);
  const configuration = await Deno.readTextFile(new URL("docs/configuration.md", root));
  for (const env of ENV_VARIABLES) {
    assert.match(configuration, new RegExp(`\\| \`${env.name}\` +\\|`));
  }
  for (const flag of Object.keys(FLAGS)) assert.ok(configuration.includes(`\`--${flag}`), flag);
  const tools = await Deno.readTextFile(new URL("docs/tools.md", root));
  const readme = await Deno.readTextFile(new URL("README.md", root));
  for (const tool of await listTools()) {
    assert.match(tools, new RegExp(`\\| \`${tool.name}\` +\\|`), tool.name);
    assert.ok(readme.includes(`- \`${tool.name}\`: `), tool.name);
    for (const input of Object.keys(tool.inputSchema.properties ?? {})) {
      assert.match(tools, new RegExp(`\\| \`${tool.name}\` +\\|[^\\n]*\`${input}\\??\`:`), input);
    }
  }
});
