/**
 * The front's transport: the client's stdio relayed byte for byte to a connection to the service
 * and back. MCP itself (tools, tasks, resources, logging) is the service's business, unchanged.
 *
 * @module
 */

/**
 * Relays `input` to `conn` and `conn` to `output` until the service side ends. When `input`
 * ends (the client went away) the connection's write half is closed, the service ends the
 * session, and the relay resolves.
 */
export async function relay(
  conn: Deno.Conn,
  streams: { input?: ReadableStream<Uint8Array>; output?: WritableStream<Uint8Array> } = {},
): Promise<void> {
  const input = streams.input ?? Deno.stdin.readable;
  const output = streams.output ?? Deno.stdout.writable;
  const up = input.pipeTo(conn.writable).catch(() => {
    // The service closed the connection first; the way down reports the end.
  });
  try {
    await conn.readable.pipeTo(output, { preventClose: true });
  } catch {
    // The client stopped reading, or the service died: the session is over either way.
  }
  void up;
}
