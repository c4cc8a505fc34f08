/**
 * The case id `hadnet segment` writes into report.json's `case`, by one rule for both ways of
 * naming the inputs (see docs/cli.md): `--case-id` when given; else the `--case-dir` folder's name;
 * else the case id the FLAIR's file name carries (`<case>_flair.nii.gz`, `<case>-t2f.nii.gz`); else,
 * for a bare sequence name (`flair.nii.gz`), the name of the folder holding it; else the file name
 * without its extension. File names are read by core's one table of case-file names
 * (`parseCaseFileName`). Depends on node:path and @hadnet/core.
 */
import { basename, dirname, resolve } from 'node:path';
import { CASE_FILE_NAMES, parseCaseFileName, SEQUENCES, type Sequence } from '@hadnet/core';

/** Where the case id comes from. */
export interface CaseIdSources {
  /** `--case-id`, which wins. */
  caseId?: string;
  /** `--case-dir`. */
  caseDir?: string;
  /** The input files by sequence. */
  inputs: Partial<Record<Sequence, string>>;
}

/**
 * The case id for report.json (see the file header for the rule).
 * @param sources - the flags and the inputs found
 * @example
 * ```ts
 * caseId({ inputs: { flair: 'data/Brats18_X_1_flair.nii.gz' } }); // 'Brats18_X_1'
 * caseId({ inputs: { flair: 'p42/flair.nii.gz' } }); // 'p42'
 * caseId({ caseDir: 'cases/p42/', inputs: {} }); // 'p42'
 * ```
 */
export function caseId(sources: CaseIdSources): string {
  if (sources.caseId !== undefined) return sources.caseId;
  if (sources.caseDir !== undefined) return basename(resolve(sources.caseDir));
  const { inputs } = sources;
  const file = inputs.flair ?? SEQUENCES.map((s) => inputs[s]).find((f) => f !== undefined);
  if (file === undefined) return 'case';
  // core's table of case-file names: a BraTS name carries the case id before its ending
  const name = basename(file);
  const stem = name.replace(/\.nii(\.gz)?$/i, '');
  const parsed = parseCaseFileName(name);
  if (parsed === undefined) return stem;
  if (parsed.layout === 'hadnet') return basename(dirname(resolve(file)));
  return stem.slice(0, stem.length - CASE_FILE_NAMES[parsed.layout][parsed.kind].length);
}
