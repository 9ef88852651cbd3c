/**
 * Where the server's memory is: V8 heap snapshots of a fresh stdio server (over the inspector
 * protocol) right after `initialize` and in the middle of a 100 MB flood, summed by kind and by
 * constructor, beside the process's RSS at the same moments.
 *
 *   deno run -A bench/heap_snapshot.ts [--entry <main.ts>] [--keep <dir>]
 *
 * `--keep` writes the `.heapsnapshot` files there too (they open in Chrome's DevTools).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { TestServer } from "../tests/helpers/mcp_client.ts";
import { memoryOf } from "../tests/helpers/processes.ts";
import { waitEnded } from "./job_latency.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const MIB = 1024 * 1024;

/** The parts of a `.heapsnapshot` file that the summary reads. */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Asks the inspector at `port` for a heap snapshot (after a full GC) and returns its JSON text. */
async function takeSnapshot(port: number): Promise<string> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const chunks: string[] = [];
  let nextId = 1;
  const pending = new Map<number, () => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(message.params.chunk);
    if (message.id !== undefined) pending.get(message.id)?.();
  };
  const send = (method: string) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params: {} }));
    });
  await send("HeapProfiler.enable");
  await send("HeapProfiler.collectGarbage");
  await send("HeapProfiler.takeHeapSnapshot");
  socket.close();
  return chunks.join("");
}

/** Self sizes summed per node kind and per (kind, name), largest first. */
function summarize(
  text: string,
): { total: number; kinds: [string, number][]; names: [string, number][] } {
  const snapshot = JSON.parse(text) as Snapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const kinds = new Map<string, number>();
  const names = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const kind = types[snapshot.nodes[i + typeAt]];
    const size = snapshot.nodes[i + sizeAt];
    const name = kind === "string" || kind === "concatenated string" || kind === "sliced string"
      ? "(strings)"
      : snapshot.strings[snapshot.nodes[i + nameAt]].slice(0, 60);
    total += size;
    kinds.set(kind, (kinds.get(kind) ?? 0) + size);
    const key = `${kind}: ${name}`;
    names.set(key, (names.get(key) ?? 0) + size);
  }
  const largest = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, kinds: largest(kinds), names: largest(names).slice(0, 25) };
}

function report(label: string, pid: number, text: string): void {
  const { rss } = memoryOf(pid);
  const { total, kinds, names } = summarize(text);
  console.log(
    `\n## ${label}: RSS ${(rss / MIB).toFixed(1)} MiB, heap ${(total / MIB).toFixed(1)} MiB`,
  );
  for (const [kind, size] of kinds) {
    console.log(`  ${(size / MIB).toFixed(2).padStart(6)} MiB  ${kind}`);
  }
  console.log("  largest (kind: name):");
  for (const [name, size] of names) {
    console.log(`  ${(size / MIB).toFixed(2).padStart(6)} MiB  ${name}`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { entry: { type: "string", default: MAIN }, keep: { type: "string" } },
  });
  const port = 9300 + Math.floor(Math.random() * 600);
  await using server = await TestServer.start({
    entry: values.entry,
    permissions: ["-A", `--inspect=127.0.0.1:${port}`],
  });
  const keep = (name: string, text: string) => {
    if (values.keep) Deno.writeTextFileSync(`${values.keep}/${name}.heapsnapshot`, text);
  };
  await server.ok("list_jobs");
  const idleRss = memoryOf(server.pid).rss;
  const idle = await takeSnapshot(port);
  keep("idle", idle);
  report("After initialize", idleRss, idle);
  const bytes = 100_000_000;
  const jobId = await server.start(`sh -c "yes | head -c ${bytes}"`);
  // Mid-flood: once a quarter of it has been read.
  while (true) {
    const status = await server.ok<{ stdout_bytes: number }>("get_job_status", { job_id: jobId });
    if (status.stdout_bytes >= bytes / 4) break;
  }
  const floodRss = memoryOf(server.pid).rss;
  const flood = await takeSnapshot(port);
  keep("flood", flood);
  report("During a 100 MB flood", floodRss, flood);
  await waitEnded(server, jobId, 10);
}
