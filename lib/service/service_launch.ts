/**
 * How a front starts the service: the same Deno executable, the same flags (permissions
 * included) and the same entry script as this process, with `--service`. Read from
 * /proc/self/cmdline, so the service is started as narrowly as the front was, whatever launched
 * the front (npm's deno wrapper included: `Deno.execPath()` is the real executable).
 *
 * @module
 */

/** The arguments of this process before its own (Deno's flags and the entry script). */
export function launchArguments(): string[] {
  let words: string[];
  try {
    words = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
  } catch (error) {
    throw new Error("Cannot start the service: /proc/self/cmdline is unreadable", {
      cause: error,
    });
  }
  if (words.at(-1) === "") words.pop();
  return words.slice(1, words.length - Deno.args.length);
}

/**
 * Starts the service detached (its own session: it outlives this front) and waits for its first
 * line: `ready`, or why it could not start.
 *
 * @throws {Error} with the service's own reason when it did not start.
 */
export async function spawnService(extraArgs: readonly string[]): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...launchArguments(), "--service", ...extraArgs],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  const line = text.split("\n")[0]!;
  if (line !== "ready") {
    throw new Error(`The job service did not start: ${line || "it exited without a word"}`);
  }
}
