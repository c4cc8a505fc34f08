/**
 * Saving volumes to NIfTI files in Node, atomically: the bytes go to a temporary file beside the
 * target, which is renamed over it only once complete. Depends on node:fs, ./output-path and
 * `writeNifti` from @hadnet/core.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeNifti, type Volume, type WriteNiftiOptions } from '@hadnet/core';
import { outputError } from './output-path.js';

/**
 * The temporary name a file is written under before it is renamed onto `target`: beside it, as
 * `.<name>.<12 hex digits>.tmp` (what `segmentationFilesIn` recognises as a killed run's leftover).
 */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `bytes` to a new file at `path` (refusing one that exists) and flushes it to disk.
 * @throws the file system's error
 */
export async function writeFlushed(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Options of {@link saveVolume}: those of `writeNifti`, with `gzip` following the file name. */
export type SaveVolumeOptions = WriteNiftiOptions;

/**
 * Writes a volume to a NIfTI-1 file (see `writeNifti` for the header, datatype and geometry rules).
 *
 * The file appears whole or not at all: the bytes are written to a temporary name in the same
 * folder (`.<name>.<random>.tmp`), flushed to disk, then renamed onto `path`, replacing any file
 * there. On any error the temporary file is removed and the error passed on (a file-system error as
 * an `OutputPathError` that names `path`, not the temporary name); an existing file at `path` is
 * left untouched.
 *
 * @param path - the target, ending in `.nii.gz` (gzipped) or `.nii` (plain)
 * @param volume - the voxels and their grid
 * @param options - as for `writeNifti`; `gzip`, when given, must agree with the file name
 * @throws RangeError for a name that is neither `.nii` nor `.nii.gz`, or a `gzip` option against it
 * @throws OutputPathError with Node's code (`ENOENT` for a missing folder, `EISDIR`, `EACCES`, ...)
 * @example
 * ```ts
 * await saveVolume('out/seg.nii.gz', { ...flair, data: labels }, { datatype: 'uint8' });
 * ```
 */
export async function saveVolume(
  path: string,
  volume: Volume,
  options: SaveVolumeOptions = {},
): Promise<void> {
  // the file name decides gzip
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`saveVolume: path must be a non-empty string; got ${JSON.stringify(path)}`);
  }
  const gzip = /\.nii\.gz$/i.test(path) ? true : /\.nii$/i.test(path) ? false : undefined;
  if (gzip === undefined) {
    throw new RangeError(`saveVolume: path must end in .nii.gz or .nii; got ${JSON.stringify(path)}`);
  }
  if (options.gzip !== undefined && options.gzip !== gzip) {
    throw new RangeError(
      `saveVolume: options.gzip is ${options.gzip}, but path ${JSON.stringify(path)} names a ` +
        `${gzip ? 'gzipped' : 'plain'} file`,
    );
  }

  // encode first: a bad volume fails before anything touches the disk
  const bytes = writeNifti(volume, { ...options, gzip });

  // write a temporary file beside the target, flush it, rename it over the target
  const temporary = temporaryPath(path);
  try {
    await writeFlushed(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw outputError('saveVolume', 'cannot write', path, error);
  }
}
