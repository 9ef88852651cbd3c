import assert from "node:assert/strict";
import { TestServer } from "../../helpers/mcp_client.ts";
import { waitUntilGone } from "../../helpers/processes.ts";
import { CONTAINED, noContainment } from "../../helpers/containment.ts";

interface Listening {
  port: number;
  address: string;
}
interface Status {
  status: string;
  pid: number;
  listening: Listening[];
  reason?: string;
}

Deno.test("a dev server started by a grandchild after a delay: wait_for_job port returns when it listens, status says where", async () => {
  await using server = await TestServer.start();
  const work = await Deno.makeTempDir({ prefix: "mcp-bg-readiness-" });
  try {
    // job sh → sh → python3: the listener is a grandchild, started only once the test has seen
    // the job listen nowhere and creates the file "go".
    const id = await server.start(
      `sh -c "sh -c 'until [ -e ${work}/go ]; do sleep 0.05; done; ` +
        `python3 -m http.server 0 --bind 127.0.0.1' & wait"`,
    );
    const before = await server.ok<Status>("get_job_status", { job_id: id });
    assert.deepEqual(before.listening, []);
    await Deno.writeTextFile(`${work}/go`, "");
    const ready = await server.ok<Status>("wait_for_job", { job_id: id, port: true, timeout: 30 });
    assert.equal(ready.reason, "listening");
    assert.equal(ready.status, "running");
    assert.equal(ready.listening.length, 1);
    const [socket] = ready.listening;
    assert.equal(socket!.address, "127.0.0.1");
    // The server's own words agree on the port.
    const said = await server.ok<{ match: { text: string } }>("wait_for_job", {
      job_id: id,
      pattern: "Serving HTTP on",
      timeout: 30,
    });
    assert.match(said.match.text, new RegExp(`port ${socket!.port}\\b`));
    const status = await server.ok<Status>("get_job_status", { job_id: id });
    assert.deepEqual(status.listening, ready.listening);
    const { jobs } = await server.ok<{ jobs: (Status & { job_id: string })[] }>("list_jobs");
    assert.deepEqual(jobs.find((job) => job.job_id === id)!.listening, ready.listening);
    // A wait for that very port returns at once; one for another port waits.
    const same = await server.ok<Status>("wait_for_job", {
      job_id: id,
      port: socket!.port,
      timeout: 30,
    });
    assert.equal(same.reason, "listening");
    const other = await server.ok<Status>("wait_for_job", {
      job_id: id,
      port: socket!.port === 1 ? 2 : 1,
      timeout: 0.5,
    });
    assert.equal(other.reason, "timeout");
    await server.ok("kill_job", { job_id: id });
    const after = await server.ok<Status>("get_job_status", { job_id: id });
    assert.deepEqual(after.listening, []);
    await waitUntilGone(ready.pid);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test({
  name:
    "a contained dev server is seen listening, in the host's network and in a network of its own",
  ignore: noContainment,
  fn: async () => {
    for (const network of [{}, { MCP_BG_NETWORK: "off" }] as Record<string, string>[]) {
      await using server = await TestServer.start({ env: { ...CONTAINED, ...network } });
      const id = await server.start(
        `sh -c "sh -c 'sleep 0.5; python3 -m http.server 0 --bind 127.0.0.1' & wait"`,
      );
      const ready = await server.ok<Status & { contained: boolean }>("wait_for_job", {
        job_id: id,
        port: true,
        timeout: 30,
      });
      assert.equal(ready.contained, true);
      assert.equal(ready.reason, "listening", JSON.stringify(network));
      assert.equal(ready.listening.length, 1);
      assert.equal(ready.listening[0]!.address, "127.0.0.1");
      await server.ok("kill_job", { job_id: id });
      await waitUntilGone(ready.pid);
    }
  },
});

Deno.test("without -A, where Deno will not open /proc, listening is null and a port wait is refused, saying why", async () => {
  await using server = await TestServer.start({
    permissions: ["--allow-env", "--allow-read", "--allow-run"],
  });
  const id = await server.start(`python3 -m http.server 0 --bind 127.0.0.1`);
  try {
    const status = await server.ok<{ listening: Listening[] | null }>("get_job_status", {
      job_id: id,
    });
    assert.equal(status.listening, null);
    for (const port of [true, 8080]) {
      const refused = await server.call("wait_for_job", { job_id: id, port, timeout: 1 });
      assert.equal(refused.isError, true);
      assert.match(
        refused.text,
        /^Cannot wait for a port here: Deno reads \/proc only when run with -A/,
      );
    }
    // The same wait with a pattern still works.
    const ready = await server.ok<Status>("wait_for_job", {
      job_id: id,
      pattern: "Serving HTTP on",
      timeout: 30,
    });
    assert.equal(ready.reason, "matched");
  } finally {
    await server.ok("kill_job", { job_id: id });
  }
});
