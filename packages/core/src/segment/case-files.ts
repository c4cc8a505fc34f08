/**
 * Finds a case's sequences among file names by the naming conventions in use: plain
 * `t1.nii.gz`, BraTS 2017-2021 `<case>_t1ce.nii.gz`, BraTS 2023+ `<case>-t1c.nii.gz`. Works on
 * names only, so Node (a folder listing) and browsers (a dropped file list) share it. Depends on
 * core's contracts and errors.
 */
import { SEQUENCES, type Sequence } from '../contracts.js';
import { ModalityMismatchError } from '../errors.js';

/** The name stems of each sequence, per convention: plain, BraTS 2017-2021, BraTS 2023+. */
export const CASE_FILE_CONVENTIONS: Readonly<Record<Sequence, readonly string[]>> = Object.freeze({
  flair: Object.freeze(['flair', '_flair', '-t2f']),
  t1: Object.freeze(['t1', '_t1', '-t1n']),
  t1ce: Object.freeze(['t1ce', '_t1ce', '-t1c']),
  t2: Object.freeze(['t2', '_t2', '-t2w']),
});

const EXTENSION = /\.nii(\.gz)?$/i;

/** The sequence a file name stands for, or undefined. */
function sequenceOf(file: string): Sequence | undefined {
  const stem = file.replace(EXTENSION, '').toLowerCase();
  if (stem === file.toLowerCase()) return undefined;
  return SEQUENCES.find((sequence) =>
    CASE_FILE_CONVENTIONS[sequence].some((suffix) =>
      suffix.startsWith('_') || suffix.startsWith('-') ? stem.endsWith(suffix) : stem === suffix,
    ),
  );
}

/**
 * Picks each sequence's file from a case folder's file names. A name matches when, without its
 * `.nii` or `.nii.gz`, it is `flair`, `t1`, `t1ce` or `t2`, or ends in `_flair`, `_t1`, `_t1ce`,
 * `_t2` (BraTS 2017-2021) or `-t2f`, `-t1n`, `-t1c`, `-t2w` (BraTS 2023+), in any letter case.
 * Other files (`seg.nii.gz`, notes) are ignored.
 * @param files - file names (not paths) in the folder
 * @param folder - the folder, for messages
 * @returns the file name of each sequence found (some may be missing: the model card decides)
 * @throws ModalityMismatchError when no file matches, or two files match one sequence
 * @example
 * ```ts
 * matchCaseFiles(['Brats18_X_flair.nii.gz', 'Brats18_X_t1.nii.gz', 'Brats18_X_seg.nii.gz'], 'X');
 * // { flair: 'Brats18_X_flair.nii.gz', t1: 'Brats18_X_t1.nii.gz' }
 * ```
 */
export function matchCaseFiles(files: readonly string[], folder: string): Partial<Record<Sequence, string>> {
  const found: Partial<Record<Sequence, string>> = {};
  for (const file of [...files].sort()) {
    const sequence = sequenceOf(file);
    if (sequence === undefined) continue;
    if (found[sequence] !== undefined) {
      throw new ModalityMismatchError(
        `matchCaseFiles: ${folder} holds two files for ${sequence}: ${found[sequence]} and ${file}; ` +
          'pass the sequences one by one instead',
      );
    }
    found[sequence] = file;
  }
  if (Object.keys(found).length === 0) {
    throw new ModalityMismatchError(
      `matchCaseFiles: no sequence found in ${folder}: expected .nii or .nii.gz files named ` +
        'flair/t1/t1ce/t2, <case>_flair/_t1/_t1ce/_t2 (BraTS 2017-2021) or ' +
        `<case>-t2f/-t1n/-t1c/-t2w (BraTS 2023+); it holds ${files.length === 0 ? 'no files' : files.join(', ')}`,
    );
  }
  return found;
}
