/**
 * Where the tests find ../shared/data (the BraTS sample and the NIfTI zoo): beside the clone, found
 * from this file's place in the repository, never from an absolute path. Tests skip with a printed
 * reason where it is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/data/`, as a path ending in a slash. */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/**
 * The path of a folder under ../shared/data, or `undefined` (after printing why the tests that
 * need it skip) when it is absent.
 */
export function sharedFolder(folder: string, marker: string): string | undefined {
  const path = `${SHARED_DATA}${folder}/`;
  if (existsSync(`${path}${marker}`)) return path;
  // eslint-disable-next-line no-console -- tests say why they skip
  console.log(`skipping tests that need ${path}: not found (it sits beside the clone in CI)`);
  return undefined;
}
