/**
 * `read_job_output`: read output from a cursor, bounded by bytes or lines, or filtered.
 *
 * @module
 */
import { z } from "zod";
import type { McpServer } from "../sdk.ts";
import type { JobManager } from "../../jobs/job_table.ts";
import { filterStream, readStream, type StreamRead } from "../../output/reading.ts";
import { loadPatterns } from "../../output/load_patterns.ts";
import { jsonResult, runTool } from "../tool_result.ts";
import { jobIdSchema } from "../job_view.ts";
import { maxBytesSchema, rawSchema } from "../output_view.ts";
import { JOB_STATUSES } from "../../jobs/job.ts";
import { chosenStreams, cursorSchema, streamChoiceSchema } from "../stream_params.ts";

const streamResult = (stream: string) => ({
  [stream]: z.string(),
  [`${stream}_cursor`]: z.number().int(),
  [`${stream}_lost_bytes`]: z.number().int(),
  [`${stream}_omitted_bytes`]: z.number().int(),
  [`${stream}_matching_lines`]: z.number().int().nullable(),
});

// Built once and shared by every session's server: a zod schema costs kilobytes.
const DEFINITION = {
  description:
    "Output in pieces: without a cursor the newest max_bytes/lines; with a returned *_cursor, " +
    "what followed it (*_lost_bytes: lost to the cap). " +
    'filter: RE2 regex, matching lines as "<n>: <text>".',
  inputSchema: z.strictObject({
    job_id: jobIdSchema,
    stream: streamChoiceSchema,
    stdout_cursor: cursorSchema,
    stderr_cursor: cursorSchema,
    max_bytes: maxBytesSchema,
    lines: z.number().int().min(1).optional(),
    filter: z.string().min(1).optional(),
    raw: rawSchema,
  }),
  outputSchema: z.object({
    ...streamResult("stdout"),
    ...streamResult("stderr"),
    status: z.enum(JOB_STATUSES),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Registers `read_job_output` on `server`. */
export function registerReadJobOutput(server: McpServer, manager: JobManager): void {
  server.registerTool(
    "read_job_output",
    DEFINITION,
    (args) =>
      runTool("read_job_output", manager.logger, async () => {
        const job = manager.get(args.job_id);
        const filter = args.filter === undefined
          ? undefined
          : (await loadPatterns()).compilePattern("filter", args.filter);
        const final = job.status !== "running";
        const wanted = chosenStreams(args.stream);
        const result: Record<string, unknown> = {};
        for (const stream of ["stdout", "stderr"] as const) {
          const cursor = args[`${stream}_cursor`];
          const options = {
            cursor,
            maxBytes: args.max_bytes,
            lines: args.lines,
            final,
            raw: args.raw,
          };
          const read: StreamRead = !wanted.includes(stream)
            ? {
              text: "",
              // Not read: the cursor stays where the client had it, so passing it back misses nothing.
              cursor: cursor ?? 0,
              lostBytes: 0,
              omittedBytes: 0,
              matchingLines: null,
            }
            : filter === undefined
            ? readStream(job[stream], stream, options)
            : await filterStream(job[stream], stream, { ...options, filter });
          result[stream] = read.text;
          result[`${stream}_cursor`] = read.cursor;
          result[`${stream}_lost_bytes`] = read.lostBytes;
          result[`${stream}_omitted_bytes`] = read.omittedBytes;
          result[`${stream}_matching_lines`] = read.matchingLines;
        }
        result.status = job.status;
        return jsonResult(result);
      }),
  );
}
