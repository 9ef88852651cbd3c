/**
 * MCP_BG_APPROVAL=ask: a command only the allowlist refuses is put to the person through the
 * client's elicitation, and runs only as they decide; nothing else is ever asked about.
 */
import assert from "node:assert/strict";
import { TestServer } from "../helpers/mcp_client.ts";
import { type Answerer, choose, personClient } from "../helpers/person.ts";
import { waitUntilGone } from "../helpers/processes.ts";
import { CONTAINED, noContainment } from "../helpers/containment.ts";
import { MAX_OPEN_QUESTIONS } from "../../lib/mcp/approval/session_approvals.ts";

const STRICT = {
  MCP_BG_ALLOWED_COMMANDS: "^echo( |$)",
  MCP_BG_APPROVAL: "ask",
  MCP_BG_MAX_JOBS: "30",
};

async function startWithPerson(answer: Answerer, env: Record<string, string> = {}) {
  const person = personClient(answer);
  const server = await TestServer.start({ env: { ...STRICT, ...env }, client: person.client });
  return { person, server };
}

Deno.test("allow once runs the job, says so in its status, and asks again next time", async () => {
  const { person, server } = await startWithPerson(() => choose("once"));
  await using _ = server;
  const id = await server.start("printf approved");
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "completed");
  assert.equal(status.approved_by_person, "once");
  const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
  assert.equal(output.stdout, "approved");
  assert.equal(person.questions.length, 1);
  const message = person.questions[0]!.message;
  assert.match(message, /Command: printf approved/);
  assert.match(message, /Programs?: \/\S*printf/);
  assert.match(message, /Arguments: \["approved"\]/);
  assert.match(message, new RegExp(`Working directory: ${Deno.cwd()}`));
  assert.match(message, /Added environment: none/);
  assert.match(message, /Contained: no/);
  await server.waitForEnd(await server.start("printf approved"));
  assert.equal(person.questions.length, 2, "allow once is for one call only");
  // An allowed command is never asked about, and its status names no approval.
  const plain = await server.waitForEnd(await server.start("echo fine"));
  assert.equal(plain.approved_by_person, undefined);
  assert.equal(person.questions.length, 2);
});

Deno.test("allow for the session stops asking for that exact command; anything else asks", async () => {
  const { person, server } = await startWithPerson(() => choose("session"));
  await using _ = server;
  for (let i = 0; i < 3; i++) {
    const status = await server.waitForEnd(await server.start("printf same"));
    assert.equal(status.approved_by_person, "session");
  }
  assert.equal(person.questions.length, 1);
  await server.waitForEnd(await server.start("printf other"));
  assert.equal(person.questions.length, 2, "another argument asks again");
  // The same line with an added variable, or in another directory, is another command.
  await server.ok("execute_command", { command: "printf same", env: { EXTRA: "1" } });
  assert.equal(person.questions.length, 3);
  assert.match(person.questions[2]!.message, /Added environment: EXTRA="1"/);
});

