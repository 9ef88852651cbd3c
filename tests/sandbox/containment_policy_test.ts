/**
 * Containment rules, each proved by trying to break it: writes outside MCP_BG_ALLOW_WRITE, reads
 * of MCP_BG_DENY_READ paths, connections with MCP_BG_NETWORK=off, and the usual escapes
 * (symlinks, `..`, /proc/1/root, /dev/shm, the job's own environment, a nested bwrap).
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { TestServer } from "../helpers/mcp_client.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { bwrapArguments, OPEN_POLICY } from "../../lib/sandbox/containment_policy.ts";
import { containmentAvailability } from "../../lib/jobs/containment.ts";
import { run } from "../helpers/processes.ts";
import { exists } from "../helpers/files.ts";

const SECRET = "TOPSECRET-4242";

/** A working dir and an allowed dir under /tmp, and an outside dir with secrets elsewhere. */
async function makeDirs() {
  const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-work-" }));
  const allowed = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-allowed-" }));
  // Outside /tmp, since a contained job gets a private /tmp: the host's stays out of reach anyway.
  const outside = await Deno.realPath(
    await Deno.makeTempDir({ dir: Deno.cwd(), prefix: ".mcp-bg-outside-" }),
  );
  await Deno.writeTextFile(`${outside}/secret.txt`, SECRET);
  await Deno.mkdir(`${outside}/keys`);
  await Deno.writeTextFile(`${outside}/keys/id`, SECRET);
  await Deno.symlink(outside, `${work}/out`);
  return {
    work,
    allowed,
    outside,
    async [Symbol.asyncDispose]() {
      for (const dir of [work, allowed, outside]) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs `command` as a job to its end; returns its status and output. */
async function runJob(server: TestServer, command: string, env?: Record<string, string>) {
  const { job_id } = await server.ok<{ job_id: string }>("execute_command", { command, env });
  const status = await server.waitForEnd(job_id);
  const output = await server.ok<{ stdout: string; stderr: string }>("get_job_output", { job_id });
  return { status: status.status as string, ...output };
}

Deno.test({
  name: "MCP_BG_ALLOW_WRITE: writes outside fail, leave no file, and every escape route is shut",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    await using server = await TestServer.start({
      env: { ...CONTAINED, MCP_BG_WORKING_DIR: dirs.work, MCP_BG_ALLOW_WRITE: dirs.allowed },
    });
    const marker = `${dirs.outside}/marker`;
    const attempts = [
      `touch ${marker}`,
      "touch out/marker", // a symlink in the working dir pointing outside
      `touch ${relative(dirs.work, marker)}`, // `..` all the way out
      `touch /proc/1/root${marker}`,
      `sh -c 'cd /proc/self/root${dirs.outside} && touch marker'`,
      `mount -o remount,rw /`,
      `bwrap --bind / / touch ${marker}`, // a sandbox of its own, with everything writable
      `unshare -rm touch ${marker}`,
    ];
    for (const command of attempts) {
      const outcome = await runJob(server, command);
      assert.equal(outcome.status, "failed", `${command} succeeded: ${outcome.stderr}`);
      assert.equal(await exists(marker), false, command);
    }
    // The client's own variables cannot reopen the sandbox.
    const withEnv = await runJob(server, `touch ${marker}`, {
      MCP_BG_CONTAINMENT: "off",
      MCP_BG_ALLOW_WRITE: "/",
    });
    assert.equal(withEnv.status, "failed");
    assert.equal(await exists(marker), false);
    assert.equal(
      (await server.call("execute_command", { command: "pwd", cwd: "out" })).isError,
      true,
    );

    for (const path of [`${dirs.work}/made-here`, `${dirs.allowed}/made-there`]) {
      assert.equal((await runJob(server, `touch ${path}`)).status, "completed", path);
      assert.equal(await exists(path), true, path);
    }
    // /tmp and /dev/shm are the job's own: what it writes there never reaches the host.
    const name = `mcp-bg-private-${crypto.randomUUID()}`;
    const privateWrites = await runJob(server, `sh -c 'touch /tmp/${name} /dev/shm/${name}'`);
    assert.equal(privateWrites.status, "completed", privateWrites.stderr);
    assert.equal(await exists(`/tmp/${name}`), false);
    assert.equal(await exists(`/dev/shm/${name}`), false);
  },
});

Deno.test({
  name: "MCP_BG_DENY_READ hides a secret file and directory on every path to them",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    await using server = await TestServer.start({
      env: {
        ...CONTAINED,
        MCP_BG_WORKING_DIR: dirs.work,
        MCP_BG_DENY_READ: `${dirs.outside}/secret.txt,${relative(dirs.work, dirs.outside)}/keys`,
      },
    });
    const reads = [
      `cat ${dirs.outside}/secret.txt`,
      "cat out/secret.txt",
      `cat ${relative(dirs.work, dirs.outside)}/secret.txt`,
      `cat /proc/1/root${dirs.outside}/secret.txt`,
      `cat ${dirs.outside}/keys/id`,
      "cat out/keys/id",
      `ls -a ${dirs.outside}/keys`,
      `grep -r ${SECRET} ${dirs.outside}`,
    ];
    for (const command of reads) {
      const outcome = await runJob(server, command);
      assert.ok(!outcome.stdout.includes(SECRET), `${command} read the secret`);
      assert.ok(!outcome.stdout.includes("id"), `${command} listed the hidden directory`);
    }
    // The rest of the directory stays readable: the rule hides what it names, and only that.
    await Deno.writeTextFile(`${dirs.outside}/public.txt`, "public");
    assert.equal((await runJob(server, "cat out/public.txt")).stdout, "public");
  },
});

Deno.test({
  name: "MCP_BG_NETWORK=off: a connection to a loopback port open on the host fails",
  ignore: noContainment,
  fn: async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    let accepted = 0;
    const accepting = (async () => {
      for await (const connection of listener) {
        accepted++;
        connection.close();
      }
    })();
    const connect = `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${listener.addr.port} && echo connected'`;
    {
      await using server = await TestServer.start({ env: { ...CONTAINED, MCP_BG_NETWORK: "off" } });
      const refused = await runJob(server, connect);
      assert.equal(refused.status, "failed");
      assert.equal(refused.stdout, "");
      const loopback = await runJob(server, "cat /sys/class/net/lo/operstate");
      assert.equal(loopback.status, "completed", "the job's own loopback exists");
    }
    assert.equal(accepted, 0);
    {
      // The same connection with the network on: the test can see one when it happens.
      await using server = await TestServer.start({ env: CONTAINED });
      assert.equal((await runJob(server, connect)).stdout, "connected\n");
    }
    assert.equal(accepted, 1);
    listener.close();
    await accepting.catch(() => {}); // the listener was closed: accepting ends with an error
  },
});

