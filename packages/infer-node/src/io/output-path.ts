/**
 * Output paths in Node: checks made before any work starts (a file where a folder is wanted, a
 * missing parent folder), and file-system errors of a write turned into one error that names the
 * user's path, never a temporary name. Depends on node:fs and node:path.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * An output path that cannot be written. `code` is Node's file-system code (`ENOENT`, `ENOTDIR`,
 * `EISDIR`, `EEXIST`, `EACCES`, ...), so that the CLIs print `hadnet: ENOTDIR: <message>`; the
 * message names the path as the user gave it.
 */
export class OutputPathError extends Error {
  /** Node's file-system code, such as `'ENOTDIR'`. */
  readonly code: string;
  /** The path as the user gave it. */
  readonly path: string;

  constructor(code: string, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutputPathError';
    this.code = code;
    this.path = path;
  }
}

/** Why a write failed, in words, from Node's code. */
const REASONS: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ENAMETOOLONG: 'the name is too long',
});

/**
 * Turns an error of writing `path` (under any temporary name) into an {@link OutputPathError} that
 * names `path`; hadnet's own errors and errors without a file-system code pass through unchanged.
 * @param caller - the function or command, for the message (`'writeSegmentation'`)
 * @param what - what was being written, for the message (`'cannot write'`, `'cannot create the folder'`)
 * @param path - the user's path
 * @param error - what the file system threw
 */
export function outputError(caller: string, what: string, path: string, error: unknown): unknown {
  if (error instanceof OutputPathError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const reason = REASONS[code] ?? code;
  return new OutputPathError(code, path, `${caller}: ${what} ${path}: ${reason}`, { cause: error });
}

/** What {@link checkOutputFolder} found. */
export type OutputFolderState = 'missing' | 'folder';

/**
 * Checks, before any work, that `path` can be used as an output folder: it is a folder, or it is
 * missing and its nearest existing ancestor is a folder (so that it can be created).
 * @param caller - for messages (`'hadnet segment: --out'`)
 * @param path - the user's path
 * @returns whether the folder exists
 * @throws OutputPathError `ENOTDIR` when `path`, or a folder it would be created in, is a file
 */
export async function checkOutputFolder(caller: string, path: string): Promise<OutputFolderState> {
  const info = await stat(path).catch(notFound);
  if (info !== undefined) {
    if (info.isDirectory()) return 'folder';
    throw new OutputPathError('ENOTDIR', path, `${caller} ${path} is a file, not a folder`);
  }
  let ancestor = dirname(resolve(path));
  for (;;) {
    const above = await stat(ancestor).catch(notFound);
    if (above !== undefined) {
      if (above.isDirectory()) return 'missing';
      throw new OutputPathError(
        'ENOTDIR',
        path,
        `${caller} ${path} cannot be created: ${ancestor} is a file, not a folder`,
      );
    }
    if (dirname(ancestor) === ancestor) return 'missing';
    ancestor = dirname(ancestor);
  }
}

/**
 * Checks, before any work, that a file can be written at `path`: its folder exists and is a
 * folder, and `path` is not a folder itself.
 * @param caller - for messages (`'hadnet evaluate: --csv'`)
 * @param path - the user's path
 * @throws OutputPathError `ENOENT` (no such folder), `ENOTDIR` (the folder is a file) or `EISDIR`
 */
export async function checkOutputFile(caller: string, path: string): Promise<void> {
  const info = await stat(path).catch(notFound);
  if (info?.isDirectory()) {
    throw new OutputPathError('EISDIR', path, `${caller} ${path} is a folder; expected a file name`);
  }
  const folder = dirname(resolve(path));
  const above = await stat(folder).catch(notFound);
  if (above === undefined) {
    throw new OutputPathError('ENOENT', path, `${caller} ${path}: the folder ${folder} does not exist`);
  }
  if (!above.isDirectory()) {
    throw new OutputPathError('ENOTDIR', path, `${caller} ${path}: ${folder} is a file, not a folder`);
  }
}

/** `undefined` for a path that does not exist; any other error (EACCES, ENOTDIR) passes on. */
function notFound(error: unknown): undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return undefined;
  if (code === 'ENOTDIR') return undefined; // a file above: the caller reports it by walking up
  throw error;
}
