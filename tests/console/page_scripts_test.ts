/**
 * The console's scripts are JavaScript inside TypeScript template strings: an escape written for
 * TypeScript (`"\n"` where the browser needs `"\\n"`) breaks the whole page with a syntax error no
 * type check sees. Each script must at least parse.
 */
import assert from "node:assert/strict";
import { CONSOLE_SCRIPT } from "../../lib/console/page_script.ts";
import { APP_SCRIPT } from "../../lib/console/app_script.ts";
import { LOGIN_SCRIPT } from "../../lib/console/page_html.ts";

// A module's body may await at its top level, as an async function's may.
const AsyncFunction = (async () => {}).constructor as FunctionConstructor;

Deno.test("every console script parses as JavaScript", () => {
  for (const [name, script] of Object.entries({ CONSOLE_SCRIPT, APP_SCRIPT, LOGIN_SCRIPT })) {
    // Parsed, never run: a function body is checked for syntax when it is made.
    assert.doesNotThrow(() => new AsyncFunction(script), name);
  }
});