Deno.test({
  name: "the sandbox's arguments work for an unprivileged user (user namespaces)",
  ignore: noContainment || Deno.uid() !== 0,
  fn: async () => {
    const bwrap = containmentAvailability().bwrap!;
    const args = bwrapArguments({ ...OPEN_POLICY, network: false }, { workingDir: "/", cwd: "/" });
    const result = await run("setpriv", [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      bwrap,
      ...args,
      "--",
      "sh",
      "-c",
      "echo $$; id -u; ls /proc | grep -c '^[0-9]'",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const [pid, uid] = result.stdout.trim().split("\n");
    assert.equal(pid, "2", "the program is pid 2, under bubblewrap's init");
    assert.equal(uid, "65534");
  },
});

Deno.test({
  name: "the server's token file is hidden from contained jobs without a rule",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    const tokenFile = `${dirs.outside}/token`;
    await Deno.writeTextFile(tokenFile, SECRET);
    await using server = await TestServer.start({
      env: { ...CONTAINED, MCP_BG_WORKING_DIR: dirs.work, MCP_BG_HTTP_TOKEN_FILE: tokenFile },
    });
    for (const command of [`cat ${tokenFile}`, `cat /proc/1/root${tokenFile}`, "cat out/token"]) {
      const outcome = await runJob(server, command);
      assert.equal(outcome.status, "failed", command);
      assert.ok(!outcome.stdout.includes(SECRET), `${command} read the token`);
    }
  },
});

Deno.test({
  name: "MCP_BG_DENY_READ: renaming a directory above a denied path cannot unhide it",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    await Deno.mkdir(`${dirs.work}/conf/keys`, { recursive: true });
    await Deno.writeTextFile(`${dirs.work}/conf/keys/id`, SECRET);
    await Deno.writeTextFile(`${dirs.work}/conf/token`, SECRET);
    const rules = { MCP_BG_DENY_READ: "conf/keys,conf/token" };
    const variants: Record<string, string>[] = [{}, { MCP_BG_ALLOW_WRITE: dirs.allowed }];
    for (const more of variants) {
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_WORKING_DIR: dirs.work, ...rules, ...more },
      });
      // Each way a job could move the rule's path away (the next job would read it at c2/).
      const moves = [
        "mv conf c2",
        `mv ${dirs.work}/conf ${dirs.work}/c2`,
        `mv ${dirs.work} ${dirs.work}-moved`,
        'python3 -c \'import os; os.rename("conf", "c2")\'',
      ];
      for (const move of moves) {
        const outcome = await runJob(server, move);
        assert.equal(outcome.status, "failed", `${move} moved a directory above a denied path`);
        assert.equal(await exists(`${dirs.work}/conf/token`), true, move);
      }
    }
    // Moved from outside (here by the test): the next job is refused, saying why.
    await using server = await TestServer.start({
      env: { ...CONTAINED, MCP_BG_WORKING_DIR: dirs.work, ...rules },
    });
    await runJob(server, "true");
    await Deno.rename(`${dirs.work}/conf`, `${dirs.work}/c2`);
    const refused = await server.call("execute_command", { command: "cat c2/token" });
    assert.equal(refused.isError, true, "a job started after the denied path moved");
    assert.match(refused.text, /conf\/keys" was moved or removed/);
    await Deno.rename(`${dirs.work}/c2`, `${dirs.work}/conf`);
    const back = await runJob(server, "cat conf/token");
    assert.ok(!back.stdout.includes(SECRET), "the path is back, and hidden again");
    // Saved in place as editors and credential tools do (a new file renamed over it): still hidden.
    await Deno.writeTextFile(`${dirs.work}/token.new`, `${SECRET}-2`);
    await Deno.rename(`${dirs.work}/token.new`, `${dirs.work}/conf/token`);
    const saved = await runJob(server, "cat conf/token");
    assert.equal(saved.status, "failed", "a job starts after the file was saved in place");
    assert.ok(!saved.stdout.includes(SECRET), "the saved file is hidden");
  },
});