Deno.test("deny and decline refuse, and are not asked again; cancel refuses and asks again", async () => {
  const { person, server } = await startWithPerson(() => choose("deny"));
  await using _ = server;
  const denied = await server.call("execute_command", { command: "printf no" });
  assert.equal(denied.isError, true);
  assert.match(
    denied.text,
    /^Invalid command: Command not in allowed patterns: printf no \(the person denied it/,
  );
  const again = await server.call("execute_command", { command: "printf no" });
  assert.match(again.text, /denied this exact command earlier in this session/);
  assert.equal(person.questions.length, 1);

  person.answerWith(() => ({ action: "decline" }));
  assert.equal(
    (await server.call("execute_command", { command: "printf declined" })).isError,
    true,
  );
  assert.equal(
    (await server.call("execute_command", { command: "printf declined" })).isError,
    true,
  );
  assert.equal(person.questions.length, 2);

  person.answerWith(() => ({ action: "cancel" }));
  const cancelled = await server.call("execute_command", { command: "printf later" });
  assert.match(
    cancelled.text,
    /not approved: the person dismissed the question; it may be asked again/,
  );
  person.answerWith(() => choose("once"));
  const status = await server.waitForEnd(await server.start("printf later"));
  assert.equal(status.approved_by_person, "once");
  assert.equal(person.questions.length, 4);
  const { jobs } = await server.ok<{ jobs: unknown[] }>("list_jobs");
  assert.equal(jobs.length, 1, "only the approved command ran");
});

Deno.test("no answer within MCP_BG_APPROVAL_TIMEOUT refuses the command", async () => {
  const { person, server } = await startWithPerson(() => new Promise(() => {}), {
    MCP_BG_APPROVAL_TIMEOUT: "1",
  });
  await using _ = server;
  const outcome = await server.call("execute_command", { command: "printf slow" });
  assert.equal(outcome.isError, true);
  assert.match(outcome.text, /no answer within 1 s \(MCP_BG_APPROVAL_TIMEOUT\)/);
  assert.equal(person.questions.length, 1);
});

Deno.test("a client without elicitation gets today's refusal with a hint; no question is sent", async () => {
  await using server = await TestServer.start({ env: STRICT });
  const outcome = await server.call("execute_command", { command: "printf x" });
  assert.equal(outcome.isError, true);
  assert.match(
    outcome.text,
    /^Invalid command: Command not in allowed patterns: printf x \(MCP_BG_APPROVAL=ask, but this client cannot ask its person/,
  );
});

Deno.test("never asked: denylist, control characters, environment rules, rule 7, --allow-run", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-approval-" }));
  try {
    // A link named like an allowed program that is another one (rule 7).
    await Deno.symlink(await Deno.realPath("/bin/rm"), `${dir}/echo`);
    const person = personClient(() => choose("session"));
    await using server = await TestServer.start({
      env: { ...STRICT, MCP_BG_WORKING_DIR: dir },
      client: person.client,
    });
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ command: "rm -rf /" }, /dangerous pattern/],
      [{ command: "printf a\u0001b" }, /control character/],
      [{ command: "printf x", env: { PATH: "/tmp" } }, /Invalid env variable "PATH"/],
      [
        { command: "printf x", env: { LD_PRELOAD: "/tmp/x.so" } },
        /Invalid env variable "LD_PRELOAD"/,
      ],
      [
        { command: "printf x", env: { BASH_ENV: "/tmp/x" } },
        /Invalid env variable "BASH_ENV"/,
      ],
      [{ command: "./echo x" }, /is a link to/],
      [{ command: "./no-such-program" }, /program not found/],
      [{ command: "   " }, /empty/],
    ];
    for (const [args, message] of refusals) {
      const outcome = await server.call("execute_command", args);
      assert.equal(outcome.isError, true, JSON.stringify(args));
      assert.match(outcome.text, message);
    }
    assert.equal(person.questions.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  const scoped = personClient(() => choose("session"));
  await using limited = await TestServer.start({
    env: STRICT,
    client: scoped.client,
    permissions: ["--allow-read", "--allow-env", "--allow-run=echo"],
  });
  const outside = await limited.call("execute_command", { command: "printf x" });
  assert.equal(outside.isError, true);
  assert.match(outside.text, /^Cannot start "printf": Requires run access to "printf"/);
  assert.equal(scoped.questions.length, 0);
});

Deno.test("20 concurrent identical refused calls ask one question and share its answer", async () => {
  const answer = Promise.withResolvers<void>();
  const asked = Promise.withResolvers<void>();
  const { person, server } = await startWithPerson(async () => {
    asked.resolve();
    await answer.promise;
    return choose("once");
  });
  await using _ = server;
  const calls = Array.from(
    { length: 20 },
    () => server.call("execute_command", { command: "printf many" }),
  );
  await asked.promise;
  // A round trip after the 20: every call has reached the server and waits on the question.
  await server.ok("list_jobs");
  answer.resolve();
  const outcomes = await Promise.all(calls);
  assert.deepEqual(outcomes.filter((outcome) => outcome.isError), []);
  assert.equal(person.questions.length, 1);
  for (const outcome of outcomes) {
    const status = await server.waitForEnd((outcome.data as { job_id: string }).job_id);
    assert.equal(status.approved_by_person, "once");
  }
});

Deno.test("an approved job that is killed behaves like any other job", async () => {
  const { server } = await startWithPerson(() => choose("once"));
  await using _ = server;
  const id = await server.start("sleep 300");
  const { pid } = await server.ok<{ pid: number }>("get_job_status", { job_id: id });
  assert.deepEqual(await server.ok("kill_job", { job_id: id }), { status: "killed" });
  const status = await server.waitForEnd(id);
  assert.equal(status.status, "killed");
  assert.equal(status.signal, "SIGTERM");
  assert.equal(status.approved_by_person, "once");
  await waitUntilGone(pid);
});

Deno.test({
  name: "contained, the question says so and the approved job runs inside the sandbox",
  ignore: noContainment,
  fn: async () => {
    const { person, server } = await startWithPerson(() => choose("once"), CONTAINED);
    await using _ = server;
    const status = await server.waitForEnd(await server.start("printf inside"));
    assert.equal(status.status, "completed");
    assert.equal(status.contained, true);
    assert.equal(status.approved_by_person, "once");
    assert.match(person.questions[0]!.message, /Contained: yes/);
  },
});

