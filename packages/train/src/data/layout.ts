/**
 * Finding training cases in a BraTS-layout folder: one sub-folder per case, in this project's
 * names (`<case>/{t1,t1ce,t2,flair,seg}.nii.gz`), the BraTS 2017-2021 names
 * (`<case>/<case>_t1.nii.gz`, `_t1ce`, `_t2`, `_flair`, `_seg`) or the BraTS 2023+ names
 * (`<case>/<case>-t1n.nii.gz`, `-t1c`, `-t2w`, `-t2f`, `-seg`, where ET is 3). Case folders may sit
 * one level down in group folders (BraTS 2019's `HGG/` and `LGG/`).
 * May depend on: node:fs, node:path, `@hadnet/core` (types, errors).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRunError, type LabelConvention, type Sequence } from '@hadnet/core';

/** A file a case holds: one of the four sequences or the label map. */
export type CaseFileKind = Sequence | 'seg';

/** The naming schemes a case folder may follow. */
export type CaseLayout = 'hadnet' | 'brats2017' | 'brats2023';

/** One case found on disk. */
export interface CaseFiles {
  /** The case folder's name, e.g. `Brats18_CBICA_AQN_1`. */
  id: string;
  /** The case folder. */
  dir: string;
  /** Which naming scheme its files follow. */
  layout: CaseLayout;
  /** The label convention of its `seg` file: `'brats2023'` for the 2023+ names, else `'brats'`. */
  labelConvention: LabelConvention;
  /** The files found, by kind; absent kinds are missing on disk. */
  files: Partial<Record<CaseFileKind, string>>;
}

const KINDS: readonly CaseFileKind[] = ['flair', 't1', 't1ce', 't2', 'seg'];

/** The file stem of each kind in each layout (`id` is the case folder's name). */
const STEMS: Readonly<Record<CaseLayout, (id: string) => Record<CaseFileKind, string>>> = {
  hadnet: () => ({ flair: 'flair', t1: 't1', t1ce: 't1ce', t2: 't2', seg: 'seg' }),
  brats2017: (id) => ({
    flair: `${id}_flair`,
    t1: `${id}_t1`,
    t1ce: `${id}_t1ce`,
    t2: `${id}_t2`,
    seg: `${id}_seg`,
  }),
  brats2023: (id) => ({
    flair: `${id}-t2f`,
    t1: `${id}-t1n`,
    t1ce: `${id}-t1c`,
    t2: `${id}-t2w`,
    seg: `${id}-seg`,
  }),
};

const EXTENSIONS = ['.nii.gz', '.nii'];

/**
 * Matches one folder's file names against the three layouts.
 * @param id - the folder's name
 * @param names - the file names it holds
 * @returns the layout that names the most of the five files, and those files; undefined when
 *   no layout names any
 */
export function matchCaseLayout(
  id: string,
  names: readonly string[],
): { layout: CaseLayout; files: Partial<Record<CaseFileKind, string>> } | undefined {
  const present = new Set(names);
  let best: { layout: CaseLayout; files: Partial<Record<CaseFileKind, string>> } | undefined;
  let bestCount = 0;
  for (const layout of Object.keys(STEMS) as CaseLayout[]) {
    const stems = STEMS[layout](id);
    const files: Partial<Record<CaseFileKind, string>> = {};
    let count = 0;
    for (const kind of KINDS) {
      const name = EXTENSIONS.map((e) => stems[kind] + e).find((n) => present.has(n));
      if (name !== undefined) {
        files[kind] = name;
        count++;
      }
    }
    if (count > bestCount) {
      best = { layout, files };
      bestCount = count;
    }
  }
  return best;
}

/**
 * Lists the cases of a BraTS-layout folder, sorted by id. A sub-folder is a case when its files
 * follow one of the layouts (see {@link matchCaseLayout}); a sub-folder that is not a case is
 * searched once more for case folders (group folders such as `HGG/`). Files beside the cases
 * (a README, a manifest) and hidden folders are ignored. Whether a case holds every file a stage
 * needs is checked when it is loaded.
 *
 * @param dataDir - the folder
 * @returns one entry per case, with absolute file paths
 * @throws InvalidRunError when the folder cannot be read, holds no case, or two cases share an id
 * @example
 * ```ts
 * const cases = await findCases('../shared/data/brats-sample'); // 12 cases, layout 'hadnet'
 * ```
 */
export async function findCases(dataDir: string): Promise<CaseFiles[]> {
  const found: CaseFiles[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await listDirectory(dir)) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const caseDir = join(dir, entry.name);
      const names = (await listDirectory(caseDir)).filter((e) => !e.isDirectory()).map((e) => e.name);
      const match = matchCaseLayout(entry.name, names);
      if (match) {
        const files: Partial<Record<CaseFileKind, string>> = {};
        for (const kind of KINDS) if (match.files[kind]) files[kind] = join(caseDir, match.files[kind]);
        found.push({
          id: entry.name,
          dir: caseDir,
          layout: match.layout,
          labelConvention: match.layout === 'brats2023' ? 'brats2023' : 'brats',
          files,
        });
      } else if (depth === 0) {
        await visit(caseDir, depth + 1);
      }
    }
  };
  await visit(dataDir, 0);

  // one id per case
  const seen = new Map<string, string>();
  for (const c of found) {
    const other = seen.get(c.id);
    if (other !== undefined) {
      throw new InvalidRunError(
        `findCases: case id '${c.id}' appears twice in ${dataDir}: ${other} and ${c.dir}`,
      );
    }
    seen.set(c.id, c.dir);
  }
  if (found.length === 0) {
    throw new InvalidRunError(
      `findCases: ${dataDir} holds no case folder: expected <case>/{t1,t1ce,t2,flair,seg}.nii.gz, ` +
        '<case>/<case>_t1.nii.gz ... (BraTS 2017-2021) or <case>/<case>-t1n.nii.gz ... (BraTS 2023+)',
    );
  }
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function listDirectory(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    throw new InvalidRunError(`findCases: cannot read the folder ${dir} (${code})`, { cause: error });
  }
}

/**
 * The files of `kinds` that a case lacks.
 * @returns the missing kinds, empty when all are there
 */
export function missingFiles(c: CaseFiles, kinds: readonly CaseFileKind[]): CaseFileKind[] {
  return kinds.filter((k) => c.files[k] === undefined);
}