Deno.test({
  name: "MCP_BG_ALLOW_WRITE: swapping a directory above an allowed path cannot open another one",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    await Deno.mkdir(`${dirs.work}/x/out`, { recursive: true });
    await Deno.mkdir(`${dirs.outside}/out`);
    const env = { ...CONTAINED, MCP_BG_WORKING_DIR: dirs.work, MCP_BG_ALLOW_WRITE: "x/out" };
    const marker = `${dirs.outside}/out/marker`;
    {
      await using server = await TestServer.start({ env });
      // Each way of making x/out lead outside for the next job, which then writes there.
      const swaps = [
        `sh -c 'mv x x2 && ln -s ${dirs.outside} x'`,
        `sh -c 'rm -rf x && ln -s ${dirs.outside} x'`,
        'python3 -c \'import os; os.rename("x", "x2")\'',
        "mv x/out x/o2",
      ];
      for (const swap of swaps) {
        const outcome = await runJob(server, swap);
        assert.equal(outcome.status, "failed", `${swap} moved a directory above an allowed path`);
        await runJob(server, "touch x/out/marker");
        assert.equal(await exists(marker), false, swap);
      }
    }
    // Swapped from outside (here by the test): the next job is refused, saying why.
    await using server = await TestServer.start({ env });
    await runJob(server, "true");
    await Deno.rename(`${dirs.work}/x`, `${dirs.work}/x2`);
    await Deno.symlink(dirs.outside, `${dirs.work}/x`);
    const refused = await server.call("execute_command", { command: "touch x/out/marker" });
    assert.equal(refused.isError, true, "a job started after the allowed path moved");
    assert.match(refused.text, /MCP_BG_ALLOW_WRITE path .* was moved or removed/);
    assert.equal(await exists(marker), false);
  },
});

