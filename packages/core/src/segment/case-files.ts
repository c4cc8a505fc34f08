/**
 * The one table of case-file names, and the rule that reads a file name by it: this project's
 * `t1.nii.gz`, BraTS 2017-2021 `<case>_t1ce.nii.gz`, BraTS 2023+ `<case>-t1c.nii.gz`, each with
 * its label map. `hadnet segment --case-dir`, `hadnet segment-cohort`, the browser demo and the
 * trainer's `findCases` all name files through it. Works on names only, so Node (a folder listing)
 * and browsers (a dropped file list) share it. Depends on core's contracts and errors.
 */
import { SEQUENCES, type Sequence } from '../contracts.js';
import { ModalityMismatchError } from '../errors.js';

/** A file a case folder holds: one of the four sequences or the label map (`seg`). */
export type CaseFileKind = Sequence | 'seg';

/**
 * The naming schemes of case folders: `'hadnet'` (this project's `flair.nii.gz` ...),
 * `'brats2017'` (BraTS 2017-2021, `<case>_flair.nii.gz` ...) and `'brats2023'` (BraTS 2023 and
 * later, `<case>-t2f.nii.gz` ..., where the label map writes ET as 3).
 */
export type CaseLayout = 'hadnet' | 'brats2017' | 'brats2023';

/**
 * Every case-file name hadnet reads, by layout and kind. For `'hadnet'` the entry is the whole
 * name without its extension; for the BraTS layouts it is the ending that follows the case id
 * (`Brats18_X_1` + `_flair`, `BraTS-GLI-00000-000` + `-t2f`). Names are matched in any letter
 * case, with the extension `.nii` or `.nii.gz` (see {@link parseCaseFileName}).
 */
export const CASE_FILE_NAMES: Readonly<Record<CaseLayout, Readonly<Record<CaseFileKind, string>>>> =
  Object.freeze({
    hadnet: Object.freeze({ flair: 'flair', t1: 't1', t1ce: 't1ce', t2: 't2', seg: 'seg' }),
    brats2017: Object.freeze({ flair: '_flair', t1: '_t1', t1ce: '_t1ce', t2: '_t2', seg: '_seg' }),
    brats2023: Object.freeze({ flair: '-t2f', t1: '-t1n', t1ce: '-t1c', t2: '-t2w', seg: '-seg' }),
  });

/** The layouts in the order they are tried and reported. */
export const CASE_LAYOUTS: readonly CaseLayout[] = Object.freeze(['hadnet', 'brats2017', 'brats2023']);

/** The kinds of case file, sequences first. */
export const CASE_FILE_KINDS: readonly CaseFileKind[] = Object.freeze([...SEQUENCES, 'seg']);

const EXTENSION = /\.nii(\.gz)?$/i;

/** What a case-file name stands for. */
export interface CaseFileName {
  /** The sequence, or `'seg'` for the label map. */
  kind: CaseFileKind;
  /** The naming scheme the name follows. */
  layout: CaseLayout;
}

/**
 * Reads a file name by {@link CASE_FILE_NAMES}. Without its `.nii` or `.nii.gz`, in any letter
 * case, the name must equal a `'hadnet'` entry (`flair`, `t1`, `t1ce`, `t2`, `seg`) or end in a
 * BraTS entry (`_flair`, `_t1`, `_t1ce`, `_t2`, `_seg`; `-t2f`, `-t1n`, `-t1c`, `-t2w`, `-seg`);
 * whatever comes before a BraTS ending is taken as the case id and not compared with anything.
 * No name matches two entries.
 * @param name - a file name, not a path
 * @returns the kind and layout, or undefined for any other file (a README, `notes.txt`)
 * @example
 * ```ts
 * parseCaseFileName('Brats18_X_1_t1ce.nii.gz'); // { kind: 't1ce', layout: 'brats2017' }
 * parseCaseFileName('BraTS-GLI-00000-000-seg.nii'); // { kind: 'seg', layout: 'brats2023' }
 * parseCaseFileName('notes.txt'); // undefined
 * ```
 */
export function parseCaseFileName(name: string): CaseFileName | undefined {
  if (!EXTENSION.test(name)) return undefined;
  const stem = name.replace(EXTENSION, '').toLowerCase();
  for (const layout of CASE_LAYOUTS) {
    for (const kind of CASE_FILE_KINDS) {
      const entry = CASE_FILE_NAMES[layout][kind];
      if (layout === 'hadnet' ? stem === entry : stem.endsWith(entry)) return { kind, layout };
    }
  }
  return undefined;
}

/**
 * Picks each sequence's file from a case folder's file names, by {@link parseCaseFileName}: a
 * name matches when, without its `.nii` or `.nii.gz`, it is `flair`, `t1`, `t1ce` or `t2`, or ends
 * in `_flair`, `_t1`, `_t1ce`, `_t2` (BraTS 2017-2021) or `-t2f`, `-t1n`, `-t1c`, `-t2w`
 * (BraTS 2023+), in any letter case. Layouts may mix. Label maps (`seg.nii.gz`, `<case>_seg.nii.gz`)
 * and other files (notes) are ignored.
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
    const kind = parseCaseFileName(file)?.kind;
    if (kind === undefined || kind === 'seg') continue;
    if (found[kind] !== undefined) {
      throw new ModalityMismatchError(
        `matchCaseFiles: ${folder} holds two files for ${kind}: ${found[kind]} and ${file}; ` +
          'pass the sequences one by one instead',
      );
    }
    found[kind] = file;
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
