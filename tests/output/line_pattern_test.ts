import assert from "node:assert/strict";
import { compilePattern, MAX_PATTERN_LENGTH } from "../../lib/output/line_pattern.ts";

// Each takes exponential time in a backtracking engine on a long run of "a" that then fails.
const CATASTROPHIC = [
  "(a+)+$", // nested quantifiers
  "(a*)*b$",
  "((a+)*)+$",
  "(a|a)+$", // alternation whose branches overlap
  "(a|aa)+$",
  "(a|a?)+$",
  "^(\\w+\\s?)+$",
  "(.*a){12}$",
  "^(a+|b+)*c",
  "(x+x+)+y",
];

Deno.test("compilePattern() runs catastrophic patterns in time linear in the line", () => {
  const long = "a".repeat(100_000) + "!";
  const short = "a".repeat(12) + "!";
  for (const source of CATASTROPHIC) {
    const pattern = compilePattern("pattern", source);
    // The answer agrees with JavaScript's on a line short enough for backtracking to finish.
    assert.equal(pattern.test(short), new RegExp(source).test(short), source);
    assert.equal(pattern.test(long), new RegExp(source).test(short), source);
    assert.equal(pattern.anyLineMatches(`${long}\n${long}`), pattern.test(long), source);
  }
});

Deno.test("compilePattern() refuses what needs backtracking and names the construct", () => {
  const refused: [string, RegExp][] = [
    ["(a)\\1", /backreference \\N \(at character 4\)/],
    ["(a)(b)\\2+", /backreference \\N/],
    ["(?<word>a)\\k<word>", /backreference \\k<name>/],
    ["foo(?=bar)", /lookahead \(\?=…\) \(at character 4\)/],
    ["foo(?!bar)", /negative lookahead \(\?!…\)/],
    ["(?>a+)b", /atomic group/],
    ["a++", /possessive quantifier/],
  ];
  for (const [source, reason] of refused) {
    assert.throws(() => compilePattern("filter", source), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^Invalid filter ${RegExp.escape(JSON.stringify(source))}: `),
      );
      assert.match(error.message, reason);
      assert.match(error.message, /linear-time engine \(RE2 syntax\)/);
      return true;
    });
  }
  // The same characters escaped or inside a class are ordinary.
  assert.ok(compilePattern("filter", "\\\\1").test("\\1"));
  assert.ok(compilePattern("filter", "[(?=]").test("="));
  assert.ok(compilePattern("filter", "\\(?=").test("="));
});

Deno.test("compilePattern() explains RE2's own refusals", () => {
  assert.throws(() => compilePattern("pattern", "a{1001}"), /invalid repeat count.*above 1000/);
  assert.throws(() => compilePattern("pattern", "(a{100}){100}"), /nested counts/);
  assert.throws(() => compilePattern("pattern", "(?<=(a))b"), /invalid capture in lookbehind/);
  assert.throws(() => compilePattern("pattern", "[z-a]"), /Invalid pattern "\[z-a\]": invalid/);
  assert.throws(() => compilePattern("pattern", "a{2}+"), /possessive quantifiers/);
  const long = "a".repeat(MAX_PATTERN_LENGTH + 1);
  assert.throws(() => compilePattern("pattern", long), /1001 characters long; at most 1000/);
});

Deno.test("compilePattern() runs lookbehind, JavaScript escapes and RE2 extras", () => {
  const cases: [string, string, boolean][] = [
    ["(?<=a)b", "ab", true],
    ["(?<=a)b", "cb", false],
    ["(?<!a)b", "cb", true],
    ["(?<!a)b", "ab", false],
    ["(?<=^|\\s)ok", "all ok", true],
    ["\\u00e9t\\u00e9", "été", true],
    ["\\u{1F600}", "😀", true],
    ["(?<name>\\d+) ms", "took 42 ms", true],
    ["^\\S+$", "no spaces", false],
    ["(?i)ERROR", "error: x", true],
    ["\\p{Greek}+", "αβγ", true],
    ["[[:digit:]]{3}", "a123", true],
  ];
  for (const [source, line, expected] of cases) {
    assert.equal(compilePattern("pattern", source).test(line), expected, `${source} on ${line}`);
  }
});

Deno.test("LinePattern.anyLineMatches() never rules out a block with a matching line", () => {
  const sources = [
    "^a",
    "b$",
    "^$",
    "\\ba b\\b",
    "\\Aa",
    "b\\z",
    "(?<=^)b",
    "(?<!\\s)a",
    "(?<=a)b",
    "^(a|b)+$",
    "a\\s+b",
    "[^a]b",
    "(?-m:^)a",
    "(?s)a.b",
  ];
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const line = () => Array.from({ length: random(5) }, () => "ab \t"[random(4)]).join("");
  for (const source of sources) {
    const pattern = compilePattern("pattern", source);
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + random(4) }, line);
      if (lines.some((text) => pattern.test(text))) {
        assert.ok(
          pattern.anyLineMatches(lines.join("\n")),
          `${source} on ${JSON.stringify(lines)}`,
        );
      }
    }
  }
});
