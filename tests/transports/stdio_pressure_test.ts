import assert from "node:assert/strict";
import { StdioTransport } from "../../lib/transports/stdio_transport.ts";
import {
  bytesReadBy,
  delay,
  killIfAlive,
  memoryOf,
  residentBytes,
  waitUntilGone,
} from "../helpers/processes.ts";
import { DENO_RUN, MAIN } from "../helpers/server_entry.ts";

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

function line(message: unknown): string {
  return JSON.stringify(message) + "\n";
}

/** Every message a transport reading `input` passes on, once the input has ended. */
async function messagesFrom(input: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const transport = new StdioTransport({ input, output: new WritableStream() });
  const received: unknown[] = [];
  transport.onmessage = (message) => received.push(message);
  const closed = new Promise<void>((resolve) => transport.onclose = resolve);
  await transport.start();
  await closed;
  return received;
}

Deno.test("a line sent a byte at a time is held in one buffer, not one array per byte", async () => {
  const bytes = 400_000;
  const request = encoder.encode(line({ jsonrpc: "2.0", id: 7, method: "ping" }));
  let sent = 0;
  let peak = 0;
  const before = isolateBytes();
  // Spaces before the request: valid JSON, delivered as one-byte pieces.
  const input = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent % 50_000 === 0) peak = Math.max(peak, isolateBytes());
      if (sent++ < bytes) controller.enqueue(new Uint8Array([0x20]));
      else {
        controller.enqueue(request);
        controller.close();
      }
    },
  });
  const received = await messagesFrom(input);
  assert.deepEqual(received, [{ jsonrpc: "2.0", id: 7, method: "ping" }]);
  // One small array per byte costs about 89 MiB of heap here; one growing buffer, under 2 MiB.
  assert.ok(peak - before < 48 * MiB, `the isolate's memory grew ${(peak - before) / MiB} MiB`);
});

Deno.test("a byte stream is read into one reused buffer: lines split across reads arrive whole", async () => {
  const lines = Array.from({ length: 40 }, (_, id) => line({ jsonrpc: "2.0", id, method: "ping" }));
  const bytes = encoder.encode(lines.join(""));
  let sent = 0;
  const bufferSizes = new Set<number>();
  // A byte stream like stdin; each read fills the reader's own buffer with 1 to 97 bytes (a
  // default reader has none to offer here: it would need the stream to allocate each chunk).
  const input = new ReadableStream({
    type: "bytes",
    pull(controller) {
      const view = controller.byobRequest!.view! as Uint8Array;
      const size = Math.min(bytes.length - sent, 1 + (sent * 31) % 97, view.byteLength);
      view.set(bytes.subarray(sent, sent + size));
      sent += size;
      bufferSizes.add(view.buffer.byteLength);
      controller.byobRequest!.respond(size);
      if (sent === bytes.length) controller.close();
    },
  });
  const received = await messagesFrom(input);
  assert.deepEqual(received, lines.map((text) => JSON.parse(text)));
  // Every read filled the transport's one 64 KiB buffer, handed back from read to read.
  assert.deepEqual([...bufferSizes], [64 * 1024]);
});

/**
 * This isolate's heap and array buffers: unlike the process's RSS, it leaves out the test files
 * that `deno test --parallel` runs in other workers of the same process.
 */
function isolateBytes(): number {
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

/** A raw line reader over the server's stdout. */
function replies(stdout: ReadableStream<Uint8Array>) {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  return {
    /** The next answer (notifications are skipped). */
    async next(): Promise<{ id?: number; result?: Record<string, unknown> }> {
      const reply = await this.message();
      if (reply.id === undefined) return await this.next();
      assert.ok(reply.result !== undefined, JSON.stringify(reply));
      return reply;
    },
    async message(): Promise<{ id?: number; result?: Record<string, unknown> }> {
      let newline = text.indexOf("\n");
      while (newline === -1) {
        const { value, done } = await reader.read();
        if (done) throw new Error("The server's output ended");
        const searched = text.length;
        text += value;
        newline = text.indexOf("\n", searched);
      }
      const reply = JSON.parse(text.slice(0, newline));
      text = text.slice(newline + 1);
      return reply;
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("a client that floods requests without reading answers does not grow the server", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    // --deny-ffi: the server stays dumpable, so /proc/<pid>/io can be read by a non-root test.
    args: [...DENO_RUN, "-A", "--deny-ffi", MAIN],
    env: { NO_COLOR: "1", MCP_BG_CONTAINMENT: "off" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const writer = child.stdin.getWriter();
    const output = replies(child.stdout);
    const call = (id: number, name: string, args: unknown) =>
      line({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
    const initialize = {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "flood", version: "1.0.0" },
    };
    await writer.write(encoder.encode(
      line({ jsonrpc: "2.0", id: 0, method: "initialize", params: initialize }) +
        line({ jsonrpc: "2.0", method: "notifications/initialized" }) +
        call(1, "execute_command", { command: "sh -c 'yes $(printf %0999d 0) | head -c 500000'" }),
    ));
    await output.next();
    const started = await output.next();
    const jobId = (started.result!.structuredContent as { job_id: string }).job_id;
    await writer.write(encoder.encode(call(2, "wait_for_job", { job_id: jobId })));
    await output.next();
    const before = residentBytes(child.pid);
    // Each answer carries the 500 kB output twice: 120 unread answers would hold about 120 MB.
    const count = 120;
    let flood = "";
    for (let id = 3; id < 3 + count; id++) {
      flood += call(id, "get_job_output", { job_id: jobId, max_bytes: 500_000 });
    }
    const bytes = encoder.encode(flood);
    const readBefore = bytesReadBy(child.pid);
    const writing = writer.write(bytes);
    // Measure only once the server has read the whole flood (the kernel counts its reads), so
    // the bound cannot pass because nothing was read yet.
    for (let waited = 0; bytesReadBy(child.pid) - readBefore < bytes.length; waited += 20) {
      if (waited > 60_000) throw new Error("The server never read the flood");
      await delay(20);
    }
    // A second for the answers to pile up if they would; the kernel's peak RSS (VmHWM) then
    // holds any spike, not only what a sample happened to see.
    await delay(1000);
    const grown = memoryOf(child.pid).hwm - before;
    assert.ok(grown < 48 * MiB, `resident memory grew ${grown / MiB} MiB`);
    // Read now: every request is answered, in order.
    for (let id = 3; id < 3 + count; id++) {
      const reply = await output.next();
      assert.equal(reply.id, id);
      assert.equal((reply.result!.structuredContent as { stdout: string }).stdout.length, 500_000);
    }
    await writing;
    await writer.close();
    await output.cancel();
    await child.status;
  } finally {
    killIfAlive(child.pid);
  }
  await waitUntilGone(child.pid);
});
