/**
 * A git revision checked out beside the working tree (`git worktree add`), so the benchmark can
 * run the same client against that revision's server and this one's in one run.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname;

/** A checked-out revision: its `main.ts`, and how to remove it again. */
export interface BaselineCheckout extends AsyncDisposable {
  /** The revision as given, and the commit it named. */
  readonly rev: string;
  readonly commit: string;
  /** The checkout's `main.ts`. */
  readonly entry: string;
}

async function git(args: string[], cwd = ROOT): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command("git", {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
  if (!success) throw new Error(`git ${args.join(" ")} failed: ${text(stderr)}`);
  return text(stdout);
}

/**
 * Checks `rev` out into a temporary directory as a detached worktree and installs its npm
 * packages (from Deno's cache: nothing new is fetched for a lock the cache already holds).
 * Disposing it removes the worktree and the directory.
 */
export async function checkoutBaseline(rev: string): Promise<BaselineCheckout> {
  const commit = await git(["rev-parse", "--verify", `${rev}^{commit}`]);
  const dir = await Deno.makeTempDir({ prefix: "mcp-bg-baseline-" });
  const tree = `${dir}/tree`;
  const remove = async () => {
    await git(["worktree", "remove", "--force", tree]).catch(() => undefined);
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    await git(["worktree", "prune"]).catch(() => undefined);
  };
  try {
    await git(["worktree", "add", "--detach", tree, commit]);
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["install", "--entrypoint", "main.ts"],
      cwd: tree,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!install.success) {
      throw new Error(`deno install in ${rev} failed: ${new TextDecoder().decode(install.stderr)}`);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { rev, commit, entry: `${tree}/main.ts`, [Symbol.asyncDispose]: remove };
}
