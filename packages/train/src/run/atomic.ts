/**
 * Writes that a crash cannot half-do. A file is written under a temporary name, flushed to disk
 * and renamed over its target (a rename within a folder is atomic). A folder (a checkpoint) is
 * filled under `<target>.partial`, then the old folder is moved aside to `<target>.previous`, the
 * new one renamed into place, and the old one removed: killed at any moment, either `<target>` is
 * a complete folder, or it is missing and `<target>.previous` is the complete older one, which
 * {@link resolveDirectory} then finds.
 * May depend on: node:fs, node:path.
 */
import { open, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

let counter = 0;

/**
 * Writes `data` to `path` atomically: a temporary file beside it (`<path>.tmp-<pid>-<n>`), flushed
 * with fsync, then renamed over `path`. Creates the parent folder when missing.
 * @param path - the target file
 * @param data - text (UTF-8) or bytes
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${counter++}`;
  try {
    await writeFileSynced(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes the temporary files that {@link writeFileAtomic} leaves in `dir` when the process is
 * killed between writing and renaming (`<name>.tmp-<pid>-<n>`, for the given names only).
 * @returns the names removed
 */
export async function removeAtomicLeftovers(dir: string, names: readonly string[]): Promise<string[]> {
  const leftover = (entry: string) =>
    names.some((name) => entry.startsWith(`${name}.tmp-`) && /^\d+-\d+$/.test(entry.slice(name.length + 5)));
  const removed = (await readdir(dir)).filter(leftover);
  for (const entry of removed) await rm(join(dir, entry), { force: true });
  return removed;
}

/** Writes a file and flushes it to disk (fsync) before closing it. */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Points in {@link replaceDirectory} at which a test can simulate a crash (by throwing). */
export type ReplaceDirectoryStage = 'filled' | 'movedAside' | 'renamed';

/** Options of {@link replaceDirectory}. */
export interface ReplaceDirectoryOptions {
  /**
   * Called after each stage; throwing from it stops the replacement there, as a crash would
   * (the leftovers stay on disk). For tests.
   * @internal
   */
  afterStage?: (stage: ReplaceDirectoryStage) => void;
}

/**
 * Replaces the folder `target` by a new one that `fill` writes, so that a crash at any point
 * leaves a complete folder readable through {@link resolveDirectory}: the old one or the new one.
 *
 * @param target - the folder to replace (it need not exist)
 * @param fill - writes the new folder's files into the folder it is given (flush them:
 *   {@link writeFileSynced})
 */
export async function replaceDirectory(
  target: string,
  fill: (dir: string) => Promise<void>,
  options: ReplaceDirectoryOptions = {},
): Promise<void> {
  const partial = `${target}.partial`;
  const previous = `${target}.previous`;

  // fill a fresh partial folder
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await fill(partial);
  options.afterStage?.('filled');

  // move a complete target aside; while there is none, a leftover .previous is the copy to keep
  if (await exists(target)) {
    await rm(previous, { recursive: true, force: true });
    await rename(target, previous);
  }
  options.afterStage?.('movedAside');

  // the new folder into place, then the old one away
  await rename(partial, target);
  options.afterStage?.('renamed');
  await rm(previous, { recursive: true, force: true });
}

/**
 * The complete folder standing for `target`: `target` itself when it exists, else
 * `<target>.previous` (left by a crash inside {@link replaceDirectory}) when that exists.
 * @returns the path, or undefined when neither exists
 */
export async function resolveDirectory(target: string): Promise<string | undefined> {
  if (await exists(target)) return target;
  const previous = `${target}.previous`;
  if (await exists(previous)) return previous;
  return undefined;
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}
