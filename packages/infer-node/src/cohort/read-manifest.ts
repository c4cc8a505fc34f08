/**
 * Reading a cohort manifest from disk: a CSV or JSON lines file, or a folder whose subfolders are
 * the cases. Depends on node:fs, node:path and ./manifest.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { checkCaseId, parseManifest, type CohortCase, type ManifestFormat } from './manifest.js';
import { InvalidManifestError } from './errors.js';

/** What {@link readManifest} read. */
export interface CohortManifest {
  /** The manifest's absolute path. */
  path: string;
  /** How it was read: a CSV or JSON lines file, or a folder of case folders. */
  format: ManifestFormat | 'folder';
  /** The cases, in the manifest's order. */
  cases: CohortCase[];
}

/** File name endings of each text format. */
const EXTENSIONS: Record<string, ManifestFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

const NIFTI = /\.nii(\.gz)?$/i;

/** The case folders of a folder manifest: subfolders holding at least one NIfTI file, by name. */
async function caseFolders(folder: string): Promise<CohortCase[]> {
  const cases: CohortCase[] = [];
  // case folders, symbolic links to folders included (a symlink farm over a cohort)
  const isFolder = async (e: Dirent) =>
    e.isDirectory() ||
    (e.isSymbolicLink() &&
      ((await stat(join(folder, e.name)).catch(() => undefined))?.isDirectory() ?? false));
  const listed = (await readdir(folder, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const folders = await Promise.all(listed.map(isFolder));
  const entries = listed
    .filter((_, i) => folders[i])
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const dir = join(folder, entry.name);
    const files = await readdir(dir);
    if (!files.some((f) => NIFTI.test(f))) continue;
    checkCaseId(entry.name, `case folder ${dir}`);
    cases.push({ id: entry.name, dir, inputs: {} });
  }
  if (cases.length === 0) {
    throw new InvalidManifestError(
      `readManifest: ${folder} holds no case folder (a subfolder with .nii or .nii.gz files)`,
    );
  }
  return cases;
}

/**
 * Reads the cases of a cohort.
 *
 * - `*.csv`: a header row (`case`, and any of `dir`, `flair`, `t1`, `t1ce`, `t2`), one row per case;
 * - `*.jsonl` or `*.ndjson`: one JSON object per line with the same keys;
 * - a folder: each subfolder holding `.nii`/`.nii.gz` files is a case named after it, its
 *   sequences found by name (`flair.nii.gz`, `<case>_flair.nii.gz`, `<case>-t2f.nii.gz`, ...).
 *
 * Relative paths in a file are resolved against the file's folder. Sequence files are not opened
 * here: a case whose files are missing fails when it is segmented, not the whole cohort.
 * @param path - the manifest file or the folder of case folders
 * @returns the manifest's path, format and cases
 * @throws InvalidManifestError for a file of another type or unusable content (see
 *   `parseManifest`); Node's own errors (`ENOENT`) when the path does not exist
 * @example
 * ```ts
 * const { cases } = await readManifest('/data/brats/cases.csv');
 * ```
 */
export async function readManifest(path: string): Promise<CohortManifest> {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`readManifest: path must be a non-empty string; got ${JSON.stringify(path)}`);
  }
  const absolute = resolve(path);
  if ((await stat(absolute)).isDirectory()) {
    return { path: absolute, format: 'folder', cases: await caseFolders(absolute) };
  }
  const format = EXTENSIONS[extname(absolute).toLowerCase()];
  if (format === undefined) {
    throw new InvalidManifestError(
      `readManifest: ${path} is neither CSV nor JSON lines: expected a name ending in ` +
        `${Object.keys(EXTENSIONS).join(', ')}, or a folder of case folders`,
    );
  }
  const text = await readFile(absolute, 'utf8');
  const cases = parseManifest(text, { format, base: dirname(absolute), source: basename(absolute) });
  return { path: absolute, format, cases };
}
