/**
 * Input fields shared by the tools that read or scan output by stream and cursor.
 *
 * @module
 */
import { z } from "zod";

/** Which streams a call looks at. */
export const streamChoiceSchema = z.enum(["stdout", "stderr", "both"]).default("both");

/**
 * A cursor: an absolute byte offset into one stream, as a previous call returned it. Its name says
 * which; the descriptions of the tools that take one say to pass back the returned one.
 */
export const cursorSchema = z.number().int().min(0).optional();

/** The streams named by a `stream` choice. */
export function chosenStreams(choice: "stdout" | "stderr" | "both"): ("stdout" | "stderr")[] {
  return choice === "both" ? ["stdout", "stderr"] : [choice];
}