Deno.test("a session's approval does not survive any change to the program's file", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-approval-" }));
  try {
    const tool = `${dir}/tool.sh`;
    await Deno.writeTextFile(tool, "#!/bin/sh\necho v1\n", { mode: 0o755 });
    const { person, server } = await startWithPerson(() => choose("session"), {
      MCP_BG_WORKING_DIR: dir,
    });
    await using _ = server;
    const run = async () => {
      const id = await server.start("./tool.sh");
      await server.waitForEnd(id);
      return (await server.ok<{ stdout: string }>("get_job_output", { job_id: id })).stdout;
    };
    assert.equal(await run(), "v1\n");
    assert.equal(await run(), "v1\n");
    assert.equal(person.questions.length, 1);
    // Rewritten in place, same size, its modification time set back.
    const { mtime } = await Deno.stat(tool);
    await Deno.writeTextFile(tool, "#!/bin/sh\necho v2\n");
    await Deno.utime(tool, mtime!, mtime!);
    assert.equal(await run(), "v2\n");
    assert.equal(person.questions.length, 2, "a rewritten file asks again");
    // Replaced by another file under the same name.
    await Deno.writeTextFile(`${dir}/other`, "#!/bin/sh\necho v3\n", { mode: 0o755 });
    await Deno.rename(`${dir}/other`, tool);
    assert.equal(await run(), "v3\n");
    assert.equal(person.questions.length, 3, "a replaced file asks again");
    // Made a link to another script: rule 7 refuses it outright, no question, nothing runs.
    await Deno.writeTextFile(`${dir}/real.sh`, "#!/bin/sh\necho v4\n", { mode: 0o755 });
    await Deno.remove(tool);
    await Deno.symlink(`${dir}/real.sh`, tool);
    const linked = await server.call("execute_command", { command: "./tool.sh" });
    assert.equal(linked.isError, true);
    assert.match(linked.text, /it is a link to ".*real\.sh"/);
    assert.equal(person.questions.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Ways a program file can change while the person decides, each a different file version. */
const REWRITES: Record<string, (tool: string) => Promise<void>> = {
  "rewritten in place, its modification time set back": async (tool) => {
    const { mtime } = await Deno.stat(tool);
    await Deno.writeTextFile(tool, "#!/bin/sh\necho v2\n");
    await Deno.utime(tool, mtime!, mtime!);
  },
  "replaced by another file under the same name": async (tool) => {
    await Deno.writeTextFile(`${tool}.new`, "#!/bin/sh\necho v2\n", { mode: 0o755 });
    await Deno.rename(`${tool}.new`, tool);
  },
  "appended to": async (tool) => {
    await Deno.writeTextFile(tool, "echo v2\n", { append: true });
  },
};

const DECIDING = [
  { decision: "once", contained: false },
  { decision: "session", contained: true },
] as const;

for (const [change, rewrite] of Object.entries(REWRITES)) {
  for (const { decision, contained } of DECIDING) {
    const how = `${decision}, ${contained ? "contained" : "uncontained"}`;
    Deno.test({
      name: `a program ${change} while the person decides (${how}) does not start`,
      ignore: contained && noContainment,
      fn: async () => {
        const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-bg-approval-" }));
        try {
          const tool = `${dir}/tool.sh`;
          await Deno.writeTextFile(tool, "#!/bin/sh\necho v1\n", { mode: 0o755 });
          const { person, server } = await startWithPerson(async () => {
            await rewrite(tool);
            return choose(decision);
          }, { MCP_BG_WORKING_DIR: dir, ...(contained ? CONTAINED : {}) });
          await using _ = server;
          const changed = await server.call("execute_command", { command: "./tool.sh" });
          assert.equal(changed.isError, true, changed.text);
          assert.match(changed.text, /changed while the person decided; ask again/);
          assert.deepEqual((await server.ok<{ jobs: unknown[] }>("list_jobs", {})).jobs, []);
          // What is there now was never shown: it is asked about afresh, and runs as approved.
          person.answerWith(() => choose("once"));
          const id = await server.start("./tool.sh");
          await server.waitForEnd(id);
          const output = await server.ok<{ stdout: string }>("get_job_output", { job_id: id });
          assert.match(output.stdout, /v2/);
          assert.equal(person.questions.length, 2);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    });
  }
}

Deno.test("at most 8 questions wait at once in a session; one more is refused without asking", async () => {
  const release = Promise.withResolvers<void>();
  let asked = 0;
  const allAsked = Promise.withResolvers<void>();
  const { person, server } = await startWithPerson(async () => {
    if (++asked === MAX_OPEN_QUESTIONS) allAsked.resolve();
    await release.promise;
    return choose("deny");
  });
  await using _ = server;
  const waiting = Array.from(
    { length: MAX_OPEN_QUESTIONS },
    (_, i) => server.call("execute_command", { command: `printf q${i}` }),
  );
  await allAsked.promise;
  const extra = await server.call("execute_command", { command: "printf one-more" });
  assert.equal(extra.isError, true);
  assert.match(extra.text, /8 questions already wait for the person in this session/);
  release.resolve();
  for (const outcome of await Promise.all(waiting)) assert.match(outcome.text, /denied it/);
  assert.equal(person.questions.length, MAX_OPEN_QUESTIONS);
});
