/**
 * A case's input files: found by name in its case folder (symbolic links included), then the
 * single files, which win. `hadnet segment --case-dir` and `hadnet segment-cohort` share it.
 * Depends on node:fs, node:path and @hadnet/core.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { matchCaseFiles, type Sequence } from '@hadnet/core';
import type { CohortCase } from './manifest.js';

/**
 * The files of a case's sequences.
 * @param entry - the case
 * @returns absolute paths by sequence; the model card decides which are needed
 * @throws ModalityMismatchError when the case folder holds no sequence or two files for one
 *   sequence; Node's own errors (`ENOENT`) when the folder does not exist
 */
export async function caseInputs(entry: CohortCase): Promise<Partial<Record<Sequence, string>>> {
  const inputs: Partial<Record<Sequence, string>> = {};
  if (entry.dir !== undefined) {
    const names = (await readdir(entry.dir, { withFileTypes: true }))
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => e.name);
    for (const [sequence, file] of Object.entries(matchCaseFiles(names, entry.dir))) {
      inputs[sequence as Sequence] = join(entry.dir, file);
    }
  }
  return { ...inputs, ...entry.inputs };
}
