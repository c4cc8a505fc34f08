/**
 * Finding training cases in a BraTS-layout folder: one sub-folder per case, its files named by
 * core's one table of case-file names (`CASE_FILE_NAMES`, read by `parseCaseFileName`), which
 * `hadnet segment --case-dir` reads too: this project's names (`<case>/{t1,t1ce,t2,flair,seg}.nii.gz`),
 * the BraTS 2017-2021 names (`<case>/<case>_t1.nii.gz`, `_t1ce`, `_t2`, `_flair`, `_seg`) or the
 * BraTS 2023+ names (`<case>/<case>-t1n.nii.gz`, `-t1c`, `-t2w`, `-t2f`, `-seg`, where ET is 3), in
 * any letter case, `.nii` or `.nii.gz`. Case folders may sit one level down in group folders
 * (BraTS 2019's `HGG/` and `LGG/`).
 * May depend on: node:fs, node:path, `@hadnet/core` (case-file names, types, errors).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CASE_FILE_KINDS,
  CASE_LAYOUTS,
  InvalidRunError,
  parseCaseFileName,
  type CaseFileKind,
  type CaseLayout,
  type LabelConvention,
} from '@hadnet/core';

export type { CaseFileKind, CaseLayout };

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

/**
 * Matches one folder's file names against the three layouts, by core's `parseCaseFileName`:
 * the same names that `hadnet segment --case-dir` accepts, plus the label map. Whatever precedes
 * a BraTS ending is not compared with the folder's name.
 * @param id - the folder's name, for messages
 * @param names - the file names it holds
 * @returns the layout that names the most of the five files (the first of `hadnet`, `brats2017`,
 *   `brats2023` on a tie), and its files; undefined when no layout names any. Files of the
 *   other layouts are ignored.
 * @throws InvalidRunError when two files of the chosen layout name one kind (`t1.nii` and
 *   `t1.nii.gz`, or `a_t1.nii.gz` and `b_t1.nii.gz`)
 */
export function matchCaseLayout(
  id: string,
  names: readonly string[],
): { layout: CaseLayout; files: Partial<Record<CaseFileKind, string>> } | undefined {
  const byLayout = new Map<CaseLayout, Map<CaseFileKind, string[]>>();
  for (const name of [...names].sort()) {
    const parsed = parseCaseFileName(name);
    if (parsed === undefined) continue;
    const kinds = byLayout.get(parsed.layout) ?? new Map<CaseFileKind, string[]>();
    kinds.set(parsed.kind, [...(kinds.get(parsed.kind) ?? []), name]);
    byLayout.set(parsed.layout, kinds);
  }

  // the layout naming the most kinds
  let layout: CaseLayout | undefined;
  for (const candidate of CASE_LAYOUTS) {
    const count = byLayout.get(candidate)?.size ?? 0;
    if (count > (layout === undefined ? 0 : byLayout.get(layout)!.size)) layout = candidate;
  }
  if (layout === undefined) return undefined;

  const files: Partial<Record<CaseFileKind, string>> = {};
  for (const kind of CASE_FILE_KINDS) {
    const found = byLayout.get(layout)!.get(kind);
    if (found === undefined) continue;
    if (found.length > 1) {
      throw new InvalidRunError(
        `matchCaseLayout: case folder '${id}' holds ${found.length} files for ${kind}: ${found.join(', ')}; ` +
          'keep one',
      );
    }
    files[kind] = found[0];
  }
  return { layout, files };
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
      if (entry.name.startsWith('.')) continue;
      const caseDir = join(dir, entry.name);
      // a case folder may be a symbolic link (a symlink farm over a cohort)
      if (!(entry.isDirectory() || (entry.isSymbolicLink() && (await isFolder(caseDir))))) continue;
      const names = (await listDirectory(caseDir)).filter((e) => !e.isDirectory()).map((e) => e.name);
      const match = matchCaseLayout(entry.name, names);
      if (match) {
        const files: Partial<Record<CaseFileKind, string>> = {};
        for (const kind of CASE_FILE_KINDS)
          if (match.files[kind]) files[kind] = join(caseDir, match.files[kind]);
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

/** Whether `path` leads to a folder (following links); false for a dangling link. */
async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
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