Deno.test({
  name: "kernel settings stay read-only inside: /proc/sys and /sys, with and without rules",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    // Run as root, the job's uid 0 is the host's: each write would change the host (here each
    // writes back the value it read, so a failure of this test changes nothing).
    const rewrite = (file: string) => `sh -c 'v=$(cat ${file}) && printf %s "$v" > ${file}'`;
    const attempts = [
      rewrite("/proc/sys/kernel/hostname"),
      rewrite("/proc/sys/kernel/domainname"),
      rewrite("/proc/1/root/proc/sys/kernel/hostname"),
      `sh -c 'awk "\\$5 == \\"/sys\\" { o = \\$6 } END { print o }" /proc/self/mountinfo | grep -q "^ro"'`,
    ];
    const ruleSets: Record<string, string>[] = [
      {},
      { MCP_BG_ALLOW_WRITE: dirs.allowed, MCP_BG_NETWORK: "off" },
    ];
    for (const rules of ruleSets) {
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_WORKING_DIR: dirs.work, ...rules },
      });
      for (const command of attempts.slice(0, 3)) {
        const outcome = await runJob(server, command);
        assert.equal(outcome.status, "failed", `${command} wrote a kernel setting`);
        assert.match(outcome.stderr, /Read-only file system|Permission denied/, command);
      }
      const sysReadOnly = await runJob(server, attempts[3]);
      assert.equal(sysReadOnly.status, "completed", "/sys is mounted read-only");
    }
  },
});

Deno.test({
  name: "a second /proc mounted on the host (a chroot's) is hidden: no host process, no way past",
  ignore: noContainment,
  fn: async () => {
    await using dirs = await makeDirs();
    const procDir = await Deno.makeTempDir({ dir: Deno.cwd(), prefix: ".mcp-bg-proc-" });
    const mounted = await run("mount", ["-t", "proc", "proc", procDir]);
    try {
      if (mounted.code !== 0) {
        console.log(`skipped: cannot mount a proc here (${mounted.stderr.trim()})`);
        return;
      }
      await using server = await TestServer.start({
        env: { ...CONTAINED, MCP_BG_DENY_READ: `${dirs.outside}/secret.txt` },
      });
      const attempts = [
        `cat ${procDir}/${server.pid}/root${dirs.outside}/secret.txt`,
        `cat ${procDir}/${server.pid}/environ`,
        `sh -c 'v=$(cat ${procDir}/sys/kernel/hostname) && printf %s "$v" > ${procDir}/sys/kernel/hostname'`,
      ];
      for (const command of attempts) {
        const outcome = await runJob(server, command);
        assert.equal(outcome.status, "failed", `${command}: ${outcome.stdout}`);
        assert.ok(!outcome.stdout.includes(SECRET), command);
      }
      const listed = await runJob(server, `ls -A ${procDir}`);
      assert.equal(listed.stdout, "", "the host's processes are listed");
    } finally {
      if (mounted.code === 0) await run("umount", [procDir]);
      await Deno.remove(procDir);
    }
  },
});
