/**
 * Test helper: reading the rows of `/proc/self/limits` a job printed.
 *
 * @module
 */

/**
 * The soft and hard values (`"40 40"`) of the rows named in `expected` (`"processes"`,
 * `"address space"`, …) within `text`, as a job's `cat /proc/self/limits` printed them.
 */
export function limitRows(text: string, expected: Record<string, string>): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of text.replaceAll("\r", "").split("\n")) {
    const match = /^Max (\w+(?: \w+)?)\s+(\S+)\s+(\S+)/.exec(line);
    if (match !== null && match[1]! in expected) rows[match[1]!] = `${match[2]} ${match[3]}`;
  }
  return rows;
}
