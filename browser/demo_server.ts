/**
 * A stand-in dev server for the console's screenshot and browser tests: it listens on the port
 * given (0 for a free one) and logs each request in colour, as real dev servers do.
 *
 * @module
 */
const port = Number(Deno.args[0] ?? "0");
const green = (text: string) => `\x1b[32m${text}\x1b[0m`;
const dim = (text: string) => `\x1b[2m${text}\x1b[0m`;
const bold = (text: string) => `\x1b[1m${text}\x1b[0m`;

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => {
    console.log(
      `\n  ${bold(green("DEMO"))} ${green("v1.0.0")}  ${dim("ready in 212 ms")}\n`,
    );
    console.log(
      `  ${green("➜")}  ${bold("Local:")}   \x1b[36mhttp://127.0.0.1:${port}/\x1b[0m`,
    );
  },
}, (request) => {
  const path = new URL(request.url).pathname;
  const status = path === "/" ? 200 : 404;
  const colour = status === 200 ? "\x1b[32m" : "\x1b[33m";
  console.log(
    `${
      dim(new Date().toISOString().slice(11, 19))
    } ${request.method} ${path} ${colour}${status}\x1b[0m`,
  );
  return new Response(status === 200 ? "hello" : "not found", { status });
});
