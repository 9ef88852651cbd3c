/**
 * The approval digests load only for `MCP_BG_APPROVAL=ask`; until they are loaded no digest is
 * made, so nothing can be approved. A test module runs in an isolate of its own, so the first
 * test here sees them not loaded yet.
 */
import assert from "node:assert/strict";
import { subjectDigest } from "../../lib/mcp/approval/session_approvals.ts";
import { loadApprovalDigests } from "../../lib/mcp/approval/digest.ts";
import type { ApprovalSubject } from "../../lib/jobs/approval_desk.ts";

const SUBJECT: ApprovalSubject = {
  command: "sh -c true",
  programs: ["/bin/sh"],
  files: ["/bin/sh"],
  argv: ["sh", "-c", "true"],
  cwd: "/",
  envAdditions: {},
  contained: false,
  refusal: "Command not in allowed patterns: sh -c true",
};

Deno.test("no approval digest is made before the digests are loaded", () => {
  assert.throws(() => subjectDigest(SUBJECT), /not loaded/);
});

Deno.test("once loaded, digests tell subjects apart and program files by their bytes", async () => {
  await loadApprovalDigests();
  const digest = subjectDigest(SUBJECT);
  assert.match(digest, /^[0-9a-f]{64}$/);
  assert.equal(subjectDigest({ ...SUBJECT }), digest);
  assert.notEqual(subjectDigest({ ...SUBJECT, cwd: "/tmp" }), digest);
  assert.notEqual(subjectDigest({ ...SUBJECT, files: ["/bin/true"] }), digest);
});
