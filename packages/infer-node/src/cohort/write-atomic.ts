/**
 * Writing a small text file whole or not at all: to a temporary name beside it, flushed, then
 * renamed over it. Two writers at once each rename a complete file; the last rename wins. Depends
 * on node:fs.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary names this package writes: `.<name>.<12 hex digits>.tmp`. */
export const TEMPORARY_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Writes text to a file atomically: a reader sees the old file or the new one, never a part.
 * @param path - the file; its folder must exist
 * @param text - the contents, written as UTF-8
 */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
