/**
 * Test helpers for files.
 *
 * @module
 */

/** Whether anything (a file, a directory, a dangling link) exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
