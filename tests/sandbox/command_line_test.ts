import assert from "node:assert/strict";
import { splitCommandLine } from "../../lib/sandbox/command_line.ts";
import { InvalidCommandError } from "../../lib/errors.ts";

// Expected values are what Python's `shlex.split` returns for the same input, so command lines
// written for the Python server split the same way here.
const CASES: [string, string[]][] = [
  [`echo "a b" 'c'd`, ["echo", "a b", "cd"]],
  ["echo a | wc -l", ["echo", "a", "|", "wc", "-l"]],
  ["  lead  trail  ", ["lead", "trail"]],
  ["a\tb\nc\r d", ["a", "b", "c", "d"]],
  ["", []],
  [" \t\n ", []],
  // Empty and adjacent quotes.
  ["a '' b", ["a", "", "b"]],
  ['a "" b', ["a", "", "b"]],
  ["''", [""]],
  ['""', [""]],
  [`a'b'"c"d`, ["abcd"]],
  ["'it''s'", ["its"]],
  [`"it's"`, ["it's"]],
  [`'say "hi"'`, ['say "hi"']],
  // Escapes outside quotes: the next character is literal.
  ["a\\ b", ["a b"]],
  ['a\\"b', ['a"b']],
  ["a\\'", ["a'"]],
  ["a\\\\", ["a\\"]],
  ["abc\\ ", ["abc "]],
  ["a\\\nb", ["a\nb"]],
  // In double quotes only \" and \\ are escapes; any other backslash stays.
  ['"a\\"b"', ['a"b']],
  ['"a\\\\b"', ["a\\b"]],
  ['"a\\nb"', ["a\\nb"]],
  ['"a\\$b"', ["a\\$b"]],
  // In single quotes nothing is special.
  ["'a\\nb'", ["a\\nb"]],
  // No expansion, no comments, no operators.
  ["x#y # z", ["x#y", "#", "z"]],
  ["echo $(id) `id` ~ *", ["echo", "$(id)", "`id`", "~", "*"]],
  ["a;b&&c", ["a;b&&c"]],
  ["é ü", ["é", "ü"]],
];

for (const [line, expected] of CASES) {
  Deno.test(`splitCommandLine(${JSON.stringify(line)}) splits like shlex`, () => {
    assert.deepEqual(splitCommandLine(line), expected);
  });
}

const ERRORS: [string, string][] = [
  ["'abc", "Invalid command: No closing quotation"],
  ['"abc', "Invalid command: No closing quotation"],
  [`a "b'`, "Invalid command: No closing quotation"],
  ['"abc\\\\', "Invalid command: No closing quotation"],
  ["echo 'unbalanced", "Invalid command: No closing quotation"],
  ["abc\\", "Invalid command: No escaped character"],
  ['"abc\\', "Invalid command: No escaped character"],
];

for (const [line, message] of ERRORS) {
  Deno.test(`splitCommandLine(${JSON.stringify(line)}) refuses with "${message}"`, () => {
    assert.throws(() => splitCommandLine(line), (error: unknown) => {
      assert.ok(error instanceof InvalidCommandError);
      assert.equal(error.message, message);
      return true;
    });
  });
}
