/**
 * The seccomp filter, tried by a hostile job: with MCP_BG_NETWORK=off no Unix socket on disk can
 * be reached (stream or datagram, Python or Perl, through socket() or a datagram socketpair),
 * while a stream socketpair still works; io_uring and new namespaces are refused either way.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { killIfAlive, waitUntilGone } from "../helpers/processes.ts";

// One line per attempt: what the job got. Run as `python3 attack.py <stream> <datagram>`.
const ATTACK = `
import ctypes, socket, sys
stream_path, dgram_path = sys.argv[1], sys.argv[2]
def attempt(name, action):
    try:
        print(name, action(), flush=True)
    except OSError as error:
        print(name, "errno", error.errno, flush=True)
def stream():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(stream_path)
    s.sendall(b"stolen")
    return "connected"
def dgram():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    return "sent %d" % s.sendto(b"stolen", dgram_path)
def dgram_pair():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    return "sent %d" % a.sendto(b"stolen", dgram_path)
def stream_pair():
    a, b = socket.socketpair()
    a.sendall(b"ping")
    return b.recv(4).decode()
libc = ctypes.CDLL(None, use_errno=True)
def syscall(number, *args):
    result = libc.syscall(number, *args)
    return "ok" if result >= 0 else "errno %d" % ctypes.get_errno()
params = ctypes.create_string_buffer(120)
attempt("stream", stream)
attempt("dgram", dgram)
attempt("dgram-pair", dgram_pair)
attempt("stream-pair", stream_pair)
print("io_uring", syscall(425, 1, params))
print("unshare-user", syscall(272, 0x10000000))
print("unshare-files", syscall(272, 0x400))
`;

// A datagram socket on the host that counts what reaches it until its stdin closes.
const DATAGRAM_LISTENER = `
import select, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
count = 0
while True:
    ready, _, _ = select.select([s, sys.stdin], [], [])
    if s in ready:
        s.recv(100)
        count += 1
    if sys.stdin in ready and sys.stdin.read(1) == "":
        break
print(count)
`;

/** A stream and a datagram Unix socket on disk outside /tmp, counting what reaches them. */
async function listeners() {
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp", prefix: "mcp-bg-" }));
  await Deno.writeTextFile(`${dir}/attack.py`, ATTACK);
  const streamPath = `${dir}/stream.sock`;
  const dgramPath = `${dir}/dgram.sock`;
  const stream = Deno.listen({ transport: "unix", path: streamPath });
  let streamBytes = 0;
  const accepting = (async () => {
    for await (const connection of stream) {
      for await (const chunk of connection.readable) streamBytes += chunk.length;
    }
  })();
  const dgram = new Deno.Command("python3", {
    args: ["-c", DATAGRAM_LISTENER, dgramPath],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const dgramOutput = dgram.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let ready = "";
  while (!ready.includes("\n")) ready += (await dgramOutput.read()).value;
  assert.equal(ready, "ready\n");
  // Jobs may run as another user than the test in the unprivileged runs: let them try.
  await Deno.chmod(dir, 0o755);
  for (const path of [streamPath, dgramPath]) await Deno.chmod(path, 0o777);
  return {
    dir,
    command: `python3 ${dir}/attack.py ${streamPath} ${dgramPath}`,
    perl: `perl -MIO::Socket::UNIX -e 'print "perl ", ` +
      `(IO::Socket::UNIX->new(Peer => $ARGV[0]) ? "connected" : "$!"), "\\n"' ${streamPath}`,
    /** Closes both sockets and says how many bytes and datagrams reached them. */
    async close(): Promise<{ streamBytes: number; datagrams: number }> {
      stream.close();
      await accepting.catch(() => {}); // the listener was closed: accepting ends with an error
      await dgram.stdin.close();
      let rest = "";
      for (let read = await dgramOutput.read(); !read.done; read = await dgramOutput.read()) {
        rest += read.value;
      }
      await dgram.status;
      await waitUntilGone(dgram.pid);
      await Deno.remove(dir, { recursive: true });
      return { streamBytes, datagrams: Number(rest.trim()) };
    },
    pid: dgram.pid,
  };
}

async function runJob(server: TestServer, command: string) {
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", { command });
  await server.waitForEnd(job_id);
  const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", { job_id });
  return Object.fromEntries(
    output.stdout.trim().split("\n").map((line) => {
      const space = line.indexOf(" ");
      return [line.slice(0, space), line.slice(space + 1)];
    }),
  );
}

Deno.test({
  name: "MCP_BG_NETWORK=off: a contained job reaches no Unix socket on disk, socketpair works",
  ignore: noContainment,
  fn: async () => {
    const sockets = await listeners();
    try {
      {
        await using server = await TestServer.start({
          env: { ...CONTAINED, MCP_BG_NETWORK: "off" },
        });
        assert.deepEqual(await runJob(server, sockets.command), {
          stream: "errno 1",
          dgram: "errno 1",
          "dgram-pair": "errno 1",
          "stream-pair": "ping",
          io_uring: "errno 38",
          "unshare-user": "errno 1",
          "unshare-files": "ok",
        });
        assert.deepEqual(await runJob(server, sockets.perl), {
          perl: "Operation not permitted",
        });
      }
      assert.deepEqual(await sockets.close(), { streamBytes: 0, datagrams: 0 });
    } finally {
      killIfAlive(sockets.pid);
    }
  },
});

Deno.test({
  name: "network on: Unix sockets stay reachable, io_uring and new namespaces are still refused",
  ignore: noContainment,
  fn: async () => {
    const sockets = await listeners();
    try {
      {
        await using server = await TestServer.start({ env: CONTAINED });
        assert.deepEqual(await runJob(server, sockets.command), {
          stream: "connected",
          dgram: "sent 6",
          "dgram-pair": "sent 6",
          "stream-pair": "ping",
          io_uring: "errno 38",
          "unshare-user": "errno 1",
          "unshare-files": "ok",
        });
        assert.deepEqual(await runJob(server, sockets.perl), { perl: "connected" });
      }
      assert.deepEqual(await sockets.close(), { streamBytes: 6, datagrams: 2 });
    } finally {
      killIfAlive(sockets.pid);
    }
  },
});
