/**
 * `read_job_output`: read output from a cursor, bounded by bytes or lines, or filtered.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { compilePattern, readStream, type StreamRead } from "../../output/reading.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";
import { chosenStreams, cursorSchema, streamChoiceSchema } from "../stream_params.ts";

const streamResult = (stream: string) => ({
  [stream]: z.string(),
  [`${stream}_cursor`]: z.number().int().describe(
    `pass as ${stream}_cursor to continue right after this read`,
  ),
  [`${stream}_lost_bytes`]: z.number().int().describe(
    "bytes after your cursor that the size cap dropped before they were read",
  ),
  [`${stream}_omitted_bytes`]: z.number().int().describe(
    "bytes of the range left out by max_bytes/lines: before the text without a cursor, after it " +
      "with one (read again from the new cursor to get them)",
  ),
  [`${stream}_matching_lines`]: z.number().int().nullable().describe(
    "with filter: matching lines found in the range; null without filter",
  ),
});

/** Registers `read_job_output` on `server`. */
export function registerReadJobOutput(server: McpServer, manager: JobManager): void {
  server.registerTool("read_job_output", {
    title: "Read a job's output in pieces",
    description:
      "Read a job's output without re-reading what you have seen or flooding your context. " +
      "Pass stdout_cursor/stderr_cursor from the previous read to get only what came after " +
      "(each byte is returned exactly once; *_lost_bytes says what the size cap dropped in " +
      "between). Without a cursor, max_bytes/lines keep the newest output; with one, the read " +
      "goes forward from it. filter (a JavaScript regular expression) returns only matching " +
      'lines as "<line number>: <text>".',
    inputSchema: z.strictObject({
      job_id: jobIdSchema,
      stream: streamChoiceSchema,
      stdout_cursor: cursorSchema("stdout"),
      stderr_cursor: cursorSchema("stderr"),
      max_bytes: z.number().int().min(16).optional().describe("at most this many bytes per stream"),
      lines: z.number().int().min(1).optional().describe("at most this many lines per stream"),
      filter: z.string().min(1).optional().describe(
        "only lines matching this regular expression (JavaScript syntax), with 1-based line numbers",
      ),
    }),
    outputSchema: z.object({
      ...streamResult("stdout"),
      ...streamResult("stderr"),
      status: z.enum(["running", "completed", "failed", "killed"]),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) =>
    runTool("read_job_output", () => {
      const job = manager.get(args.job_id);
      const filter = args.filter === undefined ? undefined : compilePattern("filter", args.filter);
      const final = job.status !== "running";
      const wanted = chosenStreams(args.stream);
      const result: Record<string, unknown> = {};
      for (const stream of ["stdout", "stderr"] as const) {
        const cursor = args[`${stream}_cursor`];
        const read: StreamRead = wanted.includes(stream)
          ? readStream(job[stream], stream, {
            cursor,
            maxBytes: args.max_bytes,
            lines: args.lines,
            filter,
            final,
          })
          : {
            text: "",
            // Not read: the cursor stays where the client had it, so passing it back misses nothing.
            cursor: cursor ?? 0,
            lostBytes: 0,
            omittedBytes: 0,
            matchingLines: null,
          };
        result[stream] = read.text;
        result[`${stream}_cursor`] = read.cursor;
        result[`${stream}_lost_bytes`] = read.lostBytes;
        result[`${stream}_omitted_bytes`] = read.omittedBytes;
        result[`${stream}_matching_lines`] = read.matchingLines;
      }
      result.status = job.status;
      return jsonResult(result);
    }));
}
