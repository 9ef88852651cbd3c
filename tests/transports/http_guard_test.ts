import assert from "node:assert/strict";
import { createGuard } from "../../lib/transports/http_guard.ts";

function statusFor(guard: ReturnType<typeof createGuard>, host: string, origin?: string) {
  const headers: Record<string, string> = { host };
  if (origin !== undefined) headers.origin = origin;
  return guard(new Request(`http://${host}/mcp`, { headers }))?.status ?? 200;
}

Deno.test("an Origin is matched with its scheme's port: https://localhost is not a port-80 server", () => {
  const guard = createGuard({ host: "127.0.0.1", port: 80 });
  assert.equal(statusFor(guard, "localhost", "http://localhost"), 200);
  assert.equal(statusFor(guard, "localhost", "http://localhost:80"), 200);
  for (const origin of ["https://localhost", "https://127.0.0.1", "https://[::1]"]) {
    assert.equal(statusFor(guard, "localhost", origin), 403, origin);
  }
  const on443 = createGuard({ host: "127.0.0.1", port: 443 });
  assert.equal(statusFor(on443, "localhost:443", "https://localhost"), 200);
  assert.equal(statusFor(on443, "localhost:443", "http://localhost"), 403);
});
